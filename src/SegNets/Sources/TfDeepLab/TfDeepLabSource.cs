using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.TfDeepLab;

/// <summary>TF DeepLab (tensorflow/models research/deeplab): DeepLabV3+ Xception-65 and DeepLabV3 MobileNetV2 from its
/// model zoo's TF checkpoint tarballs, including the rows of TI's "Tensorflow DeepLab Models" table.</summary>
public sealed class TfDeepLabSource : ModelSource
{
    TfDeepLabSource() : base("tfdeeplab", "TF DeepLab",
        "tensorflow/models@1c8526da2e2e5eeda6485e1bdcacdd86b117131d research/deeplab (g3doc/model_zoo.md; Chen et al. 2018, DeepLabV3+, ECCV)")
    {
    }

    public static TfDeepLabSource Instance { get; } = new();

    /// <summary>Xception-65 DeepLabV3+ checkpoints.</summary>
    public static CheckpointConverter Xception65Converter => Xception.Value;

    /// <summary>Xception-65 on ADE20K: also drops TF's logit 0 ('other').</summary>
    public static CheckpointConverter Xception65Ade20kConverter => XceptionAde.Value;

    /// <summary>MobileNetV2 DeepLabV3 checkpoints.</summary>
    public static CheckpointConverter MobileNetV2Converter => MobileNet.Value;

    static readonly Lazy<CheckpointConverter> Xception = new(() => TfDeepLabConverter.Xception65());
    static readonly Lazy<CheckpointConverter> XceptionAde = new(() => TfDeepLabConverter.Xception65(dropFirstClass: true));
    static readonly Lazy<CheckpointConverter> MobileNet = new(TfDeepLabConverter.MobileNetV2);

    protected override IEnumerable<ZooEntry> BuildEntries() => TfDeepLabZoo.XceptionEntries().Concat(TfDeepLabZoo.MobileNetEntries());

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => TfDeepLabRecipes.Xception().Concat(TfDeepLabRecipes.MobileNet());

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [Xception65Converter, Xception65Ade20kConverter, MobileNetV2Converter];
}
