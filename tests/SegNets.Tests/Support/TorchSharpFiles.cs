namespace SegNets.Tests.Support;

/// <summary>Where the files TorchSharp's packages brought lie: the NuGet cache and this test's output folder.</summary>
public static class TorchSharpFiles
{
    public static string NuGetPackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The pristine libLibTorchSharp.so as the TorchSharp package ships it.</summary>
    public static string CachedLibTorchSharp =>
        Path.Combine(NuGetPackages, "torchsharp", typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3),
            "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>The copy the build put next to the tests (and patched where needed).</summary>
    public static string OutputLibTorchSharp =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>The folder holding the libtorch CPU binaries in the NuGet cache, usable as a "system" libtorch.</summary>
    public static string CachedLibTorchCpuDir
    {
        get
        {
            var root = Path.Combine(NuGetPackages, "libtorch-cpu-linux-x64");
            var version = Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal).Last();
            return Path.Combine(version, "runtimes", "linux-x64", "native");
        }
    }
}
