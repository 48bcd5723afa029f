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

    [Fact]
    public void ZooSampleSegmentsAnImageFileAndWritesTheColouredMap()
    {
        using var dir = new TempDir();
        var image = dir.File("street.png");
        Imaging.ImageFileTests.WriteGradient(image, 96, 64, SkiaSharp.SKEncodedImageFormat.Png);
        var run = ProcessRun.Dotnet(Repo.Root, "run", "samples/zoo.cs", "--", "lraspp_mobilenet_v3_large", image);
        run.ExitCode.Should().Be(0, run.Output);
        run.StdOut.Should().Contain("lraspp_mobilenet_v3_large: torchvision LR-ASPP on mobilenet_v3_large (dilated, OS16), 21 COCO (VOC classes) classes")
            .And.Contain("reported mIoU 57.9").And.Contain("https://download.pytorch.org/models/lraspp_mobilenet_v3_large-d234d4ea.pth")
            .And.Contain($"{image}: 96x64 -> {dir.File("street.classes.png")}").And.Contain("% of pixels");
        var written = SegNets.Imaging.ImageFile.ReadRgb(dir.File("street.classes.png"));
        written.shape.Should().Equal(3, 64, 96);
    }
}
