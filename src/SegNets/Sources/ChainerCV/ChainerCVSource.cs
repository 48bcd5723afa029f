using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.ChainerCV;

/// <summary>ChainerCV (chainer/chainercv): SegNetBasic, PSPNet on its DilatedResNet, and DeepLabV3+ Xception-65
/// converted from TF DeepLab; Chainer .npz weights.</summary>
public sealed class ChainerCVSource : ModelSource
{
    ChainerCVSource() : base("chainercv", "ChainerCV",
        "chainer/chainercv@7159616642e0be7c5b3ef380b848e16b7e99355b (Niitani et al. 2017, ChainerCV, ACM MM)")
    {
    }

    public static ChainerCVSource Instance { get; } = new();

    /// <summary>The rename table of ChainerCV's .npz files.</summary>
    public static CheckpointConverter Converter => Table.Value;

    static readonly Lazy<CheckpointConverter> Table = new(ChainerCVConverter.Create);

    protected override IEnumerable<ZooEntry> BuildEntries() => ChainerCVZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => ChainerCVRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [Converter];
}
