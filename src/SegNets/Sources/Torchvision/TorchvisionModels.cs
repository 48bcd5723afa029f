using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TorchSharp;

namespace SegNets.Sources.Torchvision;

/// <summary>
/// torchvision's segmentation builders (torchvision models/segmentation/{fcn,deeplabv3,lraspp}.py, v0.14): the same
/// networks and state-dict keys (backbone.*, classifier.*, aux_classifier.*), so torchvision's .pth files load as they
/// are.
/// </summary>
public static class TorchvisionModels
{
    static readonly long[] AsppRates = [12, 24, 36];

    /// <summary>torchvision ResNet-50/101 with replace_stride_with_dilation=[False, True, True] (output stride 8), no fc.</summary>
    public static ResNetV1b ResNetBackbone(string name)
    {
        if (name is not ("resnet50" or "resnet101"))
            throw new ArgumentException($"torchvision's segmentation models use resnet50 or resnet101, not '{name}'", nameof(name));
        return (ResNetV1b)BackboneRegistry.Get(name, new() { OutputStride = 8 });
    }

    /// <summary>MobileNetV3-Large with dilated=True (output stride 16), keyed as torchvision's segmentation checkpoints.</summary>
    public static MobileNetV3Large MobileNetV3Backbone() =>
        (MobileNetV3Large)BackboneRegistry.Get("mobilenet_v3_large_segmentation", new() { OutputStride = 16 });

    /// <summary>torchvision DeepLabHead: 0 ASPP, 1 conv 3x3, 2 BN, 3 ReLU, 4 classifier.</summary>
    public static Sequential DeepLabHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        return nn.Sequential(("0", new Aspp(inChannels, AsppRates, norm)), ("1", nn.Conv2d(256, 256, 3, padding: 1, bias: false)),
            ("2", norm(256)), ("3", nn.ReLU()), ("4", nn.Conv2d(256, numClasses, 1)));
    }

    /// <summary>torchvision fcn_resnet50 / fcn_resnet101.</summary>
    /// <param name="backbone">resnet50 or resnet101.</param>
    public static BackboneHeadModel Fcn(string backbone = "resnet50", int numClasses = 21, bool aux = true)
    {
        var net = ResNetBackbone(backbone);
        return new BackboneHeadModel("fcn", numClasses, net, new FeatureHead("c5", Models.Fcn.Head(2048, numClasses)), alignCorners: false,
            "classifier", aux ? new FeatureHead("c4", Models.Fcn.Head(1024, numClasses)) : null, "aux_classifier");
    }

    /// <summary>torchvision deeplabv3_resnet50 / deeplabv3_resnet101 / deeplabv3_mobilenet_v3_large: ASPP rates 12/24/36
    /// (torchvision keeps them for MobileNetV3 at output stride 16).</summary>
    /// <param name="backbone">resnet50, resnet101 or mobilenet_v3_large.</param>
    public static BackboneHeadModel DeepLabV3(string backbone = "resnet50", int numClasses = 21, bool aux = true)
    {
        if (backbone == "mobilenet_v3_large")
        {
            var mobile = MobileNetV3Backbone();
            return new BackboneHeadModel("deeplabv3", numClasses, mobile, new FeatureHead("c5", DeepLabHead(960, numClasses)), false,
                "classifier", aux ? new FeatureHead("c3", Models.Fcn.Head(40, numClasses)) : null, "aux_classifier");
        }
        var net = ResNetBackbone(backbone);
        return new BackboneHeadModel("deeplabv3", numClasses, net, new FeatureHead("c5", DeepLabHead(2048, numClasses)), false,
            "classifier", aux ? new FeatureHead("c4", Models.Fcn.Head(1024, numClasses)) : null, "aux_classifier");
    }

    /// <summary>torchvision lraspp_mobilenet_v3_large: dilated MobileNetV3-Large, LR-ASPP on its stride-8 (40 ch) and
    /// last (960 ch) features, no auxiliary head.</summary>
    public static BackboneHeadModel LRAspp(int numClasses = 21) =>
        new("lraspp", numClasses, MobileNetV3Backbone(), new LRAsppHead(40, 960, numClasses), alignCorners: false, "classifier");
}
