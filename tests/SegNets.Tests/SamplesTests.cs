using FluentAssertions;
using SegNets.Tests.Support;

namespace SegNets.Tests;

/// <summary>The file-based programs in samples/ run as their header comment says.</summary>
public class SamplesTests
{
    [Fact]
    public void BackendSampleRunsAConvolutionOnTheDefaultDevice()
    {
        var run = ProcessRun.Dotnet(Repo.Root, "run", "samples/backend.cs");
        run.ExitCode.Should().Be(0, run.Output);
        run.StdOut.Should().Contain("TorchSharp 0.107.0; build backend cpu;")
            .And.MatchRegex(@"conv on (cpu|cuda:0): \[1, 8, 64, 64\]");
    }

    [Fact]
    public void BackboneSamplePrintsTheStagesAndADilatedForward()
    {
        var run = ProcessRun.Dotnet(Repo.Root, "run", "samples/backbone.cs");
        run.ExitCode.Should().Be(0, run.Output);
        run.StdOut.Should().Contain("FeatureInfo { Name = c1, Channels = 64, Stride = 2 }")
            .And.Contain("FeatureInfo { Name = c5, Channels = 2048, Stride = 8 }")
            .And.Contain("1 2048 28 28");
    }
}
