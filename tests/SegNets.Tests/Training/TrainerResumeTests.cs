using FluentAssertions;
using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Training;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>
/// Resume: a run stopped in the middle of an epoch and continued from its last checkpoint ends bit-identical to a run
/// that was never stopped (CPU). The model has dropout (torch's generator must be restored) and the loader shuffles and
/// flips on two workers (its randomness must depend on (seed, epoch, sample) only).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class TrainerResumeTests
{
    const int Epochs = 3;

    static BackboneHeadModel NewModel(int seed)
    {
        manual_seed(seed);
        return TorchvisionModels.DeepLabV3("mobilenet_v3_large", 3);
    }

    static TensorSegmentationDataset NewData()
    {
        var g = new Generator(5);
        var images = randint(0, 256, [8, 3, 32, 40], dtype: ScalarType.Byte, generator: g);
        var masks = randint(0, 3, [8, 32, 40], dtype: ScalarType.Int64, generator: g);
        return TrainerParityTests.Dataset(images, masks);
    }

    static SegmentationLoader Loader(ISegmentationDataset data) => new(data, new HorizontalFlip(),
        new SegmentationLoaderOptions { BatchSize = 3, Shuffle = true, Seed = 11, Workers = 2 });

    static TrainingOptions Options(string dir) => new()
    {
        Epochs = Epochs, LearningRate = 0.02, OutputDirectory = dir, Resume = true, Seed = 3, TensorBoard = false,
    };

    [Fact]
    public void AStoppedAndResumedRunEndsWithTheWeightsOfAnUninterruptedOne()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scope = NewDisposeScope();
        using var data = NewData();
        using var a = new TempDir();
        using var b = new TempDir();

        var straight = NewModel(1);
        var full = new Trainer(straight, Options(a.Path)).Fit(Loader(data), cancellationToken: ct);
        full.History.Should().HaveCount(Epochs);

        // Stopped in epoch 2 after its first batch: the newest checkpoint is epoch 1.
        var interrupted = NewModel(1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = () => new Trainer(interrupted, Options(b.Path)).Fit(Loader(data),
            progress: new Inline<TrainingProgress>(p => { if (p.Epoch == 1 && p.Batch == 1 && p.Phase == "train") stop.Cancel(); }),
            cancellationToken: stop.Token);
        run.Should().Throw<OperationCanceledException>();
        TrainingCheckpoint.List(b.Path).Select(c => c.Epoch).Should().Equal(1);

        // A new process would start from other weights: a different seed proves the checkpoint restores them.
        var resumedModel = NewModel(99);
        var resumed = new Trainer(resumedModel, Options(b.Path)).Fit(Loader(data), cancellationToken: ct);
        resumed.ResumedFromEpoch.Should().Be(1);
        resumed.History.Select(h => h.Epoch).Should().Equal(1, 2, 3);
        resumed.History.Select(h => h.Loss).Should().Equal(full.History.Select(h => h.Loss));

        var expected = straight.state_dict();
        foreach (var (key, value) in resumedModel.state_dict())
            value.eq(expected[key]).all().item<bool>().Should().BeTrue($"{key} must be bit-identical after resume");
        // Same rows but for the timing columns: the CSV is rebuilt from the checkpoint's history.
        static string[] Rows(string dir) => File.ReadAllLines(Path.Combine(dir, TrainingLog.CsvFile))
            .Select(l => string.Join(',', l.Split(',').Take(4))).ToArray();
        Rows(b.Path).Should().HaveCount(1 + Epochs).And.Equal(Rows(a.Path));
    }

    [Fact]
    public void ResumingWithAnotherRunLengthIsRefusedByName()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scope = NewDisposeScope();
        using var data = NewData();
        using var dir = new TempDir();
        new Trainer(NewModel(1), Options(dir.Path) with { Epochs = 1 }).Fit(Loader(data), cancellationToken: ct);
        var again = () => new Trainer(NewModel(1), Options(dir.Path) with { Epochs = 4 }).Fit(Loader(data), cancellationToken: ct);
        again.Should().Throw<InvalidOperationException>().WithMessage("*epoch-0001*3 iterations*12*");
    }

    [Fact]
    public void AnIncompleteCheckpointFolderIsNamedWithTheMissingFile()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scope = NewDisposeScope();
        using var data = NewData();
        using var dir = new TempDir();
        new Trainer(NewModel(1), Options(dir.Path) with { Epochs = 1 }).Fit(Loader(data), cancellationToken: ct);
        File.Delete(Path.Combine(dir.Path, "epoch-0001", TrainingCheckpoint.OptimizerFile));
        var again = () => new Trainer(NewModel(1), Options(dir.Path) with { Epochs = 1 }).Fit(Loader(data), cancellationToken: ct);
        again.Should().Throw<FileNotFoundException>().WithMessage("*epoch-0001*optimizer.bin*");
    }

    [Fact]
    public void KeepsTheNewestCheckpointsAndTheBest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scope = NewDisposeScope();
        using var data = NewData();
        using var dir = new TempDir();
        var scores = new Queue<double>([0.2, 0.5, 0.3, 0.1]);
        var result = new Trainer(NewModel(1), Options(dir.Path) with { Epochs = 4, KeepCheckpoints = 2 })
            .Fit(Loader(data), (_, _) => new Dictionary<string, double> { ["mIoU"] = scores.Dequeue() }, cancellationToken: ct);
        TrainingCheckpoint.List(dir.Path).Select(c => c.Epoch).Should().Equal(3, 4);
        result.BestEpoch.Should().Be(2);
        result.BestScore.Should().Be(0.5);
        TrainingCheckpoint.Load(Path.Combine(dir.Path, Trainer.BestFolder)).Epoch.Should().Be(2);
        var csv = File.ReadAllLines(Path.Combine(dir.Path, TrainingLog.CsvFile));
        csv[0].Should().Be("epoch,iterations,lr,loss,seconds,images_per_second,val_mIoU");
        csv.Skip(1).Select(l => l.Split(',')[^1]).Should().Equal("0.2", "0.5", "0.3", "0.1");
        Directory.EnumerateFileSystemEntries(dir.Path, ".*").Should().BeEmpty("no temporary is left behind");
    }
}
