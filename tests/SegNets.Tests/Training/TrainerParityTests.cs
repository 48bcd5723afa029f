using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Training;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>
/// The Trainer's iterations against PyTorch's own SGD (and AdamW) on the same model, weights and batches
/// (tools/reference/training_steps.py, Debian's torch 1.13): two parameter groups with the head at 10x, momentum,
/// weight decay, the poly schedule per iteration, cross-entropy with ignore 255, BatchNorm in train mode.
/// </summary>
public class TrainerParityTests(ITestOutputHelper output)
{
    [Fact]
    public void SixIterationsEndWithPyTorchsWeights() => SixIterations("sgd", new TrainingOptions { Epochs = 2, LearningRate = 0.01, HeadLearningRateMultiplier = 10 });

    [Fact]
    public void SixAdamWIterationsHavePyTorchsLosses() => SixIterations("adamw", new TrainingOptions
    {
        Epochs = 2, LearningRate = 1e-3, HeadLearningRateMultiplier = 10, Optimizer = OptimizerKind.AdamW, Momentum = 0.9, AdamBeta2 = 0.999, WeightDecay = 0.01,
    });

    void SixIterations(string kind, TrainingOptions options)
    {
        var dir = kind == "sgd" ? PythonReference.Run("training_steps.py") : PythonReference.Run("training_steps.py", kind);
        using var scope = NewDisposeScope();
        var data = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "data.pth"));
        var model = TorchvisionModels.LRAspp(4);
        StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "initial.pth")), source: "initial.pth");
        using var dataset = Dataset(data["images"], data["masks"]);
        var loader = new SegmentationLoader(dataset, options: new SegmentationLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 0 });

        var losses = new List<double>();
        var lrs = new List<double>();
        var trainer = new Trainer(model, options);
        trainer.Fit(loader, progress: new Inline<TrainingProgress>(p =>
        {
            if (p.Phase == "train") { losses.Add(p.Loss); lrs.Add(p.LearningRate); }
        }), cancellationToken: TestContext.Current.CancellationToken);

        lrs.Should().Equal(data["lrs"].data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-15);
        var expectedLosses = data["losses"].data<double>().ToArray();
        for (var i = 0; i < losses.Count; i++) losses[i].Should().BeApproximately(expectedLosses[i], 1e-5, $"loss of iteration {i + 1}");
        var final = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "final.pth"));
        double worst = 0;
        // AdamW is compared through the six losses only: Adam divides by each entry's running gradient magnitude, and in
        // this network most entries have a float-noise-level gradient (~1e-8) at some step, where the step's sign is noise
        // in any two implementations (tried: masking such entries leaves too few to compare).
        if (kind == "sgd")
            foreach (var (key, value) in model.state_dict())
            {
                if (value.dtype == ScalarType.Int64) { value.item<long>().Should().Be(final[key].item<long>(), key); continue; }
                worst = Math.Max(worst, Parity.AssertClose(value, final[key], key));
            }
        var moved = (model.state_dict()["classifier.high_classifier.weight"] - PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "initial.pth"))["classifier.high_classifier.weight"]).abs().max().item<float>();
        moved.Should().BeGreaterThan(1e-3f, "the test must see the head move");
        output.WriteLine(kind == "sgd"
            ? $"sgd: max abs diff over {model.state_dict().Count} tensors after 6 iterations: {worst:E2}"
            : $"{kind}: losses within 1e-5 over 6 iterations: {string.Join(", ", losses.Select(l => l.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    internal static TensorSegmentationDataset Dataset(Tensor images, Tensor masks)
    {
        var samples = Enumerable.Range(0, (int)images.shape[0])
            .Select(i => new SegmentationSample($"s{i}", images[i], masks[i])).ToList();
        return new TensorSegmentationDataset(Datasets.Voc, samples);
    }
}

/// <summary>An IProgress that runs on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
sealed class Inline<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
