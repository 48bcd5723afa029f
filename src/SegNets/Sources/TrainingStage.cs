using System.Collections.ObjectModel;
using System.Globalization;
using SegNets.Training;

namespace SegNets.Sources;

/// <summary>
/// One training run of a <see cref="TrainingRecipe"/>: data, optimiser, schedule, augmentation and initialisation, as the
/// original ran it. Every number carries a <see cref="RecipeSource"/> in <see cref="Sources"/> (keyed by property name)
/// that says whether it was read in the original or assumed.
/// </summary>
public sealed record TrainingStage
{
    /// <summary>The properties whose value must carry a <see cref="RecipeSource"/> whenever they are set.</summary>
    public static IReadOnlyList<string> SourcedFields { get; } = Array.AsReadOnly(new[]
    {
        nameof(TrainSplit), nameof(Optimizer), nameof(LearningRate), nameof(Momentum), nameof(AdamBeta2), nameof(WeightDecay),
        nameof(Epochs), nameof(Iterations), nameof(BatchSize), nameof(Gpus), nameof(LrSchedule), nameof(PolyPower),
        nameof(StepMilestones), nameof(StepGamma), nameof(WarmupEpochs), nameof(HeadLrMultiplier), nameof(AuxWeight),
        nameof(AuxLrMultiplier), nameof(BaseSize), nameof(ResizeHeight), nameof(ResizeWidth), nameof(CropHeight),
        nameof(CropWidth), nameof(ScaleMin), nameof(ScaleMax), nameof(ScaleStep), nameof(FlipProbability),
        nameof(RotationDegrees), nameof(GaussianBlurProbability), nameof(ClassWeights), nameof(InitFrom),
    });

    /// <summary>Short name of the run: the dataset it trains on ("coco", "pascal_aug", "voc", ...) or "qat".</summary>
    public required string Name { get; init; }

    /// <summary>The label set, as <see cref="Data.Datasets.Get"/> accepts it ("voc", "coco-voc", "ade20k", ...).</summary>
    public required string Dataset { get; init; }

    /// <summary>The images and annotations read (e.g. "SBD (GluonCV VOCaug)", "COCO 2017"), which can differ from the label
    /// set's own images.</summary>
    public required string ImageSet { get; init; }

    /// <summary>The split trained on, in the SegNets reader's terms ("train", "trainval", "train_aug", ...).</summary>
    public required string TrainSplit { get; init; }

    /// <summary>The split the original validated on during training, if any.</summary>
    public string? ValSplit { get; init; }

    /// <summary>SGD (with momentum), Adam (L2 weight decay) or AdamW (decoupled weight decay).</summary>
    public required OptimizerKind Optimizer { get; init; }

    /// <summary>Base learning rate (the backbone's, after warmup).</summary>
    public required double LearningRate { get; init; }

    /// <summary>SGD momentum, or Adam's beta1.</summary>
    public double? Momentum { get; init; }

    /// <summary>Adam's (AdamW's) beta2; null for SGD.</summary>
    public double? AdamBeta2 { get; init; }

    public required double WeightDecay { get; init; }

    /// <summary>False where the original exempts normalisation scales and shifts from weight decay.</summary>
    public bool WeightDecayOnNormParameters { get; init; } = true;

    /// <summary>Length in epochs; exactly one of <see cref="Epochs"/> and <see cref="Iterations"/> is set, as the
    /// original counts it.</summary>
    public int? Epochs { get; init; }

    /// <summary>Length in iterations (optimizer steps).</summary>
    public int? Iterations { get; init; }

    /// <summary>Images per optimizer step over all GPUs.</summary>
    public required int BatchSize { get; init; }

    /// <summary>GPUs the original used, where it says.</summary>
    public int? Gpus { get; init; }

    /// <summary>Poly (lr x (1 - t/T)^<see cref="PolyPower"/>), cosine, step or constant.</summary>
    public required ScheduleKind LrSchedule { get; init; }

    public double? PolyPower { get; init; }

    /// <summary>Epochs (or iterations, as the stage counts) at which a step schedule multiplies the rate by
    /// <see cref="StepGamma"/>.</summary>
    public IReadOnlyList<int>? StepMilestones { get; init; }

    public double? StepGamma { get; init; }

    /// <summary>Epochs of linear warmup before the schedule.</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>The fraction of the learning rate the warmup starts from.</summary>
    public double? WarmupStartFactor { get; init; }

    /// <summary>Learning-rate factor of the decoder head relative to the backbone (1 = none).</summary>
    public double HeadLrMultiplier { get; init; } = 1;

    /// <summary>Whether the auxiliary head's loss is trained.</summary>
    public bool AuxLoss { get; init; }

    /// <summary>Weight of the auxiliary loss; set exactly when <see cref="AuxLoss"/> is.</summary>
    public double? AuxWeight { get; init; }

    /// <summary>Learning-rate factor of the auxiliary head relative to the backbone; set exactly when
    /// <see cref="AuxLoss"/> is.</summary>
    public double? AuxLrMultiplier { get; init; }

    /// <summary>Online hard example mining.</summary>
    public bool Ohem { get; init; }

    /// <summary>The size random scaling is relative to (GluonCV: long side; torchvision: short side).</summary>
    public int? BaseSize { get; init; }

    /// <summary>The fixed size images are resized to before random scaling (TI img_resize, TF min/max resize).</summary>
    public int? ResizeHeight { get; init; }

    public int? ResizeWidth { get; init; }

    /// <summary>Training crop (network input) height.</summary>
    public required int CropHeight { get; init; }

    public required int CropWidth { get; init; }

    /// <summary>What <see cref="ScaleMin"/>..<see cref="ScaleMax"/> scale.</summary>
    public required ScaleMode ScaleMode { get; init; }

    public double ScaleMin { get; init; } = 1;

    public double ScaleMax { get; init; } = 1;

    /// <summary>Scales drawn on a grid with this step (TF DeepLab); null = continuous.</summary>
    public double? ScaleStep { get; init; }

    /// <summary>Probability that random scaling is applied at all (TI applies it to half the samples).</summary>
    public double ScaleProbability { get; init; } = 1;

    public required double FlipProbability { get; init; }

    /// <summary>Random rotation in [-d, d] degrees (0 = none).</summary>
    public double RotationDegrees { get; init; }

    public double GaussianBlurProbability { get; init; }

    /// <summary>The per-class loss weighting, in words; null = all classes weigh the same.</summary>
    public string? ClassWeights { get; init; }

    /// <summary>Batch statistics synchronised across GPUs.</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>What the weights start from: an ImageNet backbone, another zoo model, or the previous stage.</summary>
    public required string InitFrom { get; init; }

    /// <summary>The zoo entry this stage fine-tunes, when it starts from one (e.g. "fcn_resnet101_coco").</summary>
    public string? InitFromZoo { get; init; }

    /// <summary>8-bit quantisation-aware training (which SegNets does not implement).</summary>
    public bool QuantizationAware { get; init; }

    /// <summary>Where each number comes from, keyed by property name (see <see cref="SourcedFields"/>).</summary>
    public IReadOnlyDictionary<string, RecipeSource> Sources { get; init; } = ReadOnlyDictionary<string, RecipeSource>.Empty;

    /// <summary>Images per GPU per step, where the GPU count is known.</summary>
    public int? BatchPerGpu => Gpus is int g && g > 0 ? BatchSize / g : null;

    /// <summary>The properties whose value was assumed rather than read in the original.</summary>
    public IEnumerable<string> AssumedFields => Sources.Where(s => s.Value.IsAssumed).Select(s => s.Key);

    /// <summary>A copy whose <paramref name="fields"/> are recorded as coming from <paramref name="reference"/>.</summary>
    /// <exception cref="ArgumentException">A name that is not one of <see cref="SourcedFields"/>.</exception>
    public TrainingStage WithSource(RecipeEvidence evidence, string reference, params string[] fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var sources = new Dictionary<string, RecipeSource>(Sources, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (!SourcedFields.Contains(field))
                throw new ArgumentException($"'{field}' is not a sourced field of TrainingStage ({string.Join(", ", SourcedFields)})", nameof(fields));
            sources[field] = new RecipeSource(evidence, reference);
        }
        return this with { Sources = sources.AsReadOnly() };
    }

    /// <summary>The value of a sourced field, or null when it is unset.</summary>
    public object? ValueOf(string field) => field switch
    {
        nameof(TrainSplit) => TrainSplit,
        nameof(Optimizer) => Optimizer,
        nameof(LearningRate) => LearningRate,
        nameof(Momentum) => Momentum,
        nameof(AdamBeta2) => AdamBeta2,
        nameof(WeightDecay) => WeightDecay,
        nameof(Epochs) => Epochs,
        nameof(Iterations) => Iterations,
        nameof(BatchSize) => BatchSize,
        nameof(Gpus) => Gpus,
        nameof(LrSchedule) => LrSchedule,
        nameof(PolyPower) => PolyPower,
        nameof(StepMilestones) => StepMilestones,
        nameof(StepGamma) => StepGamma,
        nameof(WarmupEpochs) => WarmupEpochs,
        nameof(HeadLrMultiplier) => HeadLrMultiplier,
        nameof(AuxWeight) => AuxWeight,
        nameof(AuxLrMultiplier) => AuxLrMultiplier,
        nameof(BaseSize) => BaseSize,
        nameof(ResizeHeight) => ResizeHeight,
        nameof(ResizeWidth) => ResizeWidth,
        nameof(CropHeight) => CropHeight,
        nameof(CropWidth) => CropWidth,
        nameof(ScaleMin) => ScaleMin,
        nameof(ScaleMax) => ScaleMax,
        nameof(ScaleStep) => ScaleStep,
        nameof(FlipProbability) => FlipProbability,
        nameof(RotationDegrees) => RotationDegrees,
        nameof(GaussianBlurProbability) => GaussianBlurProbability,
        nameof(ClassWeights) => ClassWeights,
        nameof(InitFrom) => InitFrom,
        _ => throw new ArgumentException($"'{field}' is not a sourced field of TrainingStage", nameof(field)),
    };

    /// <summary>The inconsistencies of this stage (empty when it is usable): one of epochs/iterations, positive
    /// sizes, a schedule's parameters, the auxiliary settings, and a source for every set number.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Epochs.HasValue == Iterations.HasValue) problems.Add("exactly one of Epochs and Iterations must be set");
        if (Epochs is <= 0 || Iterations is <= 0) problems.Add("the length must be positive");
        if (BatchSize <= 0 || Gpus is <= 0) problems.Add("BatchSize and Gpus must be positive");
        if (Gpus is int g && g > 0 && BatchSize % g != 0) problems.Add($"BatchSize {BatchSize} does not split over {g} GPUs");
        if (CropHeight <= 0 || CropWidth <= 0 || BaseSize is <= 0 || ResizeHeight is <= 0 || ResizeWidth is <= 0)
            problems.Add("sizes must be positive");
        if (!(LearningRate > 0) || WeightDecay < 0) problems.Add("LearningRate must be > 0 and WeightDecay >= 0");
        if (!Enum.IsDefined(Optimizer)) problems.Add($"unknown optimizer {Optimizer}");
        if (Optimizer is OptimizerKind.Adam or OptimizerKind.AdamW && AdamBeta2 is null) problems.Add($"{Optimizer} needs AdamBeta2");
        if (!Enum.IsDefined(LrSchedule)) problems.Add($"unknown LrSchedule {LrSchedule}");
        if (LrSchedule == ScheduleKind.Poly && PolyPower is not > 0) problems.Add("poly needs PolyPower > 0");
        if (LrSchedule == ScheduleKind.Step && (StepMilestones is not { Count: > 0 } || StepGamma is null)) problems.Add("step needs milestones and a gamma");
        if (AuxLoss != AuxWeight.HasValue || AuxLoss != AuxLrMultiplier.HasValue)
            problems.Add("AuxWeight and AuxLrMultiplier are set exactly when AuxLoss is");
        if (ScaleMin <= 0 || ScaleMax < ScaleMin) problems.Add("scale range must be 0 < min <= max");
        if (!Enum.IsDefined(ScaleMode)) problems.Add($"unknown ScaleMode {ScaleMode}");
        if (ScaleMode is ScaleMode.LongSide or ScaleMode.ShortSide && BaseSize is null) problems.Add($"{ScaleMode} scaling needs BaseSize");
        if (ScaleMode == ScaleMode.Resize && (ResizeHeight is null || ResizeWidth is null)) problems.Add("resize scaling needs ResizeHeight/Width");
        foreach (var p in new[] { FlipProbability, ScaleProbability, GaussianBlurProbability })
            if (p is < 0 or > 1) problems.Add($"probability {p.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]");
        foreach (var field in SourcedFields)
            if (ValueOf(field) is not null && !Sources.ContainsKey(field)) problems.Add($"{field} has no source");
        foreach (var field in Sources.Keys)
            if (ValueOf(field) is null) problems.Add($"{field} has a source but no value");
        return problems;
    }
}
