using TorchSharp;

namespace SegNets.Training;

/// <summary>
/// How <see cref="Trainer"/> trains. The defaults are GluonCV's scripts/segmentation/train.py ones (gluon-cv@5677756:
/// SGD, momentum 0.9, weight decay 1e-4, poly schedule with power 0.9, auxiliary loss weight 0.5, head at 10x the
/// learning rate); the per-model numbers of the original tables are in <c>TrainingRecipes</c>.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training loader.</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>Length in iterations instead (ChainerCV counts iterations): the run stops after this many, mid-epoch
    /// if need be, and <see cref="Epochs"/> is ignored.</summary>
    public long? Iterations { get; init; }

    /// <summary>SGD with momentum (GluonCV, torchvision, ChainerCV) or Adam (TI's Cityscapes MobileNetV2 runs).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Adam's beta2 (beta1 is <see cref="Momentum"/>).</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    public ScheduleKind Schedule { get; init; } = ScheduleKind.Poly;

    /// <summary>Epochs at which a <see cref="ScheduleKind.Step"/> schedule multiplies the rate by <see cref="StepGamma"/>.</summary>
    public int[]? StepMilestoneEpochs { get; init; }

    public double StepGamma { get; init; } = 0.1;

    /// <summary>Learning-rate factor of the auxiliary head; null = <see cref="HeadLearningRateMultiplier"/>. torchvision's
    /// reference trains the main classifier at the base rate and only the aux classifier at 10x.</summary>
    public double? AuxLearningRateMultiplier { get; init; }

    /// <summary>The backbone's learning rate at iteration 0 (after warmup).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning-rate factor of everything that is not under <see cref="BackbonePrefix"/> (the heads). GluonCV
    /// sets lr_mult 10 on its head and auxlayer; torchvision's reference puts only the aux classifier at 10x.</summary>
    public double HeadLearningRateMultiplier { get; init; } = 10;

    /// <summary>Parameters whose name starts with this are the backbone (all SegNets models register it so).</summary>
    public string BackbonePrefix { get; init; } = "backbone.";

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Power of the poly schedule: lr = base * (1 - t / T) ^ power over all iterations T (GluonCV LRScheduler mode 'poly').</summary>
    public double PolyPower { get; init; } = 0.9;

    /// <summary>Iterations of linear warmup from <see cref="WarmupFactor"/> x lr to lr before the poly decay.</summary>
    public int WarmupIterations { get; init; }

    public double WarmupFactor { get; init; } = 0.1;

    /// <summary>Weight of the auxiliary head's loss when the model has one (GluonCV --aux-weight 0.5).</summary>
    public double AuxWeight { get; init; } = 0.5;

    /// <summary>Train the auxiliary head (GluonCV --aux); false ignores its output.</summary>
    public bool UseAuxLoss { get; init; } = true;

    /// <summary>Online hard example mining; null trains on every labelled pixel.</summary>
    public OhemOptions? Ohem { get; init; }

    /// <summary>Per-class loss weights (length = classes), e.g. ChainerCV's SegNet class balancing; null = equal.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Label value that contributes no loss.</summary>
    public long IgnoreIndex { get; init; } = Data.SegmentationSample.IgnoreIndex;

    /// <summary>Clip the global gradient norm to this value; null = no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Keep the backbone's parameters fixed (fine-tuning a head on few images).</summary>
    public bool FreezeBackbone { get; init; }

    /// <summary>Keep the backbone fixed for the first this many epochs, then train it too (fine-tuning: let a freshly
    /// initialised classifier settle before the pretrained features move).</summary>
    public int FreezeBackboneEpochs { get; init; }

    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>Where to train; null = where the model's parameters are.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>Seed of torch's generator (dropout); the loader has its own seed.</summary>
    public long Seed { get; init; }

    /// <summary>Checkpoints, train.csv and TensorBoard events go here; null = nothing written.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Continue from the newest checkpoint in <see cref="OutputDirectory"/> when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>Epoch checkpoints kept (the best by validation score is kept as well).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Write TensorBoard event files under OutputDirectory/tensorboard.</summary>
    public bool TensorBoard { get; init; } = true;

    /// <summary>Validation score that selects the best checkpoint (a key of the validation callback's result).</summary>
    public string BestMetric { get; init; } = "mIoU";

    /// <summary>Throws when a value cannot train.</summary>
    public void Validate()
    {
        if (Iterations is < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "at least 1 iteration");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "at least 1 epoch");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be > 0");
        if (HeadLearningRateMultiplier < 0) throw new ArgumentOutOfRangeException(nameof(HeadLearningRateMultiplier), HeadLearningRateMultiplier, "must be >= 0");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "must be in [0, 1)");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be >= 0");
        if (WarmupIterations < 0) throw new ArgumentOutOfRangeException(nameof(WarmupIterations), WarmupIterations, "must be >= 0");
        if (AuxWeight < 0) throw new ArgumentOutOfRangeException(nameof(AuxWeight), AuxWeight, "must be >= 0");
        if (GradientClipNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "must be > 0");
        if (KeepCheckpoints < 1) throw new ArgumentOutOfRangeException(nameof(KeepCheckpoints), KeepCheckpoints, "keep at least 1");
        if (Resume && OutputDirectory is null) throw new ArgumentException("Resume needs an OutputDirectory to resume from.", nameof(Resume));
        Ohem?.Validate();
    }
}
