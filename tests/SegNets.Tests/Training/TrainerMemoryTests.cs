using FluentAssertions;
using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>
/// Fit frees everything it makes: per iteration (batches, activations, gradients' wrappers), per epoch (the checkpoint's
/// weight copies) and per run (the optimizer's momentum buffers, the loss's class weights). Counted with TorchSharp's
/// live-tensor count of this thread, which the loader shares with 0 workers; RSS alone cannot show a forgotten tensor
/// because TorchSharp's finalizer frees it at some later full GC (the soaks in benchmarks/ measure RSS).
/// </summary>
public class TrainerMemoryTests
{
    static TensorSegmentationDataset NewData()
    {
        var g = new Generator(7);
        var images = randint(0, 256, [6, 3, 32, 40], dtype: ScalarType.Byte, generator: g).DetachFromDisposeScope();
        var masks = randint(0, 3, [6, 32, 40], dtype: ScalarType.Int64, generator: g).DetachFromDisposeScope();
        return TrainerParityTests.Dataset(images, masks);
    }

    static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FitLeavesNoTensorBehind(bool checkpoints)
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = NewData();
        manual_seed(1);
        using var model = TorchvisionModels.DeepLabV3("mobilenet_v3_large", 3);
        using var dir = new TempDir();
        var loader = new SegmentationLoader(data, new HorizontalFlip(),
            new SegmentationLoaderOptions { BatchSize = 2, Shuffle = true, Seed = 3, Workers = 0 });
        var options = new TrainingOptions
        {
            Epochs = 2, LearningRate = 0.01, ClassWeights = [1f, 2f, 0.5f], TensorBoard = checkpoints,
            OutputDirectory = checkpoints ? dir.Path : null,
        };
        var iterations = 0;
        long? afterSecond = null, afterLast = null;
        long before = Live;
        new Trainer(model, options).Fit(loader, progress: new Inline<TrainingProgress>(p =>
        {
            if (p.Phase != "train") return;
            iterations++;
            // Measured inside the iteration's dispose scope, so at the same point of two iterations; from the second
            // on, since the first has no gradients to zero yet (zero_grad's wrappers live in the scope until its end).
            if (p.Epoch == 0 && p.Batch == 2) afterSecond = Live;
            if (p.Epoch == 1 && p.Batch == p.Batches) afterLast = Live;
        }), cancellationToken: ct);

        iterations.Should().Be(6);
        afterLast.Should().Be(afterSecond, "an iteration, and an epoch with its checkpoint, must not leave tensors behind");
        Live.Should().Be(before, "Fit must free its optimizer state and everything else it made");
    }
}
