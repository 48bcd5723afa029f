using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.Encoding;

/// <summary>PyTorch-Encoding (zhanghang1989/PyTorch-Encoding): EncNet on the dilated ResNet, from its model store's
/// zipped .pth files.</summary>
public sealed class EncodingSource : ModelSource
{
    EncodingSource() : base("encoding", "PyTorch-Encoding",
        "zhanghang1989/PyTorch-Encoding@b05334f36362e9ac42ae052148c0aa0a3c1795f6 (Zhang et al. 2018, Context Encoding for Semantic Segmentation, CVPR)")
    {
    }

    public static EncodingSource Instance { get; } = new();

    /// <summary>The rename table of PyTorch-Encoding's files (its `pretrained.` prefix is SegNets' `backbone.`).</summary>
    public static CheckpointConverter Converter => Table.Value;

    static readonly Lazy<CheckpointConverter> Table = new(EncodingConverter.Create);

    protected override IEnumerable<ZooEntry> BuildEntries() => EncodingZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => EncodingRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [Converter];
}
