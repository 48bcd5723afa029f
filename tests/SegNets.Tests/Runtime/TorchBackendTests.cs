using FluentAssertions;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Runtime;

public class TorchBackendTests
{
    [Fact]
    public void LibTorchLoadsAndIsReported()
    {
        var info = TorchBackend.Describe();
        info.TorchSharpVersion.Should().StartWith("0.107");
        info.LibTorchPath.Should().NotBeNull();
        File.Exists(info.LibTorchPath).Should().BeTrue();
        info.Bundled.Should().BeTrue("the tests build with the default cpu backend, TorchSharp-cpu");
        info.BuildBackend.Should().Be("cpu", "xunit v3 runs the tests inside the test assembly, which is built for the cpu backend");
        info.Threads.Should().BeGreaterThan(0);
    }

    [Fact]
    public void DefaultDeviceIsCudaExactlyWhenLibTorchSeesCuda()
    {
        var expected = cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        TorchBackend.DefaultDevice.type.Should().Be(expected);
        TorchBackend.Describe().CudaAvailable.Should().Be(cuda.is_available());
        TorchBackend.ParseDevice("auto").type.Should().Be(expected);
        TorchBackend.ParseDevice("cpu").type.Should().Be(DeviceType.CPU);
    }

    [Fact]
    public void UnknownOrMissingDevicesGetClearErrors()
    {
        var bad = () => TorchBackend.ParseDevice("tpu:7");
        bad.Should().Throw<ArgumentException>().WithMessage("*tpu:7*expected auto, cpu, cuda*");
        if (!cuda.is_available())
        {
            var missing = () => TorchBackend.ParseDevice("cuda");
            missing.Should().Throw<InvalidOperationException>().WithMessage("*'cuda'*no CUDA device*");
        }
    }

    [Fact]
    public void ConvolutionMatchesADirectSum()
    {
        // A 3x3 convolution of a 2-channel 5x5 input, checked against the sum written out by hand.
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var x = randn(new long[] { 1, 2, 5, 5 }, generator: gen);
        var conv = nn.Conv2d(2, 3, 3, padding: 1);
        Tensor y;
        using (no_grad()) y = conv.forward(x);
        var w = conv.weight!.data<float>().ToArray();
        var b = conv.bias!.data<float>().ToArray();
        var xs = x.data<float>().ToArray();
        var ys = y.data<float>().ToArray();
        for (int o = 0; o < 3; o++)
        for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
        {
            double sum = b[o];
            for (int c = 0; c < 2; c++)
            for (int di = -1; di <= 1; di++)
            for (int dj = -1; dj <= 1; dj++)
            {
                int ii = i + di, jj = j + dj;
                if (ii < 0 || jj < 0 || ii >= 5 || jj >= 5) continue;
                sum += w[((o * 2 + c) * 3 + di + 1) * 3 + dj + 1] * xs[(c * 5 + ii) * 5 + jj];
            }
            ys[(o * 5 + i) * 5 + j].Should().BeApproximately((float)sum, 1e-5f);
        }
    }

    [Fact]
    public void SelfTestRunsOnEveryAvailableDevice()
    {
        var cpu = TorchBackend.SelfTest(CPU);
        cpu.OutputShape.Should().Equal(2, 8, 64, 64);
        cpu.MaxAbsDiffToCpu.Should().Be(0);
        cpu.Milliseconds.Should().BePositive();
        if (cuda.is_available())
        {
            var gpu = TorchBackend.SelfTest(CUDA);
            gpu.MaxAbsDiffToCpu.Should().BeLessThan(1e-3);
        }
    }
}
