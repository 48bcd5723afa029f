using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.Torchvision;

/// <summary>torchvision (pytorch/vision): its segmentation models (FCN, DeepLabV3, LR-ASPP); .pth files whose keys are
/// SegNets' own, so they load with the identity table.</summary>
public sealed class TorchvisionSource : ModelSource
{
    TorchvisionSource() : base("torchvision", "torchvision",
        "pytorch/vision v0.14.1 (torchvision/models/segmentation; the weights' meta tables)")
    {
    }

    public static TorchvisionSource Instance { get; } = new();

    protected override IEnumerable<ZooEntry> BuildEntries() => TorchvisionZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => TorchvisionRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [CheckpointConverter.Identity];
}
