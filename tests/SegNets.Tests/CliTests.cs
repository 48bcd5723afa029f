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

    [Fact]
    public void QuickstartTrainsEvaluatesAndWritesMasksAndOverlays()
    {
        // The README's main job, shortened to one epoch at 32x32 (the full run is measured in README).
        using var dir = new TempDir();
        var run = ProcessRun.Dotnet(Repo.Root, "run", "--project", "tools/SegNets.Cli", "-c", Repo.Configuration, "--no-build", "--",
            "quickstart", "--epochs", "1", "--size", "32", "--width", "8", "--output", dir.Path);
        run.ExitCode.Should().Be(0, run.Output);
        run.StdOut.Should().Contain("SegNets quickstart").And.Contain("epoch   1: loss").And.Contain("Ankle boot")
            .And.MatchRegex(@"val mIoU \d+\.\d %");
        var val = File.ReadAllLines(Path.Combine(Repo.Root, "samples", "data", "fashion-scenes", "ImageSets", "Segmentation", "val.txt"));
        Directory.GetFiles(Path.Combine(dir.Path, "masks"), "*.png").Should().HaveCount(val.Length);
        Directory.GetFiles(Path.Combine(dir.Path, "overlays"), "*.png").Should().HaveCount(val.Length);
        var mask = SegNets.Imaging.ImageFile.ReadRgb(Path.Combine(dir.Path, "masks", val[0] + ".png"));
        mask.shape.Should().Equal(3, 128, 128);
        File.ReadAllText(Path.Combine(dir.Path, "metrics.json")).Should().Contain("\"mIoU\"");
        File.ReadAllLines(Path.Combine(dir.Path, "run", "train.csv")).Should().HaveCount(2);
        File.Exists(Path.Combine(dir.Path, "run", "epoch-0001", "model.safetensors")).Should().BeTrue();
    }

    [Fact]
    public void QuickstartNamesAMissingDataFolder()
    {
        using var dir = new TempDir();
        var run = ProcessRun.Dotnet(Repo.Root, "run", "--project", "tools/SegNets.Cli", "-c", Repo.Configuration, "--no-build", "--",
            "quickstart", "--data", dir.File("nowhere"), "--output", dir.File("out"));
        run.ExitCode.Should().Be(2, run.Output);
        run.StdErr.Should().Contain("error:").And.Contain("nowhere");
    }
}
