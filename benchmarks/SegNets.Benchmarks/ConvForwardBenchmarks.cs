using BenchmarkDotNet.Attributes;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Benchmarks;

/// <summary>
/// Forward latency of one 3x3 convolution (64 -> 64 channels, 128x128, batch 1) on each device libtorch sees:
/// the floor every network's time is built from, and a check that a backend is fast, not only loaded.
/// </summary>
[MemoryDiagnoser]
public class ConvForwardBenchmarks
{
    nn.Module<Tensor, Tensor> conv = null!;
    Tensor input = null!;
    Device target = null!;

    public static IEnumerable<string> Devices() =>
        cuda.is_available() ? ["cpu", "cuda"] : ["cpu"];

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>Intra-op CPU threads: 0 keeps libtorch's default; 1 matches a single-threaded peer.</summary>
    [Params(0, 1)]
    public int Threads { get; set; }

    int defaultThreads;

    [GlobalSetup]
    public void Setup()
    {
        defaultThreads = get_num_threads();
        if (Threads > 0) set_num_threads(Threads);
        target = TorchBackend.ParseDevice(Device);
        conv = nn.Conv2d(64, 64, 3, padding: 1).to(target);
        conv.eval();
        input = randn(new long[] { 1, 64, 128, 128 }, device: target);
    }

    [Benchmark]
    public void Conv3x3()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        conv.forward(input);
        if (target.type == DeviceType.CUDA) cuda.synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input.Dispose();
        conv.Dispose();
        set_num_threads(defaultThreads);
    }
}
