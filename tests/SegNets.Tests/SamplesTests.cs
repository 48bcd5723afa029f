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

    [Fact]
    public void TrainSampleRunsARecipeAndEvalSampleScoresItsWeights()
    {
        // TI's DeepLabV3Lite on ADE20K-32, on a tiny ADEChallengeData2016 written by PIL (label_files.py layouts).
        var ade = Path.Combine(PythonReference.Run("label_files.py", "layouts"), "ade");
        using var dir = new TempDir();
        const string recipe = "MobileNetV2S16+DeepLabV3Lite_ADE20K32_512x512";
        var train = ProcessRun.Dotnet(Repo.Root, "run", "samples/train.cs", "--", "--recipe", recipe, "--data", ade,
            "--out", dir.Path, "--iterations", "2", "--batch", "2", "--crop", "32", "--device", "cpu");
        train.ExitCode.Should().Be(0, train.Output);
        train.StdOut.Should().Contain($"{recipe}: stage").And.Contain("Sgd lr").And.Contain("trained 2 epochs (2 iterations)");
        var weights = Path.Combine(dir.Path, "final.safetensors");
        File.Exists(weights).Should().BeTrue();
        File.ReadAllLines(Path.Combine(dir.Path, "train.csv")).Should().HaveCount(3, "a header and one row per epoch");

        var eval = ProcessRun.Dotnet(Repo.Root, "run", "samples/eval.cs", "--", "--model", recipe, "--data", ade,
            "--weights", weights, "--device", "cpu", "--out", Path.Combine(dir.Path, "eval"));
        eval.ExitCode.Should().Be(0, eval.Output);
        eval.StdOut.Should().Contain("protocol plain").And.Contain("mIoU").And.Contain("reported by the original");
        File.Exists(Path.Combine(dir.Path, "eval", "metrics.json")).Should().BeTrue();
    }
}
