using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.GluonCV;

/// <summary>GluonCV (dmlc/gluon-cv): its semantic segmentation table (FCN, PSPNet, DeepLabV3 on ResNet v1s and
/// ResNeSt, VPLR's DeepLabV3b+ on WideResNet-38) and its Mask R-CNN rows; MXNet .params weights from its model store.</summary>
public sealed class GluonCVSource : ModelSource
{
    GluonCVSource() : base("gluoncv", "GluonCV",
        "dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52 (docs/model_zoo/segmentation.rst; Guo et al. 2020, GluonCV and GluonNLP, JMLR)")
    {
    }

    public static GluonCVSource Instance { get; } = new();

    /// <summary>The rename table of GluonCV's .params files.</summary>
    public static CheckpointConverter Converter => Table.Value;

    static readonly Lazy<CheckpointConverter> Table = new(GluonCVConverter.Create);

    protected override IEnumerable<ZooEntry> BuildEntries() => GluonCVZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => GluonCVRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [Converter];
}
