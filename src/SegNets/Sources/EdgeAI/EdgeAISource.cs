using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.EdgeAI;

/// <summary>TI edgeai (TexasInstruments/edgeai-modelzoo, edgeai-torchvision): the Lite models (DeepLabV3+-, FPN- and
/// UNet-Lite on MobileNetV2 and RegNetX) and TI's torchvision-architecture rows. TI's table also lists TF DeepLab and
/// SegFormer models, which those families build (their rows have <see cref="ZooEntry.ListedIn"/> = this).</summary>
public sealed class EdgeAISource : ModelSource
{
    EdgeAISource() : base("edgeai", "TI edgeai",
        "TexasInstruments/edgeai-modelzoo@52e8f70e481e7f9646e12d45a11e7a9ce6f29119, TexasInstruments/edgeai-torchvision@f85ec314af3813e12dd45db49eb6ab1dcb500ed5")
    {
    }

    public static EdgeAISource Instance { get; } = new();

    /// <summary>The rename table of TI's checkpoint.pth files.</summary>
    public static CheckpointConverter Converter => Table.Value;

    static readonly Lazy<CheckpointConverter> Table = new(EdgeAIConverter.Create);

    protected override IEnumerable<ZooEntry> BuildEntries() => EdgeAIZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => EdgeAIRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [Converter];
}
