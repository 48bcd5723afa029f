using SegNets.Training;

namespace SegNets.Sources;

/// <summary>
/// How the weights of one zoo entry were trained, as data: the stages in order (for example
/// COCO model -> Pascal VOC augmented set -> VOC trainval fine-tune), each with its numbers and where each number comes
/// from. With the dataset and a GPU, running the stages reproduces the entry's reported number; what could not be read
/// in the original is marked <see cref="RecipeEvidence.Assumed"/> and explained in <see cref="Notes"/>.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>The <see cref="ZooEntry.Name"/> this recipe trains.</summary>
    public required string ZooName { get; init; }

    /// <summary>The family whose row this recipe trains; set by the source when it assembles its rows.</summary>
    public ModelSource? Source { get; init; }

    /// <summary>The code that produced the released weights (e.g. "GluonCV scripts/segmentation/train.py", "TensorFlow
    /// DeepLab research/deeplab/train.py").</summary>
    public required string TrainedWith { get; init; }

    /// <summary>True when the zoo's weights were converted from another framework's release rather than trained by the
    /// zoo itself; the stages are then the other framework's recipe.</summary>
    public bool WeightsConverted { get; init; }

    /// <summary>The training runs in order; each later stage starts from the one before.</summary>
    public required IReadOnlyList<TrainingStage> Stages { get; init; }

    /// <summary>What is unverified, what differs from a plain run, and what SegNets cannot do yet.</summary>
    public required string Notes { get; init; }

    /// <summary>The stage that produces the released weights.</summary>
    public TrainingStage Final => Stages[^1];

    /// <summary>What the first stage starts from (an ImageNet backbone, another zoo entry, or nothing).</summary>
    public string PretrainedFrom => Stages[0].InitFrom;

    /// <summary>The zoo entry the recipe fine-tunes, if it starts from one.</summary>
    public string? FineTuneOf => Stages.Select(s => s.InitFromZoo).FirstOrDefault(z => z is not null);

    /// <summary>The final stage's label set (a <see cref="Data.Datasets.Get"/> name).</summary>
    public string Dataset => Final.Dataset;

    public double LearningRate => Final.LearningRate;

    public int? Epochs => Final.Epochs;

    public int? Iterations => Final.Iterations;

    public int BatchSize => Final.BatchSize;

    public ScheduleKind LrSchedule => Final.LrSchedule;

    public int CropHeight => Final.CropHeight;

    public int CropWidth => Final.CropWidth;

    public bool AuxLoss => Final.AuxLoss;

    public double? AuxWeight => Final.AuxWeight;

    /// <summary>Every (stage, field) whose number is assumed, e.g. "voc.Epochs".</summary>
    public IEnumerable<string> AssumedFields => Stages.SelectMany(s => s.AssumedFields.Select(f => $"{s.Name}.{f}"));
}
