using FluentAssertions;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Zoo;

/// <summary>The TF DeepLab Xception-65 rows of the seed tables (TF model zoo names, TI's rows) and what they point to.</summary>
public class TfDeepLabZooTests
{
    public static readonly string[] Rows =
    [
        "xception65_coco_voc_trainaug", "xception65_coco_voc_trainval", "xception65_cityscapes_trainfine", "xception65_ade20k_train",
        "deeplabv3_xception_VOC2012_512x512", "Xception65+DeepLab_Cityscapes_769x769",
    ];

    [Fact]
    public void EveryXceptionRowHasItsTarballTableAndNumbers()
    {
        ModelZoo.List().Should().Contain(Rows);
        foreach (var name in Rows)
        {
            var e = ModelZoo.Info(name);
            e.Source.Should().BeSameAs(TfDeepLabSource.Instance);
            e.Normalization.Should().Be(InputNormalization.TfDeepLab);
            e.Checkpoint!.Format.Should().Be(PublishedFormat.TfTarGz);
            e.Checkpoint.Hash.Should().BeNull("TF publishes none");
            e.Checkpoint.Url.Should().MatchRegex(@"^https://download\.tensorflow\.org/models/deeplabv3_[a-z0-9_]+_2018_\d\d_\d\d\.tar\.gz$");
            e.Checkpoint.Converter.Should().BeOneOf(TfDeepLabSource.Instance.Converters);
            e.Reported.Should().NotBeEmpty();
        }
        Reported("xception65_coco_voc_trainaug").Should().Contain(new[] { ("mIoU", 82.20), ("mIoU", 83.58) });
        Reported("xception65_coco_voc_trainval").Should().Equal(("mIoU", 87.80));
        Reported("xception65_cityscapes_trainfine").Should().Contain(new[] { ("mIoU", 78.79), ("mIoU", 80.42) });
        Reported("xception65_ade20k_train").Should().Contain(new[] { ("mIoU", 45.65), ("pixAcc", 82.52), ("score", 64.08) });
        Reported("deeplabv3_xception_VOC2012_512x512").Should().Equal(("mIoU", 81.74));
        Reported("Xception65+DeepLab_Cityscapes_769x769").Should().Equal(("mIoU", 78.79));
        ModelZoo.Info("xception65_coco_voc_trainaug").Checkpoint!.Url.Should().EndWith("deeplabv3_pascal_train_aug_2018_01_04.tar.gz");
        ModelZoo.Info("deeplabv3_xception_VOC2012_512x512").Checkpoint.Should().Be(ModelZoo.Info("xception65_coco_voc_trainaug").Checkpoint);
        ModelZoo.Info("Xception65+DeepLab_Cityscapes_769x769").Checkpoint!.Url.Should().EndWith("deeplabv3_cityscapes_train_2018_02_06.tar.gz");
        ModelZoo.Info("xception65_ade20k_train").Checkpoint!.Converter.Should().BeSameAs(TfDeepLabSource.Xception65Ade20kConverter);
        ModelZoo.Info("xception65_ade20k_train").NumClasses.Should().Be(150);
        ModelZoo.Info("xception65_cityscapes_trainfine").Evaluation.CropWidth.Should().Be(2049);
        ModelZoo.Info("xception65_coco_voc_trainaug").Evaluation.CropHeight.Should().Be(513);
    }

    static IEnumerable<(string, double)> Reported(string name) => ModelZoo.Info(name).Reported.Select(m => (m.Metric, m.Value));

    [Fact]
    public void BuildsAtTheOutputStrideItsNumberWasMeasuredWith()
    {
        using var scope = NewDisposeScope();
        ((BackboneHeadModel)ModelZoo.Get("xception65_cityscapes_trainfine")).Backbone.OutputStride.Should().Be(8);
        ((BackboneHeadModel)ModelZoo.Get("Xception65+DeepLab_Cityscapes_769x769")).Backbone.OutputStride.Should().Be(16);
        TfDeepLabConverter.Xception65().Name.Should().Be("tfdeeplab-xception65");
    }
}
