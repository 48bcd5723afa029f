using System.IO.Compression;
using FluentAssertions;
using SegNets.Build;
using SegNets.Tests.Support;

namespace SegNets.Tests.Build;

/// <summary>
/// What a user does: pack SegNets, reference the package from a new project (with TorchSharp-cpu as its backend),
/// build, publish and run a convolution. On this Debian 12 machine that only works if the package's buildTransitive
/// step made TorchSharp's native library loadable in the output and publish folders.
/// </summary>
public class ConsumerProjectTests
{
    [Fact]
    public void APackedSegNetsBuildsPublishesAndRunsAConvolutionInAFreshProject()
    {
        using var dir = new TempDir("segnets-consumer");
        var repo = Path.Combine(dir.Path, "repo");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "nuget.config", "README.md", "LICENSE" })
            CopyFile(Repo.PathOf(file), Path.Combine(repo, file));
        CopyTree(Repo.PathOf("build"), Path.Combine(repo, "build"));
        CopyTree(Repo.PathOf("src", "SegNets"), Path.Combine(repo, "src", "SegNets"));

        var version = $"0.0.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Path.Combine(dir.Path, "feed");
        var pack = ProcessRun.Dotnet(repo, "pack", "src/SegNets/SegNets.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");
        pack.ExitCode.Should().Be(0, pack.Output);
        var nupkg = Path.Combine(feed, $"SegNets.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(
                ["buildTransitive/SegNets.targets", "buildTransitive/SegNets.GlibcxxCompat.cs", "lib/net10.0/SegNets.dll", "README.md"]);
            zip.Entries.Should().NotContain(e => e.FullName.Contains("libtorch", StringComparison.OrdinalIgnoreCase),
                "the library leaves the native backend to the application");
        }

        var app = Path.Combine(dir.Path, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="segnets-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SegNets" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using SegNets.Runtime;
            using static TorchSharp.torch;

            Console.WriteLine(TorchBackend.Describe());
            var conv = nn.Conv2d(3, 1, 3, padding: 1, bias: false);
            using (no_grad()) conv.weight!.fill_(1);
            var y = conv.forward(ones(1, 3, 5, 5));
            Console.WriteLine($"center={y[0, 0, 2, 2].item<float>()} corner={y[0, 0, 0, 0].item<float>()}");
            """);

        var build = ProcessRun.Dotnet(app, "build", "-c", "Release");
        build.ExitCode.Should().Be(0, build.Output);
        var built = Path.Combine(app, "bin", "Release", "net10.0");
        AssertRuns(Path.Combine(built, "app.dll"), app);
        AssertPatchedAsThisSystemNeeds(Path.Combine(built, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));

        var published = Path.Combine(dir.Path, "published");
        var publish = ProcessRun.Dotnet(app, "publish", "-c", "Release", "-o", published);
        publish.ExitCode.Should().Be(0, publish.Output);
        AssertRuns(Path.Combine(published, "app.dll"), app);
        AssertPatchedAsThisSystemNeeds(Directory.GetFiles(published, "libLibTorchSharp.so", SearchOption.AllDirectories).Single());
    }

    static void AssertRuns(string dll, string workingDirectory)
    {
        var run = ProcessRun.Dotnet(workingDirectory, dll);
        run.ExitCode.Should().Be(0, run.Output);
        // All-ones 3x3 kernel over 3 channels of ones: 27 inside, 3*4 = 12 at a zero-padded corner.
        run.StdOut.Should().Contain("center=27 corner=12");
        run.StdOut.Should().Contain("(bundled)");
    }

    static void AssertPatchedAsThisSystemNeeds(string library)
    {
        bool systemLacks = !ElfVersionNeeds.Defines(ElfVersionNeeds.FindSystemLibStdCxx()!, ElfVersionNeeds.MarkerVersion);
        ElfVersionNeeds.Read(File.ReadAllBytes(library), library)
            .Single(n => n.Version == ElfVersionNeeds.MarkerVersion).IsWeak.Should().Be(systemLacks, library);
    }

    static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj") continue;
            CopyFile(file, Path.Combine(to, relative));
        }
    }
}
