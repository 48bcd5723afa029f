using SegNets.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// DeepLabV3 (Chen et al. 2017): ASPP with rates 12/24/36 at output stride 8 (torchvision keeps them at stride 16 for
/// MobileNetV3), a 3x3 conv - BN - ReLU, a 1x1 classifier; FCN auxiliary head on stage 4.
/// </summary>
public static class DeepLabV3
{
    static readonly long[] Rates = [12, 24, 36];

    /// <summary>torchvision DeepLabHead: 0 ASPP, 1 conv 3x3, 2 BN, 3 ReLU, 4 classifier.</summary>
    public static Sequential TorchvisionHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        return nn.Sequential(("0", new Aspp(inChannels, Rates, norm)), ("1", nn.Conv2d(256, 256, 3, padding: 1, bias: false)),
            ("2", norm(256)), ("3", nn.ReLU()), ("4", nn.Conv2d(256, numClasses, 1)));
    }

    /// <summary>GluonCV _DeepLabHead: `aspp` (concurent, project) then `block` = the FCN-style 3x3 - BN - ReLU - Dropout(0.1) - 1x1.</summary>
    public static Sequential GluonCVHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        var block = nn.Sequential(("0", nn.Conv2d(256, 256, 3, padding: 1, bias: false)), ("1", norm(256)), ("2", nn.ReLU()),
            ("3", nn.Dropout(0.1)), ("4", nn.Conv2d(256, numClasses, 1)));
        return nn.Sequential(("aspp", new Aspp(inChannels, Rates, norm, gluonNames: true)), ("block", block));
    }

    /// <summary>torchvision deeplabv3_resnet50 / deeplabv3_resnet101 / deeplabv3_mobilenet_v3_large.</summary>
    /// <param name="backbone">resnet50, resnet101 or mobilenet_v3_large.</param>
    public static BackboneHeadModel Torchvision(string backbone = "resnet50", int numClasses = 21, bool aux = true)
    {
        if (backbone == "mobilenet_v3_large")
        {
            var mobile = TorchvisionModels.MobileNetV3Backbone();
            return new BackboneHeadModel("deeplabv3", numClasses, mobile, new FeatureHead("c5", TorchvisionHead(960, numClasses)), false,
                "classifier", aux ? new FeatureHead("c3", Fcn.Head(40, numClasses)) : null, "aux_classifier");
        }
        var net = TorchvisionModels.ResNetBackbone(backbone);
        return new BackboneHeadModel("deeplabv3", numClasses, net, new FeatureHead("c5", TorchvisionHead(2048, numClasses)), false,
            "classifier", aux ? new FeatureHead("c4", Fcn.Head(1024, numClasses)) : null, "aux_classifier");
    }

    /// <summary>GluonCV deeplab_*: keys backbone.*, head.aspp.*, head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50/101/152 (v1s) or resnest50/101/200/269, dilated to output stride 8.</param>
    public static BackboneHeadModel GluonCV(string backbone, int numClasses, bool aux = true)
    {
        var net = GluonCVModels.Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("deeplabv3", numClasses, net, new FeatureHead("c5", GluonCVHead(c5, numClasses)), true, "head",
            aux ? new FeatureHead("c4", Fcn.Head(c4, numClasses), "block") : null, "auxlayer");
    }
}
