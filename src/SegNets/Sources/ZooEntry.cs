using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;

namespace SegNets.Sources;

/// <summary>
/// One model of a published table: how to build it, what it was trained on and with, what the original reports, where
/// its original weights are, how it was evaluated and how it was trained (as torchvision's weights value and its
/// recipe are one object).
/// </summary>
public sealed record ZooEntry
{
    /// <summary>The name as the original table writes it (fcn_resnet101_voc, deeplabv3_resnet50, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The family whose code SegNets reproduces for this row (its modules, converter and recipe); set by the
    /// source when it assembles its rows; null for entries an application registers itself.</summary>
    public ModelSource? Source { get; init; }

    /// <summary>The family whose published table lists the row, when it is not <see cref="Source"/>: TI edgeai lists
    /// TF DeepLab's MobileNetV2 and Hugging Face's SegFormer models, which those families' code builds.</summary>
    public ModelSource? ListedIn { get; init; }

    /// <summary>How the released weights were trained; null where SegNets has no recipe for the row.</summary>
    public TrainingRecipe? Recipe { get; init; }

    /// <summary>The method (FCN, PSPNet, DeepLabV3, ...).</summary>
    public required string Architecture { get; init; }

    public required string Backbone { get; init; }

    /// <summary>Training data of the released weights, as the table names it (VOC, ADE20K, COCO, Cityscapes, ...).</summary>
    public required string Dataset { get; init; }

    public required int NumClasses { get; init; }

    /// <summary>Class names, palette and ignore label of the output classes; null for instance-segmentation entries.</summary>
    public DatasetInfo? Labels { get; init; }

    /// <summary>The input normalisation the weights were trained with; the zoo sets it on the model it builds.</summary>
    public required InputNormalization Normalization { get; init; }

    public required EvaluationSetting Evaluation { get; init; }

    /// <summary>The numbers of the original table (empty where the table has none for this model).</summary>
    public required IReadOnlyList<ReportedMetric> Reported { get; init; }

    /// <summary>The original weights; null where the original publishes none (the entry still builds).</summary>
    public CheckpointSource? Checkpoint { get; init; }

    /// <summary>Learnable parameters of the original network (auxiliary head included where its weights have one).</summary>
    public long? ParameterCount { get; init; }

    /// <summary>Caveats: what is unverified or differs from the original.</summary>
    public string? Notes { get; init; }

    /// <summary>Builds the network with a given class count; null for entries another part of SegNets implements.</summary>
    public Func<int, SegmentationModel>? Builder { get; init; }

    /// <summary>Whether the zoo can build this entry.</summary>
    public bool CanBuild => Builder is not null;
}
