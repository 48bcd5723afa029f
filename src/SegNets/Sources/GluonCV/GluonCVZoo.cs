using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources;

namespace SegNets.Sources.GluonCV;

/// <summary>
/// GluonCV's segmentation zoo (docs/model_zoo/segmentation.rst tables; weights from gluoncv/model_zoo/model_store.py at
/// dmlc/gluon-cv@56777561). Every network is built with GluonCV's architecture and key names.
/// </summary>
static class GluonCVZoo
{
    const string Repo = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/models/";

    // model_store.py _model_sha1: the SHA-1 of each released .params; the download is {name}-{sha1[:8]}.zip.
    static readonly Dictionary<string, string> Sha1 = new(StringComparer.Ordinal)
    {
        ["fcn_resnet101_coco"] = "766cdf9cc3e5b980b141643f054db5b48863f634",
        ["fcn_resnet101_voc"] = "12c2b9b3be7d4e133e52477150a9b3e616626a82",
        ["fcn_resnet50_ade"] = "3479525af7bdbf345e74e150aaae2e48174c0c5f",
        ["fcn_resnet101_ade"] = "d544440a35586f662ed1a5405ab9aa89cd750558",
        ["deeplab_resnet101_coco"] = "ed817f76086abb4c3404af62ec1b5487c67642b7",
        ["deeplab_resnet101_voc"] = "311ed22c63f3ac28b5f1e1663c458f26600e62da",
        ["deeplab_resnet152_coco"] = "83247aaeeded6988790cd93ac93151514094846f",
        ["deeplab_resnet152_voc"] = "d35bea8817935d1ab310ef1e6dd06bb18c2d5f0d",
        ["deeplab_resnet50_ade"] = "c7789b237adc7253405bee57c84d53b15db45942",
        ["deeplab_resnet101_ade"] = "bf1584dfcec12063eff3075ee643e181c0f6d443",
        ["deeplab_resnest50_ade"] = "a8312db6e30a464151580f2bda83479786455724",
        ["deeplab_resnest101_ade"] = "6d05c630fb7acb38615f7f4d360fb90f47b25042",
        ["deeplab_resnest200_ade"] = "9134a6f7d1399b549d5803d8faed3dfc74efc0d8",
        ["deeplab_resnest269_ade"] = "d45b33dedf4cca13b8147213c5360e30f93685bd",
        ["psp_resnet101_coco"] = "09f89cad0e107cb2bffdb1b07706ba31798096f2",
        ["psp_resnet101_voc"] = "2c2f4e1c2b11461b52598a4b2038bccbcfc166eb",
        ["psp_resnet50_ade"] = "3f220f537400dfa607c3d041ed3b172db39b0b01",
        ["psp_resnet101_ade"] = "240a4758b506447faf7c55cd7a7837d66f5039a6",
        ["psp_resnet101_citys"] = "d0e8603120ab02118a8973d52a26b8296d1b4078",
        ["deeplab_v3b_plus_wideresnet_citys"] = "ef2bb40ad8f8f59f451969b2fabe4e548394e80a",
        ["deeplab_resnet50_citys"] = "cf6a7bb3d55360933de647a8505f7936003902a4",
        ["deeplab_resnet101_citys"] = "eb8477a91efc244c85b364c0736664078aaf0e65",
        ["mask_rcnn_resnet18_v1b_coco"] = "e071cf1550bc0331c218a9072b59e9550595d1e7",
        ["mask_rcnn_resnet50_v1b_coco"] = "a3527fdc2cee5b1f32a61e5fd7cda8fb673e86e5",
        ["mask_rcnn_resnet101_v1d_coco"] = "4a3249c584f81c2a9b5d852b742637cd692ebdcb",
        ["mask_rcnn_fpn_resnet18_v1b_coco"] = "14a922c38b0b196fdb1f7141be4666c10476f426",
        ["mask_rcnn_fpn_resnet50_v1b_coco"] = "1364d0afe4de575af5d4389d50c2dbf22449ceac",
        ["mask_rcnn_fpn_resnet101_v1d_coco"] = "89c7d8669b677a05c6eaa25375ead9a174109c69",
    };

    // GluonCV trains its COCO models on the 20 VOC categories of COCO (gluoncv/data/mscoco/segmentation.py CAT_LIST).
    static readonly Dictionary<string, (string Name, DatasetInfo Labels)> DatasetNames = new(StringComparer.Ordinal)
    {
        ["voc"] = ("VOC", Datasets.Voc), ["coco"] = ("COCO", Datasets.CocoVoc), ["ade"] = ("ADE20K", Datasets.Ade20k),
        ["citys"] = ("Cityscapes", Datasets.Cityscapes),
    };

    // segbase.py SegBaseModel(base_size=520, crop_size=480) and scripts/segmentation/test.py MultiEvalModel.
    static EvaluationSetting Evaluation(string dataset) => dataset == "citys"
        ? new(null, null, null, "GluonCV test.py MultiEvalModel; the Cityscapes base/crop sizes come from the training script's flags, " +
            "which were not read (the model defaults are 520/480)")
        : new(520, 480, 480, "GluonCV test.py MultiEvalModel: long side resized to 520 x scale (1.0, or 0.5-1.75 with flips for " +
            "multi-scale), sliding 480x480 crops with stride 2/3 crop, padded with the normalised zero (-mean/std)");

    static CheckpointSource Checkpoint(string name) =>
        new($"{Repo}{name}-{Sha1[name][..8]}.zip", PublishedFormat.GluonParamsZip, PublishedHash.Sha1, Sha1[name], GluonCVSource.Converter);

    static ZooEntry Semantic(string name, string method, double? pixAcc, double? mIoU, string split, long? parameters, string? notes = null)
    {
        var parts = name.Split('_');
        string arch = parts[0], backbone = parts[1], dataset = parts[^1];
        var (datasetName, labels) = DatasetNames[dataset];
        var reported = new List<ReportedMetric>();
        if (pixAcc is double p) reported.Add(new("pixAcc", p, split));
        if (mIoU is double m) reported.Add(new("mIoU", m, split));
        Func<int, SegmentationModel> builder = arch switch
        {
            "fcn" => n => GluonCVModels.Fcn(backbone, n),
            "psp" => n => GluonCVModels.PspNet(backbone, n),
            "deeplab" => n => GluonCVModels.DeepLabV3(backbone, n),
            _ => throw new InvalidOperationException(name),
        };
        return new ZooEntry
        {
            Name = name, Architecture = method, Backbone = GluonBackboneName(backbone), Dataset = datasetName,
            NumClasses = labels.Classes.Count, Labels = labels, Normalization = InputNormalization.ImageNet, Evaluation = Evaluation(dataset), Reported = reported,
            Checkpoint = Checkpoint(name), ParameterCount = parameters, Notes = notes, Builder = builder,
        };
    }

    static string GluonBackboneName(string backbone) => backbone.StartsWith("resnest", StringComparison.Ordinal)
        ? $"{backbone} (dilated, OS8)" : backbone is "resnet18" or "resnet34" ? $"{backbone}_v1b (dilated, OS8)" : $"{backbone}_v1s (dilated, OS8)";

    static ZooEntry MaskRcnn(string name, string box, string mask) => new()
    {
        Name = name, Architecture = name.Contains("_fpn_", StringComparison.Ordinal) ? "Mask R-CNN + FPN" : "Mask R-CNN",
        Backbone = name["mask_rcnn_".Length..^"_coco".Length].Replace("fpn_", "", StringComparison.Ordinal), Dataset = "COCO",
        NumClasses = 80, Normalization = InputNormalization.ImageNet,
        Evaluation = new(null, null, null, "GluonCV instance segmentation: COCO val2017, AP at IoU 0.5:0.95 / 0.5 / 0.75 for boxes and masks"),
        Reported = [.. Ap("box AP", box), .. Ap("mask AP", mask)],
        Checkpoint = Checkpoint(name),
        Notes = "Instance segmentation: listed for completeness; the Mask R-CNN network is not implemented in SegNets yet, so Get() refuses it.",
    };

    static IEnumerable<ReportedMetric> Ap(string metric, string triple)
    {
        var v = triple.Split('/').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        yield return new(metric, v[0], "COCO val2017, IoU 0.5:0.95");
        yield return new($"{metric}50", v[1], "COCO val2017, IoU 0.5");
        yield return new($"{metric}75", v[2], "COCO val2017, IoU 0.75");
    }

    /// <summary>The rows of GluonCV's tables (dmlc/gluon-cv docs/model_zoo/segmentation.rst and its model-zoo CSV), then the model-store
    /// entries the tables do not list.</summary>
    public static IEnumerable<ZooEntry> Entries()
    {
        const string ade = "ADE20K val", coco = "GluonCV's MS-COCO pretrain table (split not stated there)", voc = "VOC 2012 test (evaluation server)", citys = "Cityscapes val";
        yield return Semantic("fcn_resnet50_ade", "FCN", 79.0, 39.5, ade, 35_545_324);
        yield return Semantic("fcn_resnet101_ade", "FCN", 80.6, 41.6, ade, 54_537_452);
        yield return Semantic("psp_resnet50_ade", "PSPNet", 80.1, 41.5, ade, 49_180_908);
        yield return Semantic("psp_resnet101_ade", "PSPNet", 80.8, 43.3, ade, 68_173_036);
        yield return Semantic("deeplab_resnet50_ade", "DeepLabV3", 80.5, 42.5, ade, 42_194_156);
        yield return Semantic("deeplab_resnet101_ade", "DeepLabV3", 81.1, 44.1, ade, 61_186_284);
        yield return Semantic("fcn_resnet101_coco", "FCN", 92.2, 66.2, coco, 54_438_122);
        yield return Semantic("psp_resnet101_coco", "PSPNet", 92.4, 70.4, coco, 68_073_706);
        yield return Semantic("deeplab_resnet101_coco", "DeepLabV3", 92.5, 70.4, coco, 61_119_978);
        yield return Semantic("fcn_resnet101_voc", "FCN", null, 83.6, voc, 54_438_122);
        yield return Semantic("psp_resnet101_voc", "PSPNet", null, 85.1, voc, 68_073_706);
        yield return Semantic("deeplab_resnet101_voc", "DeepLabV3", null, 86.2, voc, 61_119_978);
        yield return Semantic("deeplab_resnet152_voc", "DeepLabV3", null, 86.7, voc, 76_763_626);
        yield return Semantic("psp_resnet101_citys", "PSPNet", null, 77.1, citys, 68_072_166);
        yield return new ZooEntry
        {
            Name = "deeplab_v3b_plus_wideresnet_citys", Architecture = "DeepLabV3b+ (VPLR)", Backbone = "WideResNet-38 (dilated, OS8)",
            Dataset = "Cityscapes", NumClasses = 19, Labels = Datasets.Cityscapes, Normalization = InputNormalization.ImageNet, Evaluation = Evaluation("citys"),
            Reported = [new("mIoU", 83.5, citys)], Checkpoint = Checkpoint("deeplab_v3b_plus_wideresnet_citys"), ParameterCount = 137_103_936,
            Builder = n => GluonCVModels.DeepLabV3bPlus(n),
        };
        yield return MaskRcnn("mask_rcnn_resnet18_v1b_coco", "31.2/51.1/33.1", "28.4/48.1/29.8");
        yield return MaskRcnn("mask_rcnn_fpn_resnet18_v1b_coco", "34.9/56.4/37.4", "30.4/52.2/31.4");
        yield return MaskRcnn("mask_rcnn_resnet50_v1b_coco", "38.3/58.7/41.4", "33.1/54.8/35.0");
        yield return MaskRcnn("mask_rcnn_fpn_resnet50_v1b_coco", "39.2/61.2/42.2", "35.4/57.5/37.3");
        yield return MaskRcnn("mask_rcnn_resnet101_v1d_coco", "41.3/61.7/44.4", "35.2/57.8/36.9");
        yield return MaskRcnn("mask_rcnn_fpn_resnet101_v1d_coco", "42.3/63.9/46.2", "37.7/60.5/40.0");

        // In GluonCV's model store but not in the seed tables: no reported number here.
        const string unlisted = "In GluonCV's model store, not in the segmentation tables SegNets reproduces.";
        yield return Semantic("deeplab_resnet152_coco", "DeepLabV3", null, null, coco, 76_763_626, unlisted);
        yield return Semantic("deeplab_resnet50_citys", "DeepLabV3", null, null, citys, 42_126_822, unlisted);
        yield return Semantic("deeplab_resnet101_citys", "DeepLabV3", null, null, citys, 61_118_950, unlisted);
        yield return Semantic("deeplab_resnest50_ade", "DeepLabV3", null, null, ade, 43_996_588, unlisted);
        yield return Semantic("deeplab_resnest101_ade", "DeepLabV3", null, null, ade, 64_788_364, unlisted);
        yield return Semantic("deeplab_resnest200_ade", "DeepLabV3", null, null, ade, 86_714_892, unlisted);
        yield return Semantic("deeplab_resnest269_ade", "DeepLabV3", null, null, ade, 127_442_828, unlisted);
    }
}
