using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Runtime;

/// <summary>
/// The native libtorch this process runs on: loads it with an error that says what to do when it cannot,
/// reports which one it is, and picks the default device (CUDA when present, else CPU).
/// </summary>
public static class TorchBackend
{
    static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch once; throws <see cref="InvalidOperationException"/> with a remedy if it cannot.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
            throw new InvalidOperationException(Explain(failure), failure);
    }

    /// <summary>CUDA device 0 when libtorch sees one, else the CPU.</summary>
    public static Device DefaultDevice
    {
        get
        {
            EnsureLoaded();
            return cuda.is_available() ? CUDA : CPU;
        }
    }

    /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N"; "auto" means <see cref="DefaultDevice"/>.</summary>
    public static Device ParseDevice(string name)
    {
        EnsureLoaded();
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase)) return DefaultDevice;
        Device device;
        try
        {
            device = new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or ExternalException)
        {
            throw new ArgumentException($"Device '{name}' is not a device; expected auto, cpu, cuda or cuda:N.", nameof(name), e);
        }
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new InvalidOperationException(
                $"Device '{name}' was asked for, but libtorch sees no CUDA device ({Describe()}). Build with " +
                "-p:SegNetsBackend=cuda, or with -p:SegNetsBackend=system and a CUDA libtorch on LD_LIBRARY_PATH.");
        return device;
    }

    /// <summary>Reports the libtorch in use.</summary>
    public static BackendInfo Describe()
    {
        EnsureLoaded();
        string? path = LoadedLibTorch();
        string appDir = Path.GetFullPath(AppContext.BaseDirectory);
        bool bundled = path is not null && Path.GetFullPath(path).StartsWith(appDir, StringComparison.Ordinal);
        bool hasCuda = cuda.is_available();
        return new BackendInfo(
            TorchSharpVersion: typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                               ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            BuildBackend: Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "SegNetsBackend")?.Value,
            LibTorchPath: path,
            Bundled: bundled,
            CudaAvailable: hasCuda,
            CudaDeviceCount: hasCuda ? cuda.device_count() : 0,
            CudnnAvailable: hasCuda && cuda.is_cudnn_available(),
            DefaultDevice: (hasCuda ? CUDA : CPU).ToString(),
            Threads: get_num_threads());
    }

    /// <summary>
    /// Runs a small conv - batch norm - ReLU - conv network with fixed seeded weights on <paramref name="device"/> and
    /// on the CPU, and reports the largest difference between the two and the forward time on the device.
    /// A quick proof that a backend computes, not only loads.
    /// </summary>
    public static SelfTestResult SelfTest(Device device, int batch = 2, int size = 64, int repeats = 5)
    {
        EnsureLoaded();
        using var scope = NewDisposeScope();
        var gen = new Generator(20261123);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(3, 16, 3, padding: 1, bias: false)),
            ("bn1", nn.BatchNorm2d(16)),
            ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(16, 8, 1)));
        using (no_grad())
        {
            foreach (var (_, p) in net.named_parameters()) p.copy_(randn(p.shape, generator: gen) * 0.5);
            foreach (var (name, b) in net.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) b.copy_(randn(b.shape, generator: gen) * 0.1);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) b.copy_(rand(b.shape, generator: gen) + 0.5);
            }
        }
        net.eval();
        var input = randn(new long[] { batch, 3, size, size }, generator: gen);

        Tensor expected;
        using (no_grad()) expected = net.forward(input);

        net.to(device);
        var onDevice = input.to(device);
        var times = new List<double>();
        Tensor output = expected;
        using (no_grad())
        {
            for (int i = 0; i < repeats + 1; i++)
            {
                using var iteration = NewDisposeScope();
                var watch = Stopwatch.StartNew();
                var y = net.forward(onDevice);
                if (device.type == DeviceType.CUDA) cuda.synchronize();
                watch.Stop();
                if (i > 0) times.Add(watch.Elapsed.TotalMilliseconds);
                output = y.cpu().MoveToOuterDisposeScope();
            }
        }
        times.Sort();
        double diff = (output - expected).abs().max().item<float>();
        return new SelfTestResult(device.ToString(), output.shape, diff, times[times.Count / 2]);
    }

    static Exception? TryLoad()
    {
        try
        {
            // Touching torch runs TorchSharp's static constructor, which loads LibTorchSharp and libtorch.
            _ = cuda.is_available();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return e;
        }
    }

    static string Explain(Exception failure)
    {
        var inner = failure;
        while (inner.InnerException is not null) inner = inner.InnerException;
        string message = $"libtorch could not be loaded: {inner.Message}";
        if (inner.Message.Contains("GLIBCXX", StringComparison.Ordinal))
            message += " This system's libstdc++ predates GCC 13. SegNets' build step (buildTransitive/SegNets.targets, " +
                       "SegNetsGlibcxxCompat) makes TorchSharp's native library load here; it did not run for this " +
                       "output folder. Rebuild the application with the SegNets package referenced, or with " +
                       "-p:SegNetsGlibcxxCompat=always when building on another machine.";
        else
            message += " Reference a native backend package (TorchSharp-cpu, TorchSharp-cuda-linux or TorchSharp-cuda-windows), " +
                       "or, for the system backend, put a libtorch 2.10-compatible lib folder on LD_LIBRARY_PATH " +
                       "(for example a PyTorch install's torch/lib).";
        return message;
    }

    static string? LoadedLibTorch()
    {
        string[] names = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? ["torch_cpu.dll", "torch.dll"]
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ["libtorch_cpu.dylib", "libtorch.dylib"] : ["libtorch_cpu.so", "libtorch.so"];
        using var process = Process.GetCurrentProcess();
        var modules = process.Modules.Cast<ProcessModule>().Select(m => m.FileName).ToList();
        foreach (var name in names)
        {
            var hit = modules.FirstOrDefault(m => string.Equals(Path.GetFileName(m), name, StringComparison.Ordinal));
            if (hit is not null) return hit;
        }
        return null;
    }
}
