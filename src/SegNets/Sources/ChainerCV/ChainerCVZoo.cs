using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV's semantic segmentation results (chainer/chainercv examples/semantic_segmentation/README.md) with the
/// weights its links download (chainer/chainercv@71596166: segnet_basic.py, pspnet.py, deeplab_v3_plus.py). Names are
/// the example's --model and --dataset joined by '_'.
/// </summary>
static class ChainerCVZoo
{
    const string Repo = "https://chainercv-models.preferred.jp/";
    const string NoHash = "ChainerCV publishes no checksum for its weights.";

    static ZooEntry Entry(string model, string dataset, DatasetInfo labels, double mIoU, string split, string file, long parameters,
        string method, string backbone, InputNormalization normalization, EvaluationSetting evaluation, Func<int, SegmentationModel> builder) => new()
    {
        Name = $"{model}_{dataset}", Architecture = method, Backbone = backbone, Dataset = labels.Name,
        NumClasses = labels.Classes.Count, Labels = labels, Normalization = normalization, Evaluation = evaluation,
        Reported = [new("mIoU", mIoU, split)], Checkpoint = new(Repo + file, PublishedFormat.ChainerNpz, null, null, ChainerCVSource.Converter),
        ParameterCount = parameters, Notes = NoHash, Builder = builder,
    };

    // pspnet.py PSPNet.predict: tiles of input_size with stride ceil(2/3 size), each tile and its mirror averaged.
    static EvaluationSetting PspTiles(int size) => new(null, size, size,
        $"ChainerCV PSPNet.predict: {size}x{size} tiles (smaller images padded by resize_contain), stride ceil(2/3 x {size}), " +
        "softmax of each tile averaged with its horizontal flip")
    {
        Protocol = Evaluation.EvaluationOptions.ChainerCVTiles(size, size),
    };

    // deeplab_v3_plus.py: images padded bottom/right with 127.5 to min_input_size, logits resized and cropped back.
    static EvaluationSetting DeepLabPad(int height, int width) => new(null, height, width,
        $"ChainerCV DeepLabV3plusXception65.predict: padded bottom/right with 127.5 to at least {width}x{height}, single scale. " +
        "SegNets' padded protocol pads the same way; ChainerCV takes the softmax before upsampling the head's output, " +
        "SegNets the argmax of the upsampled logits, which can differ on pixels where two classes are nearly equal")
    {
        Protocol = Evaluation.EvaluationOptions.PaddedTo(height, width),
    };

    static ZooEntry Psp(int depth, string dataset, DatasetInfo labels, int inputSize, double mIoU, string split, string file, long parameters) =>
        Entry($"pspnet_resnet{depth}", dataset, labels, mIoU, split, file, parameters, "PSPNet", $"DilatedResNet{depth} (ChainerCV, OS8)",
            InputNormalization.ChainerCVPspNet, PspTiles(inputSize), n => ChainerCVModels.PspNet(depth, n, inputSize));

    static ZooEntry DeepLab(string dataset, DatasetInfo labels, int height, int width, double mIoU, string split, string file, long parameters) =>
        Entry("deeplab_v3plus_xception65", dataset, labels, mIoU, split, file, parameters, "DeepLabV3+", "Xception65 (OS8)",
            InputNormalization.TfDeepLab, DeepLabPad(height, width), n => ChainerCVModels.DeepLabV3PlusXception65(n));

    public static IEnumerable<ZooEntry> Entries()
    {
        const string citys = "Cityscapes val (fine only)", ade = "ADE20K val", voc = "VOC 2012 val";
        yield return Psp(50, "cityscapes", Datasets.Cityscapes, 713, 73.99, citys, "pspnet_resnet50_cityscapes_trained_2018_12_19.npz", 46_715_347);
        yield return Psp(101, "cityscapes", Datasets.Cityscapes, 713, 76.01, citys, "pspnet_resnet101_cityscapes_trained_2018_12_19.npz", 65_707_475);
        yield return DeepLab("cityscapes", Datasets.Cityscapes, 1025, 2049, 79.14, citys, "deeplabv3plus_xception65_cityscapes_converted_2019_02_15.npz", 41_054_899);
        yield return Psp(50, "ade20k", Datasets.Ade20k, 473, 34.97, ade, "pspnet_resnet50_ade20k_trained_2018_12_23.npz", 46_782_550);
        yield return Psp(101, "ade20k", Datasets.Ade20k, 473, 36.55, ade, "pspnet_resnet101_ade20k_trained_2018_12_23.npz", 65_774_678);
        yield return DeepLab("ade20k", Datasets.Ade20k, 513, 513, 42.52, ade, "deeplabv3plus_xception65_ade20k_converted_2019_03_08.npz", 41_088_566);
        yield return DeepLab("voc", Datasets.Voc, 513, 513, 82.36, voc, "deeplabv3plus_xception65_voc_converted_2019_02_15.npz", 41_055_413);
        yield return Entry("segnet", "camvid", Datasets.CamVid, 49.4, "CamVid test", "segnet_camvid_trained_2018_12_05.npz", 1_416_075,
            "SegNet", "SegNetBasic encoder-decoder", InputNormalization.Raw,
            new(null, 360, 480, "ChainerCV SegNetBasic.predict on CamVid's 360x480 images, single scale"), n => ChainerCVModels.SegNetBasic(n));
    }
}
