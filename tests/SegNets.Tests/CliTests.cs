using FluentAssertions;
using SegNets.Tests.Support;

namespace SegNets.Tests;

/// <summary>The `segnets` command line, run the way the README tells a user to run it.</summary>
public class CliTests
{
    [Fact]
    public void DoctorReportsTheBundledCpuBackendAndPassesItsSelfTest()
    {
        var run = ProcessRun.Dotnet(Repo.Root, "run", "--project", "tools/SegNets.Cli", "-c", Repo.Configuration, "--no-build", "--", "doctor");
        run.ExitCode.Should().Be(0, run.Output);
        run.StdOut.Should().Contain("TorchSharp 0.107.0; build backend cpu;").And.Contain("(bundled)")
            .And.Contain("self-test cpu: output [2, 8, 64, 64], max |diff| to CPU 0.00E+000");
    }

    [Fact]
    public void AskingForCudaWithoutOneIsAClearError()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // on a GPU machine cuda is a valid request
        var run = ProcessRun.Dotnet(Repo.Root, "run", "--project", "tools/SegNets.Cli", "-c", Repo.Configuration, "--no-build", "--", "doctor", "--device", "cuda");
        run.ExitCode.Should().Be(2);
        run.StdErr.Should().Contain("error: Device 'cuda' was asked for, but libtorch sees no CUDA device");
    }
}
