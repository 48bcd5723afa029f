using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Evaluation;
using SegNets.Training;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Soak;

/// <summary>
/// <c>train-soak [--iterations 2000] [--data samples/data/fashion-scenes] [--model lraspp] [--crop 64] [--batch 8]
/// [--workers 2] [--validate] [--output] [--every N] [--gc] [--trim] [--csv FILE]</c>: trains a small network on the
/// sample scenes' train split through the real <see cref="Trainer"/> (random crop + flip on loader workers, SGD,
/// poly schedule) for the given number of iterations and samples the process's memory every N iterations from the
/// progress callback. <c>--validate</c> evaluates the val split after every epoch; <c>--output</c> writes checkpoints,
/// train.csv and TensorBoard events into a temporary folder (deleted at the end), as a real run does.
/// </summary>
internal static class TrainSoak
{
    public static int Run(string[] args)
    {
        var o = new SoakOptions(args);
        var iterations = o.Long("iterations", 2000);
        var data = SoakOptions.FindFolder(o.String("data", "samples/data/fashion-scenes"));
        var modelName = o.String("model", "lraspp");
        var crop = (int)o.Long("crop", 64);
        var batchSize = (int)o.Long("batch", 8);
        var workers = (int)o.Long("workers", 2);
        var validate = o.Flag("validate");
        var output = o.Flag("output");
        o.RejectUnknown("train-soak");
        if (iterations < 1) throw new ArgumentException("--iterations must be at least 1");

        var train = new VocSegmentation(data, "train", labels: Datasets.FashionScenes);
        var val = validate ? new VocSegmentation(data, "val", labels: Datasets.FashionScenes) : null;
        var loader = new SegmentationLoader(train, new Compose(new RandomCrop(crop, crop), new HorizontalFlip()),
            new SegmentationLoaderOptions { BatchSize = batchSize, Shuffle = true, DropLast = true, Workers = workers, Seed = 1 });
        var batches = loader.BatchCount;
        var epochs = (int)((iterations + batches - 1) / batches);
        manual_seed(0);
        var (model, description) = SoakModels.Create(modelName, train.Labels.NumClasses);
        var temp = output ? Directory.CreateTempSubdirectory("segnets-train-soak-").FullName : null;
        var options = new TrainingOptions { Epochs = epochs, LearningRate = 0.01, OutputDirectory = temp, Seed = 2 };
        var evaluator = val is null ? null : new SegmentationEvaluator(model, EvaluationOptions.Plain);

        var recorder = new SoakRecorder(o, iterations, "iterations");
        recorder.Start($"train-soak: {iterations} iterations of {description} ({SoakModels.Parameters(model)})", [
            $"data: {data} train split, {train.Count} images; {crop}x{crop} random crops + flip, batch {batchSize}, {workers} loader workers, shuffled, drop last",
            $"trainer: SGD lr 0.01 momentum 0.9 wd 1e-4, poly schedule, {epochs} epochs x {batches} batches"
                + (epochs * (long)batches > iterations ? $" (stopped at iteration {iterations})" : ""),
            $"validation: {(val is null ? "none" : $"val split ({val.Count} images) after every epoch, plain forward")}; "
                + $"output: {(temp is null ? "none" : $"{temp} (checkpoints, train.csv, TensorBoard; deleted at the end)")}",
        ]);

        using var stop = new CancellationTokenSource();
        var trainer = new Trainer(model, options);
        try
        {
            trainer.Fit(loader,
                evaluator is null ? null : (epoch, ct) => new Dictionary<string, double> { ["mIoU"] = evaluator.Evaluate(val!, ct: ct).Metrics.MeanIou },
                new Inline<TrainingProgress>(p =>
                {
                    if (p.Phase != "train") return;
                    recorder.Step(p.Iteration);
                    if (p.Iteration >= iterations) stop.Cancel();
                }),
                stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped after the last asked-for iteration, in the middle of an epoch.
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
        return recorder.Finish() ? 0 : 1;
    }
}
