using SegNets.Backbones;
using SegNets.Checkpoints.Converters;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources;

namespace SegNets.Sources.Torchvision;

/// <summary>
/// torchvision's segmentation weights (torchvision/models/segmentation/*.py *_Weights; pytorch/vision v0.14.1,
/// URLs and parameter counts there): COCO train2017 restricted to the 20 VOC categories, evaluated on COCO val2017 with VOC labels.
/// Their state dicts load into SegNets' models unchanged.
/// </summary>
static class TorchvisionZoo
{
    const string Split = "COCO val2017, VOC labels";

    static ZooEntry Entry(string name, string method, string backbone, string file, double mIoU, double pixAcc, long parameters,
        Func<int, SegmentationModel> builder) => new()
    {
        Name = name, Architecture = method, Backbone = backbone, Dataset = "COCO (VOC classes)", NumClasses = 21, Labels = Datasets.CocoVoc,
        Normalization = InputNormalization.ImageNet,
        // transforms._presets.SemanticSegmentation(resize_size=520); references/segmentation evaluates at that size.
        Evaluation = new(520, null, null, "torchvision SemanticSegmentation preset: shorter side resized to 520 (bilinear), single scale, no crop"),
        Reported = [new("mIoU", mIoU, Split), new("pixAcc", pixAcc, Split)],
        // torch.hub: the SHA-256 of the file starts with the hex after the last '-' of its name.
        Checkpoint = new($"https://download.pytorch.org/models/{file}", PublishedFormat.Pth, PublishedHash.Sha256Prefix, file[(file.LastIndexOf('-') + 1)..^4], CheckpointConverter.Identity),
        ParameterCount = parameters, Builder = builder,
    };

    public static IEnumerable<ZooEntry> Entries()
    {
        yield return Entry("fcn_resnet50", "FCN", "resnet50 (dilated, OS8)", "fcn_resnet50_coco-1167a1af.pth", 60.5, 91.4, 35_322_218,
            n => TorchvisionModels.Fcn("resnet50", n));
        yield return Entry("fcn_resnet101", "FCN", "resnet101 (dilated, OS8)", "fcn_resnet101_coco-7ecb50ca.pth", 63.7, 91.9, 54_314_346,
            n => TorchvisionModels.Fcn("resnet101", n));
        yield return Entry("deeplabv3_resnet50", "DeepLabV3", "resnet50 (dilated, OS8)", "deeplabv3_resnet50_coco-cd0a2569.pth", 66.4, 92.4,
            42_004_074, n => TorchvisionModels.DeepLabV3("resnet50", n));
        yield return Entry("deeplabv3_resnet101", "DeepLabV3", "resnet101 (dilated, OS8)", "deeplabv3_resnet101_coco-586e9e4e.pth", 67.4, 92.4,
            60_996_202, n => TorchvisionModels.DeepLabV3("resnet101", n));
        yield return Entry("deeplabv3_mobilenet_v3_large", "DeepLabV3", "mobilenet_v3_large (dilated, OS16)", "deeplabv3_mobilenet_v3_large-fc3c493d.pth",
            60.3, 91.2, 11_029_328, n => TorchvisionModels.DeepLabV3("mobilenet_v3_large", n));
        yield return Entry("lraspp_mobilenet_v3_large", "LR-ASPP", "mobilenet_v3_large (dilated, OS16)", "lraspp_mobilenet_v3_large-d234d4ea.pth",
            57.9, 91.2, 3_221_538, n => TorchvisionModels.LRAspp(n));
    }
}
