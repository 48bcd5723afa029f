using SegNets.Checkpoints;
using SegNets.Data.Transforms;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources.SegFormer;
using SegNets.Sources;
using SegNets.Training;

namespace SegNets.Zoo;

/// <summary>
/// Turns a <see cref="TrainingStage"/> into what the Trainer runs: the dataset reader for its label set and image set,
/// the training augmentation it describes, and <see cref="TrainingOptions"/>. samples/train.cs is this plus a command
/// line. What SegNets cannot reproduce yet is listed by <see cref="Unsupported"/> rather than silently dropped.
/// </summary>
public static class RecipeRunner
{
    /// <summary>The stage named <paramref name="stage"/> ("coco", "voc", ... or its 1-based index), or the last
    /// stage SegNets can train (not quantisation-aware) when null; a recipe of QAT stages only gives its last, which
    /// trains in float (<see cref="Unsupported"/> says so).</summary>
    public static TrainingStage Stage(TrainingRecipe recipe, string? stage = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (stage is null) return recipe.Stages.LastOrDefault(s => !s.QuantizationAware) ?? recipe.Stages[^1];
        if (int.TryParse(stage, out var index) && index >= 1 && index <= recipe.Stages.Count) return recipe.Stages[index - 1];
        return recipe.Stages.FirstOrDefault(s => string.Equals(s.Name, stage, StringComparison.OrdinalIgnoreCase))
               ?? throw new ArgumentException($"{recipe.ZooName} has no stage '{stage}'; its stages: {string.Join(", ", recipe.Stages.Select((s, i) => $"{i + 1} {s.Name}"))}", nameof(stage));
    }

    /// <summary>What the stage asks for that SegNets does not do (the run goes on without it).</summary>
    public static IReadOnlyList<string> Unsupported(TrainingStage stage)
    {
        var missing = new List<string>();
        if (stage.QuantizationAware) missing.Add("quantisation-aware training (QAT)");
        if (stage.RotationDegrees > 0) missing.Add($"random rotation ±{stage.RotationDegrees}°");
        if (stage.SyncBatchNorm) missing.Add("synchronised BatchNorm across GPUs (one process trains here)");
        if (stage.ClassWeights is not null) missing.Add($"class weights ({stage.ClassWeights}): pass TrainingOptions.ClassWeights computed on your data");
        if (!stage.WeightDecayOnNormParameters) missing.Add("no weight decay on normalisation parameters");
        return missing;
    }

    /// <summary>The reader of the stage's training (or validation) split under <paramref name="root"/>, in that
    /// dataset's official layout.</summary>
    public static ISegmentationDataset OpenDataset(TrainingStage stage, string root, bool validation = false, DatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var split = validation ? stage.ValSplit ?? "val" : NormalizeSplit(stage.TrainSplit);
        return DatasetReaders.For(stage.Dataset, stage.ImageSet, validation).Open(root, split, options);
    }

    // "train (train_fine)" -> "train"; NVIDIA's cross-validation folds are not a Cityscapes split: train on train.
    static string NormalizeSplit(string split) =>
        split.StartsWith("cv ", StringComparison.Ordinal) ? "train" : split.Split(' ')[0];

    /// <summary>The stage's training augmentation, ending with the model's normalisation.</summary>
    /// <param name="cropOverride">A smaller (square) crop for smoke runs; null = the stage's.</param>
    public static IJointTransform TrainTransform(TrainingStage stage, InputNormalization normalization, int? cropOverride = null)
    {
        ArgumentNullException.ThrowIfNull(stage);
        int ch = cropOverride ?? stage.CropHeight, cw = cropOverride ?? stage.CropWidth;
        double shrink = cropOverride is int c ? (double)c / Math.Max(stage.CropHeight, stage.CropWidth) : 1;
        int Scaled(int size) => Math.Max(1, (int)Math.Round(size * shrink));
        var steps = new List<IJointTransform>();
        switch (stage.ScaleMode)
        {
            case ScaleMode.LongSide:
                // GluonCV's _sync_transform: long side in [0.5, 2] x base, pad, crop, flip, optional blur.
                steps.Add(new RandomScaleCropFlip(Scaled(stage.BaseSize ?? Math.Max(stage.CropHeight, stage.CropWidth)), Math.Min(ch, cw),
                    blur: stage.GaussianBlurProbability > 0, maskFill: SegmentationSample.IgnoreIndex));
                break;
            case ScaleMode.ShortSide:
                // torchvision's SegmentationPresetTrain: short side in [0.5, 2] x base, flip, pad, crop.
                var b = Scaled(stage.BaseSize ?? Math.Min(stage.CropHeight, stage.CropWidth));
                steps.Add(new RandomResize((int)(stage.ScaleMin * b), (int)(stage.ScaleMax * b)));
                if (stage.FlipProbability > 0) steps.Add(new HorizontalFlip(stage.FlipProbability));
                steps.Add(new RandomCrop(ch, cw));
                break;
            case ScaleMode.Image:
            case ScaleMode.Resize:
                if (stage.ScaleMode == ScaleMode.Resize && stage.ResizeHeight is int rh && stage.ResizeWidth is int rw)
                    steps.Add(new Resize(Scaled(rh), Scaled(rw)));
                if (stage.ScaleMax > stage.ScaleMin || stage.ScaleMin != 1)
                    steps.Add(new RandomScale(stage.ScaleMin, stage.ScaleMax, stage.ScaleStep, stage.ScaleProbability));
                steps.Add(new RandomCrop(ch, cw));
                if (stage.FlipProbability > 0) steps.Add(new HorizontalFlip(stage.FlipProbability));
                break;
            case ScaleMode.None:
                if (cropOverride is not null) steps.Add(new RandomCrop(ch, cw));
                if (stage.FlipProbability > 0) steps.Add(new HorizontalFlip(stage.FlipProbability));
                break;
            default:
                throw new NotSupportedException($"stage {stage.Name}: unknown scale mode '{stage.ScaleMode}'");
        }
        steps.Add(new Normalize(normalization));
        return new Compose(steps);
    }

    /// <summary>The Trainer's options for the stage; <paramref name="iterations"/> shortens the run (smoke tests, a
    /// first try on a small GPU), keeping everything else.</summary>
    public static TrainingOptions Options(TrainingStage stage, string? outputDirectory = null, long? iterations = null, int? iterationsPerEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var perEpoch = Math.Max(1, iterationsPerEpoch ?? 1);
        return new TrainingOptions
        {
            Epochs = stage.Epochs ?? (int)Math.Max(1, (stage.Iterations!.Value + perEpoch - 1) / perEpoch),
            Iterations = iterations ?? stage.Iterations,
            Optimizer = stage.Optimizer,
            LearningRate = stage.LearningRate,
            Momentum = stage.Momentum ?? 0.9,
            AdamBeta2 = stage.AdamBeta2 ?? 0.999,
            WeightDecay = stage.WeightDecay,
            Schedule = stage.LrSchedule,
            PolyPower = stage.PolyPower ?? 0.9,
            StepMilestoneEpochs = stage.StepMilestones?.ToArray(),
            StepGamma = stage.StepGamma ?? 0.1,
            WarmupIterations = (int)Math.Round(stage.WarmupEpochs * perEpoch),
            WarmupFactor = stage.WarmupStartFactor ?? 0.1,
            HeadLearningRateMultiplier = stage.HeadLrMultiplier,
            AuxLearningRateMultiplier = stage.AuxLrMultiplier,
            UseAuxLoss = stage.AuxLoss,
            AuxWeight = stage.AuxWeight ?? 0,
            Ohem = stage.Ohem ? new OhemOptions() : null,
            OutputDirectory = outputDirectory,
        };
    }

    /// <summary>
    /// Trains one stage of a recipe: builds the zoo architecture (optionally from <see cref="RecipeRun.InitWeights"/>),
    /// reads the stage's dataset from <see cref="RecipeRun.DataRoot"/>, applies its augmentation and runs the Trainer
    /// with its options. Returns the trained model with the result; <paramref name="log"/> receives what is set up and
    /// what the stage asks for that SegNets does not do.
    /// </summary>
    public static (SegmentationModel Model, TrainingResult Result) Train(RecipeRun run, Action<string>? log = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var recipe = TrainingRecipes.Get(run.Recipe);
        var stage = Stage(recipe, run.Stage);
        log?.Invoke($"{recipe.ZooName}: stage '{stage.Name}' on {stage.ImageSet} ({stage.TrainSplit}), from {stage.InitFrom}");
        foreach (var missing in Unsupported(stage)) log?.Invoke($"  not reproduced: {missing}");

        var model = ModelZoo.Get(recipe.ZooName);
        if (run.InitWeights is not null)
        {
            var report = CheckpointFile.LoadInto(model, run.InitWeights, strict: false);
            log?.Invoke($"  init from {run.InitWeights}: {report}");
        }
        var dataset = OpenDataset(stage, run.DataRoot);
        var batch = run.BatchSize ?? stage.BatchSize;
        var loader = new SegmentationLoader(dataset, TrainTransform(stage, model.Normalization, run.Crop),
            new SegmentationLoaderOptions { BatchSize = batch, Shuffle = true, DropLast = dataset.Count >= batch, Seed = run.Seed, Workers = run.Workers });
        var options = Options(stage, run.OutputDirectory, run.Iterations, loader.BatchCount) with
        {
            LearningRate = run.LearningRate ?? stage.LearningRate,
            GradientClipNorm = run.GradientClipNorm,
            Device = run.Device, Precision = run.Precision, Resume = run.Resume && run.OutputDirectory is not null, Seed = run.Seed,
            // SegFormer keeps Hugging Face's names: its encoder is not under "backbone.".
            BackbonePrefix = model is SegFormer ? SegFormer.EncoderPrefix : "backbone.",
        };
        log?.Invoke($"  {dataset.Count} images, batch {batch}, {loader.BatchCount} iterations per epoch, " +
                    $"{options.Optimizer} lr {options.LearningRate} ({options.Schedule}), " +
                    (options.Iterations is long it ? $"{it} iterations" : $"{options.Epochs} epochs"));
        var result = new Trainer(model, options).Fit(loader, progress: progress, cancellationToken: cancellationToken);
        return (model, result);
    }
}
