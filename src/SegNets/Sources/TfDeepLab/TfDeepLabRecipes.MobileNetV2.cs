using SegNets.Backbones;
using SegNets.Sources.ChainerCV;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.TfDeepLab;

// TF DeepLab's DeepLabV3 MobileNetV2 checkpoints: trained by the same research/deeplab/train.py as the Xception-65 ones
// (ChainerCVRecipes.ChainerDeepLab states its sources); only the network, its initial checkpoint and the absence of ASPP atrous branches
// and of a decoder differ (model_zoo.md: "mobilenetv2_coco_voc_trainaug ... without ASPP and decoder").
static partial class TfDeepLabRecipes
{
    static TrainingRecipe TfDeepLabMobileNet(string zooName, string dataset, string? extra = null)
    {
        var tf = ChainerCVRecipes.ChainerDeepLab(dataset);
        bool voc = dataset == "voc";
        var init = voc
            ? "an ImageNet + MS-COCO pretrained MobileNetV2 DeepLabV3 (TF DeepLab; the COCO stage is not published)"
            : "an ImageNet + MS-COCO pretrained MobileNetV2 (TF DeepLab; the COCO stage is not published)";
        var stage = (tf.Stages[0] with { InitFrom = init })
            .WithSource(RecipeEvidence.Documentation, $"{ChainerCVRecipes.TfZoo} (mobilenetv2_coco_* checkpoints: 'ImageNet, MS-COCO' pretrained)", nameof(TrainingStage.InitFrom));
        return tf with
        {
            ZooName = zooName, WeightsConverted = false, Stages = [stage],
            TrainedWith = "TensorFlow DeepLab research/deeplab/train.py, model_variant mobilenet_v2 (the model zoo's checkpoint, read by SegNets' TF checkpoint reader)",
            Notes = "TF DeepLab's MobileNetV2 DeepLabV3 (image pooling + 1x1 branch, no atrous branches, no decoder) trains at output stride 16 " +
                "with batch-norm fine-tuning; TF publishes no exact command for its released checkpoints, only train.py defaults, comments " +
                "(weight decay 'use 0.00004 for MobileNet-V2 or Xception') and demonstration commands (local_test_mobilenetv2.sh) with small " +
                "batches. Batch size 16 is assumed from train.py's comment." +
                (voc ? " The VOC checkpoints were first pretrained on MS-COCO, a stage TF does not publish." : "") +
                (dataset == "cityscapes" ? " The Cityscapes learning rate is not published; 0.007 is assumed." : "") +
                (extra is null ? "" : " " + extra),
        };
    }

    internal static IEnumerable<TrainingRecipe> MobileNet()
    {
        yield return TfDeepLabMobileNet("mobilenetv2_coco_voc_trainaug", "voc");
        yield return TfDeepLabMobileNet("mobilenetv2_coco_voc_trainval", "voc",
            "This checkpoint was trained further on VOC 2012 trainval for the test server (model_zoo.md); that stage's settings are not published.");
        yield return TfDeepLabMobileNet("mobilenetv2_coco_cityscapes_trainfine", "cityscapes");
        yield return TfDeepLabMobileNet("mobilenetv2_dm05_coco_voc_trainaug", "voc", "Depth multiplier 0.5.");
        const string ti = "TI's table row: TI lists a TFLite re-export of this TF checkpoint and trained nothing for it.";
        yield return TfDeepLabMobileNet("deeplabv3_mnv2_dm05_VOC2012_512x512", "voc", ti + " TF's checkpoint: mobilenetv2_dm05_coco_voc_trainaug.");
        yield return TfDeepLabMobileNet("deeplabv3_mnv2_VOC2012_512x512", "voc", ti + " TF's checkpoint: mobilenetv2_coco_voc_trainaug.");
        yield return TfDeepLabMobileNet("MobileNetV2+DeepLab_Cityscapes_769x769", "cityscapes", ti + " TF's checkpoint: mobilenetv2_coco_cityscapes_trainfine.");
    }
}
