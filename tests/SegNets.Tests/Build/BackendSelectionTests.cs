using FluentAssertions;
using SegNets.Tests.Support;

namespace SegNets.Tests.Build;

/// <summary>-p:SegNetsBackend: the system backend bundles no libtorch and runs on the one the environment provides.</summary>
public class BackendSelectionTests
{
    [Fact]
    public void SystemBackendRunsOnTheLibTorchFromLdLibraryPathAndExplainsWhenThereIsNone()
    {
        using var dir = new TempDir("segnets-system");
        var output = Path.Combine(dir.Path, "cli");
        var build = ProcessRun.Dotnet(Repo.Root, "build", "tools/SegNets.Cli/SegNets.Cli.csproj", "-c", Repo.Configuration,
            "-p:SegNetsBackend=system", "-o", output);
        build.ExitCode.Should().Be(0, build.Output);
        Directory.GetFiles(output, "libtorch*", SearchOption.AllDirectories).Should().BeEmpty("the system backend bundles no libtorch");
        var cli = Path.Combine(output, "SegNets.Cli.dll");

        var withLibTorch = ProcessRun.Start("dotnet", [cli, "doctor"], dir.Path,
            new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = TorchSharpFiles.CachedLibTorchCpuDir });
        withLibTorch.ExitCode.Should().Be(0, withLibTorch.Output);
        withLibTorch.StdOut.Should().Contain("build backend system")
            .And.Contain($"libtorch {TorchSharpFiles.CachedLibTorchCpuDir}/libtorch_cpu.so (from the environment)")
            .And.Contain("self-test cpu: output [2, 8, 64, 64]")
            .And.EndWith("ok" + Environment.NewLine);

        // With no libtorch on the loader path (and no NuGet cache for TorchSharp's own fallback to copy from),
        // the user gets SegNets' explanation, not a stack trace.
        var emptyCache = Path.Combine(dir.Path, "empty-nuget");
        Directory.CreateDirectory(emptyCache);
        var without = ProcessRun.Start("dotnet", [cli, "doctor"], dir.Path,
            new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = null, ["NUGET_PACKAGES"] = emptyCache });
        without.ExitCode.Should().Be(2, without.Output);
        without.StdErr.Should().StartWith("error: libtorch could not be loaded").And.Contain("LD_LIBRARY_PATH");
    }

    [Fact]
    public void AnUnknownBackendIsABuildErrorThatListsTheChoices()
    {
        using var dir = new TempDir("segnets-bogus");
        var build = ProcessRun.Dotnet(Repo.Root, "build", "tools/SegNets.Cli/SegNets.Cli.csproj", "-p:SegNetsBackend=tpu",
            "-o", Path.Combine(dir.Path, "out"));
        build.ExitCode.Should().NotBe(0);
        build.Output.Should().Contain("SegNetsBackend='tpu' is not a backend; expected cpu, cuda or system.");
    }
}
