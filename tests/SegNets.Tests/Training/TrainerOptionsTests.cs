using FluentAssertions;
using SegNets.Data;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Training;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>Freezing, bfloat16 and bad options of the Trainer, on a small torchvision LR-ASPP.</summary>
public class TrainerOptionsTests
{
    static TensorSegmentationDataset Data()
    {
        var g = new Generator(3);
        return TrainerParityTests.Dataset(randint(0, 256, [4, 3, 32, 32], dtype: ScalarType.Byte, generator: g),
            randint(0, 3, [4, 32, 32], dtype: ScalarType.Int64, generator: g));
    }

    static SegmentationLoader Loader(ISegmentationDataset data) => new(data, options: new SegmentationLoaderOptions { BatchSize = 2, Workers = 0 });

    [Fact]
    public void AFrozenBackboneDoesNotMoveWhileTheHeadDoes()
    {
        using var scope = NewDisposeScope();
        using var data = Data();
        manual_seed(1);
        var model = TorchvisionModels.LRAspp(3);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        new Trainer(model, new TrainingOptions { Epochs = 1, LearningRate = 0.05, FreezeBackbone = true })
            .Fit(Loader(data), cancellationToken: TestContext.Current.CancellationToken);
        foreach (var (name, p) in model.named_parameters())
        {
            var same = p.eq(before[name]).all().item<bool>();
            if (name.StartsWith("backbone.", StringComparison.Ordinal)) same.Should().BeTrue(name);
            else if (name.EndsWith(".weight", StringComparison.Ordinal) && name.Contains("classifier")) same.Should().BeFalse(name);
        }
    }

    [Fact]
    public void FineTuningReinitialisesTheClassifierAndUnfreezesTheBackboneAfterItsEpochs()
    {
        using var scope = NewDisposeScope();
        using var data = Data();
        using var dir = new TempDir();
        // "Pretrained" 21-class weights, saved as SegNets safetensors; the 3-class model takes all but the classifiers.
        manual_seed(2);
        var pretrained = TorchvisionModels.LRAspp(21);
        var file = dir.File("pretrained.safetensors");
        SegNets.Zoo.SavedModel.Save(pretrained, "lraspp_mobilenet_v3_large", file);
        var model = TorchvisionModels.LRAspp(3);
        var report = SegNets.Checkpoints.CheckpointFile.LoadInto(model, file, strict: false);
        report.Mismatched.Should().Contain(k => k.StartsWith("classifier.low_classifier.weight", StringComparison.Ordinal))
            .And.Contain(k => k.StartsWith("classifier.high_classifier.weight", StringComparison.Ordinal));
        report.Loaded.Should().Contain("backbone.0.0.weight");

        var first = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var afterEpoch1 = new Dictionary<string, Tensor>();
        new Trainer(model, new TrainingOptions { Epochs = 2, LearningRate = 0.05, FreezeBackboneEpochs = 1 })
            .Fit(Loader(data), progress: new Inline<TrainingProgress>(p =>
            {
                if (p.Phase == "done" && p.Epoch == 0)
                    foreach (var (name, t) in model.named_parameters()) afterEpoch1[name] = t.detach().clone();
            }), cancellationToken: TestContext.Current.CancellationToken);
        afterEpoch1["backbone.0.0.weight"].eq(first["backbone.0.0.weight"]).all().item<bool>().Should().BeTrue("frozen in epoch 1");
        afterEpoch1["classifier.high_classifier.weight"].eq(first["classifier.high_classifier.weight"]).all().item<bool>().Should().BeFalse();
        model.named_parameters().First(p => p.name == "backbone.0.0.weight").parameter.eq(afterEpoch1["backbone.0.0.weight"])
            .all().item<bool>().Should().BeFalse("trained from epoch 2");
    }

    [Fact]
    public void BFloat16TrainsWithFloat32MastersAndWritesFloat32Checkpoints()
    {
        using var scope = NewDisposeScope();
        using var data = Data();
        using var dir = new TempDir();
        manual_seed(1);
        var model = TorchvisionModels.LRAspp(3);
        var result = new Trainer(model, new TrainingOptions { Epochs = 2, LearningRate = 0.05, Precision = Precision.BFloat16, OutputDirectory = dir.Path, TensorBoard = false })
            .Fit(Loader(data), cancellationToken: TestContext.Current.CancellationToken);
        result.History.Should().OnlyContain(h => double.IsFinite(h.Loss));
        model.named_parameters().Where(p => p.name.EndsWith("0.weight", StringComparison.Ordinal) && p.name.Contains("backbone.0.0"))
            .Should().OnlyContain(p => p.parameter.dtype == ScalarType.BFloat16, "convolutions run in bfloat16");
        model.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.BatchNorm2d>()
            .SelectMany(m => m.parameters()).Should().OnlyContain(p => p.dtype == ScalarType.Float32, "BatchNorm stays float32");
        var saved = SegNets.Checkpoints.SafeTensors.List(Path.Combine(result.LastCheckpoint!, TrainingCheckpoint.ModelFile));
        saved.Where(t => t.Name.EndsWith("weight", StringComparison.Ordinal)).Should().OnlyContain(t => t.DType == ScalarType.Float32);
    }

    [Fact]
    public void ABFloat16RunResumesFromItsFloat32Checkpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scope = NewDisposeScope();
        using var data = Data();
        using var dir = new TempDir();
        var options = new TrainingOptions { Epochs = 2, LearningRate = 0.05, Precision = Precision.BFloat16, OutputDirectory = dir.Path, TensorBoard = false, Resume = true };
        manual_seed(1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var first = () => new Trainer(TorchvisionModels.LRAspp(3), options).Fit(Loader(data),
            progress: new Inline<TrainingProgress>(p => { if (p.Phase == "done") stop.Cancel(); }), cancellationToken: stop.Token);
        first.Should().Throw<OperationCanceledException>();
        var saved = SegNets.Checkpoints.SafeTensors.Load(Path.Combine(dir.Path, "epoch-0001", TrainingCheckpoint.ModelFile)).Tensors;

        manual_seed(42);
        var model = TorchvisionModels.LRAspp(3);
        var fresh = model.named_parameters().First(p => p.name == "classifier.high_classifier.weight").parameter.detach().clone();
        var resumedWeights = new Dictionary<string, Tensor>();
        var result = new Trainer(model, options).Fit(Loader(data), progress: new Inline<TrainingProgress>(p =>
        {
            if (p.Phase == "train" && p.Batch == 1)
                foreach (var (name, t) in model.named_parameters()) resumedWeights[name] = t.detach().to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        }), cancellationToken: ct);
        result.ResumedFromEpoch.Should().Be(1);
        result.History.Should().HaveCount(2).And.OnlyContain(h => double.IsFinite(h.Loss));
        // One step after the resume the weights are near the checkpoint's, not near the fresh model's.
        var checkpoint = saved["classifier.high_classifier.weight"];
        var toCheckpoint = (resumedWeights["classifier.high_classifier.weight"] - checkpoint).abs().mean().item<float>();
        var freshToCheckpoint = (fresh - checkpoint).abs().mean().item<float>();
        toCheckpoint.Should().BeLessThan(freshToCheckpoint / 4);
    }

    [Fact]
    public void BadOptionsAreRefusedByName()
    {
        var act = () => new TrainingOptions { Epochs = 0 }.Validate();
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Epochs");
        var resume = () => new TrainingOptions { Resume = true }.Validate();
        resume.Should().Throw<ArgumentException>().WithMessage("*OutputDirectory*");
        var ohem = () => new TrainingOptions { Ohem = new OhemOptions(1.5) }.Validate();
        ohem.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*OHEM*");
    }
}
