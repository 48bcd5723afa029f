using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources;

using SegNets.Sources.Torchvision;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// TI edgeai's semantic segmentation table (TexasInstruments/edgeai-modelzoo docs): EdgeAI-Torchvision's Lite models
/// per dataset and input size, plus the torchvision architectures TI trained on Cityscapes. Names are the table's model
/// string, dataset and input size joined by '_' (the table has no identifiers; one model appears at several sizes).
/// </summary>
static class EdgeAIZoo
{
    // edgeai-modelzoo@52e8f70e models/vision/segmentation/<dataset>/edgeai-tv/*.link: the files TI publishes per model.
    // Every *_config.yaml there has input_mean 128 and input_scale 0.015625, i.e. (x - 128) / 64 on 0..255 RGB.
    const string Store = "http://software-dl.ti.com/jacinto7/esd/modelzoo/09_02_00/models/vision/segmentation/";
    const string Normalisation = "Input normalisation (x - 128) / 64 as TI's edgeai-modelzoo configs give it (input_mean 128, input_scale 0.015625).";
    const string OnnxOnly = "TI publishes only an ONNX export of this row (edgeai-modelzoo ade20k32/edgeai-tv/*.onnx.link). An eval-mode " +
        "torch.onnx export folds batch norm into the convolutions, so its initializers would not map onto this network's layers; SegNets " +
        "does not read it and records no download (the file itself was not inspected: no network here).";
    const string NoWeights = "TI lists no weights for this row.";

    // Learnable parameters of TI's networks at 19 / 21 / 32 classes (Cityscapes / COCOSeg21 / ADE20K32), counted on
    // tools/reference/edgeai_lite.py's transcription of TI's code (`counts`; EdgeAIParityTests holds these to it). The
    // 19-class ones equal the fact sheet's (architectures.md section 8).
    static readonly Dictionary<string, (long Classes19, long Classes21, long Classes32)> Parameters = new()
    {
        ["deeplabv3plus_mobilenetv2"] = (2_425_024, 2_425_632, 2_428_976),
        ["unet_mobilenetv2"] = (2_465_836, 2_467_464, 2_477_848),
        ["fpn_mobilenetv2"] = (2_669_376, 2_669_888, 2_672_704),
        ["fpn_mobilenetv2_1.4"] = (5_184_840, 5_185_560, 5_189_520),
        ["fpn_regnetx400mf"] = (6_018_208, 6_018_720, 6_021_536),
        ["fpn_regnetx800mf"] = (8_310_752, 8_311_264, 8_314_080),
        ["fpn_regnetx1.6gf"] = (10_736_632, 10_737_160, 10_740_064),
        ["fpn_regnetx3.2gf"] = (18_060_928, 18_061_504, 18_064_672),
    };

    static ZooEntry Lite(string model, string dataset, string size, double? mIoU, string? notes = null, string? checkpoint = null)
    {
        var (method, encoderPart) = model.Split('+') switch { [var e, var m] => (m, e), _ => throw new ArgumentException(model) };
        string encoder = encoderPart switch
        {
            "MobileNetV2S16" or "MobileNetV2" => "mobilenetv2",
            "MobileNetV2-1.4" => "mobilenetv2_1.4",
            "RegNetX400MF" => "regnetx400mf",
            "RegNetX800MF" => "regnetx800mf",
            "RegNetX1.6GF" => "regnetx1.6gf",
            "RegNetX3.2FF" => "regnetx3.2gf", // the table's spelling of RegNetX3.2GF
            _ => throw new ArgumentException(model),
        };
        string baseMethod = method.Replace("-QAT", "", StringComparison.Ordinal);
        string decoder = baseMethod switch { "DeepLabV3Lite" => "deeplabv3plus", "FPNLite" => "fpn", "UNetLite" => "unet", _ => throw new ArgumentException(model) };
        var counts = Parameters[$"{decoder}_{encoder}"];
        long parameters = dataset switch
        {
            "Cityscapes" => counts.Classes19, "COCOSeg21" => counts.Classes21, "ADE20K32" => counts.Classes32, _ => throw new ArgumentException(dataset),
        };
        Func<int, SegmentationModel> builder = baseMethod switch
        {
            "DeepLabV3Lite" => n => EdgeAIModels.DeepLabV3PlusLite(encoder, n),
            "FPNLite" => n => EdgeAIModels.FpnLite(encoder, n),
            "UNetLite" => n => EdgeAIModels.UNetLite(encoder, n),
            _ => throw new ArgumentException(model),
        };
        var extra = new List<string> { Normalisation };
        if (method.EndsWith("-QAT", StringComparison.Ordinal))
            extra.Add("QAT = the float network after 8-bit quantisation-aware training; SegNets builds the float network.");
        if (encoderPart == "RegNetX3.2FF") extra.Add("'RegNetX3.2FF' is the table's spelling of RegNetX-3.2GF.");
        if (notes is not null) extra.Add(notes);
        if (checkpoint is not null)
            extra.Add("Weights: TI's training checkpoint (checkpoint.pth: the state_dict beside optimizer and scheduler state); TI publishes no checksum.");
        else
            extra.Add(dataset == "ADE20K32" ? OnnxOnly : NoWeights);
        var entry = Entry($"{model}_{dataset}_{size}", method, encoderPart, dataset, size, mIoU, parameters, builder, InputNormalization.EdgeAI, extra);
        return checkpoint is null ? entry : entry with { Checkpoint = new(Store + checkpoint, PublishedFormat.Pth, null, null, EdgeAISource.Converter) };
    }

    static ZooEntry Entry(string name, string method, string backbone, string dataset, string size, double? mIoU, long? parameters,
        Func<int, SegmentationModel> builder, InputNormalization normalization, List<string> notes)
    {
        var wh = size.Split('x');
        int width = int.Parse(wh[0], System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(wh[^1], System.Globalization.CultureInfo.InvariantCulture);
        if (mIoU is null) notes.Add("The table gives no mIoU for this row.");
        var labels = dataset switch
        {
            "ADE20K32" => Datasets.Ade20k32, "COCOSeg21" => Datasets.CocoVoc, "Cityscapes" => Datasets.Cityscapes,
            _ => throw new ArgumentException(dataset),
        };
        return new ZooEntry
        {
            Name = name, Architecture = method, Backbone = backbone, Dataset = dataset,
            NumClasses = labels.Classes.Count, Labels = labels,
            Normalization = normalization,
            Evaluation = new(null, height, width, $"TI edgeai: the image resized to {width}x{height} (width x height), single scale"),
            Reported = mIoU is double m ? [new("mIoU", m, $"{dataset} val, float model")] : [],
            ParameterCount = parameters, Notes = string.Join(" ", notes), Builder = builder,
        };
    }

    public static IEnumerable<ZooEntry> Entries()
    {
        yield return Lite("MobileNetV2S16+DeepLabV3Lite", "ADE20K32", "512x512", 51.01);
        yield return Lite("MobileNetV2+UNetLite", "ADE20K32", "512x512", 49.95);
        yield return Lite("MobileNetV2+FPNLite", "ADE20K32", "512x512", 50.72);
        yield return Lite("MobileNetV2-1.4+FPNLite", "ADE20K32", "512x512", 52.93);
        yield return Lite("RegNetX400MF+FPNLite", "ADE20K32", "384x384", 51.03);
        yield return Lite("RegNetX800MF+FPNLite", "ADE20K32", "512x512", 53.29);
        yield return Lite("MobileNetV2S16+DeepLabV3Lite", "COCOSeg21", "512x512", 57.77,
            checkpoint: "cocoseg21/edgeai-tv/deeplabv3plus_mobilenetv2_edgeailite_512x512_20210405_checkpoint.pth");
        yield return Lite("MobileNetV2+UNetLite", "COCOSeg21", "512x512", 57.01,
            checkpoint: "cocoseg21/edgeai-tv/unet_aspp_mobilenetv2_edgeailite_512x512_20210407_checkpoint.pth");
        yield return Lite("MobileNetV2+FPNLite", "COCOSeg21", "512x512", null);
        yield return Lite("RegNetX800MF+FPNLite", "COCOSeg21", "512x512", 61.15,
            checkpoint: "cocoseg21/edgeai-tv/fpn_aspp_regnetx800mf_edgeailite_512x512_20210405_checkpoint.pth");
        yield return Lite("MobileNetV2S16+DeepLabV3Lite", "Cityscapes", "768x384", 69.13);
        yield return Lite("MobileNetV2+UNetLite", "Cityscapes", "768x384", 68.94);
        yield return Lite("MobileNetV2+FPNLite", "Cityscapes", "768x384", 70.39);
        yield return Lite("MobileNetV2+FPNLite", "Cityscapes", "1536x768", 74.61);
        yield return Lite("MobileNetV2S16+DeepLabV3Lite-QAT", "Cityscapes", "768x384", 68.77);
        yield return Lite("MobileNetV2+UNetLite-QAT", "Cityscapes", "768x384", 68.18);
        yield return Lite("MobileNetV2+FPNLite-QAT", "Cityscapes", "768x384", 69.88);
        yield return Lite("RegNetX800MF+FPNLite", "Cityscapes", "768x384", 72.01);
        yield return Lite("RegNetX1.6GF+FPNLite", "Cityscapes", "1024x512", 75.84);
        yield return Lite("RegNetX3.2FF+FPNLite", "Cityscapes", "1536x768", 78.90);
        yield return Lite("RegNetX400MF+FPNLite", "Cityscapes", "768x384", 68.03);
        yield return Lite("RegNetX400MF+FPNLite", "Cityscapes", "1536x768", 73.96);

        // The table's "Torchvision Models" on Cityscapes: torchvision's architectures trained by TI (no weights listed).
        // Its COCOSeg21 rows are torchvision's own released models: the zoo's lraspp_mobilenet_v3_large,
        // deeplabv3_mobilenet_v3_large and deeplabv3_resnet50.
        var tvNote = "torchvision's network trained by TI on Cityscapes; " + NoWeights + " Normalisation as torchvision's (ImageNet).";
        yield return Entry("ResNet50+FCN_Cityscapes_1040x520", "FCN", "resnet50 (dilated, OS8)", "Cityscapes", "1040x520", 71.6, null,
            n => TorchvisionModels.Fcn("resnet50", n), InputNormalization.ImageNet, [tvNote]);
        yield return Entry("ResNet50+DeepLabV3_Cityscapes_1040x520", "DeepLabV3", "resnet50 (dilated, OS8)", "Cityscapes", "1040x520", 73.5, null,
            n => TorchvisionModels.DeepLabV3("resnet50", n), InputNormalization.ImageNet, [tvNote]);
    }
}
