using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Evaluation;
using SegNets.Models;
using SegNets.Sources.EdgeAI;
using SegNets.Sources;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// TF DeepLab's model zoo (tensorflow/models@d318246c research/deeplab/g3doc/model_zoo.md), with the rows of the seed
/// tables that use its checkpoints: "DeepLab_v3-MobileNet-v2 + COCO" (VOC val/test, Cityscapes val) and TI edgeai's
/// "Tensorflow DeepLab Models".
/// </summary>
static partial class TfDeepLabZoo
{
    const string TfRepo = "https://download.tensorflow.org/models/";

    const string MobileNetNote =
        "TF DeepLab's DeepLabV3 MobileNetV2 (model_variant mobilenet_v2: image pooling + 1x1 branch, no atrous ASPP " +
        "branches, no decoder). TF publishes no checksum for its tarballs. TF's evaluation pads each image bottom/right " +
        "with the mean pixel (0 after normalisation) to the eval crop, and the image pooling averages over that padding: " +
        "evaluate with the entry's Evaluation.Protocol (EvaluationOptions.PaddedTo), which pads as TF does, to reproduce its numbers.";

    // model_zoo.md's VOC and Cityscapes tables: checkpoint name, tarball, depth multiplier, the output stride the entry
    // builds (that of the seed's number), and what the table reports.
    static ZooEntry MobileNet(string name, string file, DatasetInfo labels, double depthMultiplier, int outputStride,
        int crop, int cropWidth, IReadOnlyList<ReportedMetric> reported, long parameters, string? extraNote = null) => new()
    {
        Name = name, Architecture = "DeepLabV3",
        Backbone = $"MobileNetV2{(depthMultiplier == 1.0 ? "" : " (depth multiplier 0.5)")} (OS{outputStride})",
        Dataset = labels.Name, NumClasses = labels.Classes.Count, Labels = labels, Normalization = InputNormalization.TfDeepLab,
        Evaluation = new(null, crop, cropWidth,
            $"TF DeepLab eval.py: eval_crop_size {crop}x{cropWidth} (each image padded bottom/right to it), output stride " +
            $"{outputStride}; the scales and flips of each reported number are in its split")
        {
            Protocol = Evaluation.EvaluationOptions.PaddedTo(crop, cropWidth),
        },
        Reported = reported,
        Checkpoint = new(TfRepo + file, PublishedFormat.TfTarGz, null, null, TfDeepLabSource.MobileNetV2Converter),
        ParameterCount = parameters,
        Notes = extraNote is null ? MobileNetNote : MobileNetNote + " " + extraNote,
        Builder = n => TfDeepLabModels.DeepLabV3MobileNetV2(n, depthMultiplier, outputStride),
    };

    // TI's rows (edgeai-modelzoo docs/…, "Tensorflow DeepLab Models"): TI lists TFLite re-exports of TF's frozen graphs;
    // SegNets builds TF's network and loads TF's checkpoint.
    static ZooEntry TiRow(string model, string dataset, DatasetInfo labels, int width, int height, double mIoU, string file,
        double depthMultiplier, int outputStride, long parameters, string note) => new()
    {
        Name = $"{model}_{dataset}_{width}x{height}", ListedIn = EdgeAISource.Instance, Architecture = "DeepLabV3",
        Backbone = $"MobileNetV2{(depthMultiplier == 1.0 ? "" : " (depth multiplier 0.5)")} (OS{outputStride})",
        Dataset = dataset, NumClasses = labels.Classes.Count, Labels = labels, Normalization = InputNormalization.TfDeepLab,
        Evaluation = new(null, height, width, $"TI edgeai: the image resized to {width}x{height} (width x height), single scale"),
        Reported = [new("mIoU", mIoU, $"{dataset} val, as TI's table reports it")],
        Checkpoint = new(TfRepo + file, PublishedFormat.TfTarGz, null, null, TfDeepLabSource.MobileNetV2Converter),
        ParameterCount = parameters,
        Notes = MobileNetNote + " " + note,
        Builder = n => TfDeepLabModels.DeepLabV3MobileNetV2(n, depthMultiplier, outputStride),
    };

    public static IEnumerable<ZooEntry> MobileNetEntries()
    {
        // Parameter counts: tools/reference/tf_deeplab_mobilenet.py's variable list (every variable but the moving
        // statistics) for 21 and 19 classes; TfDeepLabMobileNetParityTests holds SegNets' models to them.
        const long Voc10 = 2_113_557, Voc05 = 697_013, Citys10 = 2_113_043;
        const string VocVal = "VOC 2012 val", Ms = "scales 0.5:0.25:1.75, left-right flip";
        yield return MobileNet("mobilenetv2_coco_voc_trainaug", "deeplabv3_mnv2_pascal_train_aug_2018_01_29.tar.gz", Datasets.Voc, 1.0, 8, 513, 513,
            [new("mIoU", 77.33, $"{VocVal}, OS 8, {Ms}"), new("mIoU", 75.32, $"{VocVal}, OS 16, single scale")], Voc10,
            "Trained on VOC 2012 train_aug (ImageNet and MS-COCO pretrained). Built at OS 8 (the 77.33 row of the seed); " +
            "model_zoo.md's single-scale 75.32 is at OS 16.");
        yield return MobileNet("mobilenetv2_coco_voc_trainval", "deeplabv3_mnv2_pascal_trainval_2018_01_29.tar.gz", Datasets.Voc, 1.0, 8, 513, 513,
            [new("mIoU", 80.25, $"VOC 2012 test (evaluation server), OS 8, {Ms}")], Voc10,
            "Trained on VOC 2012 train_aug + trainval (ImageNet and MS-COCO pretrained).");
        yield return MobileNet("mobilenetv2_coco_cityscapes_trainfine", "deeplabv3_mnv2_cityscapes_train_2018_02_05.tar.gz", Datasets.Cityscapes, 1.0, 8, 1025, 2049,
            [new("mIoU", 73.57, "Cityscapes val, OS 8, scales 0.75:0.25:1.25, left-right flip"), new("mIoU", 70.71, "Cityscapes val, OS 16, single scale")],
            Citys10,
            "Trained on Cityscapes train_fine (ImageNet and MS-COCO pretrained). Built at OS 8 (the 73.57 row of the seed; the seed " +
            "links deeplabv3_cityscapes_train_2018_02_06.tar.gz, which is TF's Xception65 model: model_zoo.md gives this tarball).");
        yield return MobileNet("mobilenetv2_dm05_coco_voc_trainaug", "deeplabv3_mnv2_dm05_pascal_trainaug_2018_10_01.tar.gz", Datasets.Voc, 0.5, 16, 513, 513,
            [new("mIoU", 70.19, $"{VocVal}, OS 16, single scale")], Voc05,
            "Depth multiplier 0.5 (channels rounded to multiples of 1, not 8: feature_extractor.py _mobilenet_v2). Trained on VOC 2012 " +
            "train_aug (ImageNet and MS-COCO pretrained).");

        const string TiExport = "TI's table lists a TFLite re-export of TF's frozen inference graph (edgeai-modelzoo " +
            "models/vision/segmentation/voc2012/tf1-models/*.tflite.link), changed without retraining for speed " +
            "(utils/tf-deeplab/readme.md: 512x512 input, power-of-two resizes and 64x64 image pooling, re-padded dilated " +
            "depthwise convs), so its number is below TF's; SegNets loads TF's original checkpoint into TF's network, " +
            "which at a 512x512 input pools over the same 64x64 map. OS 8: TF's frozen graphs use output stride 8 " +
            "(model_zoo.md) and TI's transform script patches a 65x65 (513 / 8) pooling kernel.";
        yield return TiRow("deeplabv3_mnv2_dm05", "VOC2012", Datasets.Voc, 512, 512, 66.94, "deeplabv3_mnv2_dm05_pascal_trainaug_2018_10_01.tar.gz",
            0.5, 8, Voc05, TiExport + " TF's checkpoint: mobilenetv2_dm05_coco_voc_trainaug.");
        yield return TiRow("deeplabv3_mnv2", "VOC2012", Datasets.Voc, 512, 512, 72.66, "deeplabv3_mnv2_pascal_train_aug_2018_01_29.tar.gz",
            1.0, 8, Voc10, TiExport + " TF's checkpoint: mobilenetv2_coco_voc_trainaug.");
        yield return TiRow("MobileNetV2+DeepLab", "Cityscapes", Datasets.Cityscapes, 769, 769, 70.71, "deeplabv3_mnv2_cityscapes_train_2018_02_05.tar.gz",
            1.0, 16, Citys10,
            "TI lists this row among the 'Original DeepLab models' with no file of its own: its 70.71 and 21.27 GMACs are model_zoo.md's " +
            "mobilenetv2_coco_cityscapes_trainfine at OS 16, single scale (TF evaluates Cityscapes at a 1025x2049 crop; 769x769 is the size " +
            "TI's table states).");
    }
}
