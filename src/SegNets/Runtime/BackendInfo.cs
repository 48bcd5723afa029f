namespace SegNets.Runtime;

/// <summary>What libtorch this process runs on, as reported by <see cref="TorchBackend.Describe"/>.</summary>
/// <param name="TorchSharpVersion">Version of the managed TorchSharp assembly.</param>
/// <param name="BuildBackend">The SegNetsBackend the entry program was built with (cpu, cuda, system), if it says.</param>
/// <param name="LibTorchPath">The libtorch (or torch_cpu) library loaded into this process.</param>
/// <param name="Bundled">True when that library ships with the program (a TorchSharp-cpu/-cuda package), false when it
/// came from the environment (the system backend, e.g. a PyTorch install on LD_LIBRARY_PATH).</param>
/// <param name="CudaAvailable">Whether libtorch sees a usable CUDA device.</param>
/// <param name="CudaDeviceCount">Number of CUDA devices.</param>
/// <param name="CudnnAvailable">Whether cuDNN is available to libtorch.</param>
/// <param name="DefaultDevice">Where SegNets puts models and tensors unless told otherwise: CUDA when present.</param>
/// <param name="Threads">Intra-op CPU threads libtorch uses.</param>
public sealed record BackendInfo(
    string TorchSharpVersion,
    string? BuildBackend,
    string? LibTorchPath,
    bool Bundled,
    bool CudaAvailable,
    int CudaDeviceCount,
    bool CudnnAvailable,
    string DefaultDevice,
    int Threads)
{
    public override string ToString() =>
        $"TorchSharp {TorchSharpVersion}; build backend {BuildBackend ?? "unknown"}; " +
        $"libtorch {LibTorchPath ?? "not found"} ({(Bundled ? "bundled" : "from the environment")}); " +
        $"CUDA {(CudaAvailable ? $"yes, {CudaDeviceCount} device(s), cuDNN {(CudnnAvailable ? "yes" : "no")}" : "no")}; " +
        $"default device {DefaultDevice}; {Threads} CPU threads";
}
