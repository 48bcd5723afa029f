using SegNets.Backbones;
using SegNets.Sources.ChainerCV;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.TfDeepLab;

// TF DeepLab's own model-zoo entries: the same TensorFlow training ChainerCV's converted DeepLabV3+ weights come from
// (ChainerCVRecipes.ChainerDeepLab states it with its sources), here without a conversion in between.
static partial class TfDeepLabRecipes
{
    static TrainingRecipe TfDeepLabXception(string zooName, string dataset, string? extra = null)
    {
        var tf = ChainerCVRecipes.ChainerDeepLab(dataset);
        return tf with
        {
            ZooName = zooName, WeightsConverted = false,
            TrainedWith = "TensorFlow DeepLab research/deeplab/train.py (the model zoo's checkpoint, read by SegNets' TF checkpoint reader)",
            Notes = "TF DeepLab trains at output stride 16 (atrous rates 6/12/18, decoder stride 4) with batch-norm fine-tuning and evaluates at " +
                "output stride 16 or 8; it publishes no exact command for its released checkpoints, only train.py defaults, comments and " +
                "demonstration commands with small batches. Batch size 16 is assumed from train.py's comment." +
                (dataset == "voc" ? " The VOC checkpoints were first pretrained on MS-COCO, a stage TF does not publish." : "") +
                (dataset is "cityscapes" or "ade20k" ? $" The {dataset} learning rate is not published; 0.007 is assumed." : "") +
                (extra is null ? "" : " " + extra),
        };
    }

    internal static IEnumerable<TrainingRecipe> Xception()
    {
        yield return TfDeepLabXception("xception65_coco_voc_trainaug", "voc");
        yield return TfDeepLabXception("xception65_coco_voc_trainval", "voc",
            "This checkpoint was trained further on VOC 2012 trainval for the test server (model_zoo.md); that stage's settings are not published.");
        yield return TfDeepLabXception("xception65_cityscapes_trainfine", "cityscapes");
        yield return TfDeepLabXception("xception65_ade20k_train", "ade20k");
        yield return TfDeepLabXception("deeplabv3_xception_VOC2012_512x512", "voc",
            "TI's table row; the weights are TF DeepLab's xception65_coco_voc_trainaug (TI trained nothing for it).");
        yield return TfDeepLabXception("Xception65+DeepLab_Cityscapes_769x769", "cityscapes",
            "TI's table row; the weights are TF DeepLab's xception65_cityscapes_trainfine (TI trained nothing for it).");
    }
}
