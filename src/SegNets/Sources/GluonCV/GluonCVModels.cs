using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TorchSharp;

namespace SegNets.Sources.GluonCV;

/// <summary>
/// GluonCV's segmentation builders (gluoncv/model_zoo/{fcn,pspnet,deeplabv3,deeplabv3b_plus}.py): keys backbone.*,
/// head.*, auxlayer.*, which the GluonCV converter maps the .params names onto.
/// </summary>
public static class GluonCVModels
{
    static readonly long[] AsppRates = [12, 24, 36];

    /// <summary>
    /// The backbones GluonCV's segmentation models use (segbase.py get_backbone), all dilated to output stride 8:
    /// resnet50/101/152 are GluonCV's resnet*_v1s (deep stem 64, no avg-down); resnet18/34 the v1b ones;
    /// resnest50/101/200/269 ResNeSt; all without classifier.
    /// </summary>
    public static Backbone Backbone(string name)
    {
        var registered = name switch
        {
            "resnet50" or "resnet101" or "resnet152" => name + "_v1s",
            "resnet18" or "resnet34" => name + "_v1b",
            "resnest50" or "resnest101" or "resnest200" or "resnest269" => name,
            _ => throw new ArgumentException($"GluonCV segmentation backbones are resnet18/34/50/101/152 and resnest50/101/200/269, not '{name}'", nameof(name)),
        };
        return BackboneRegistry.Get(registered, new() { OutputStride = 8 });
    }

    /// <summary>GluonCV _DeepLabHead: `aspp` (concurent, project) then `block` = the FCN-style 3x3 - BN - ReLU - Dropout(0.1) - 1x1.</summary>
    public static Sequential DeepLabHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        var block = nn.Sequential(("0", nn.Conv2d(256, 256, 3, padding: 1, bias: false)), ("1", norm(256)), ("2", nn.ReLU()),
            ("3", nn.Dropout(0.1)), ("4", nn.Conv2d(256, numClasses, 1)));
        return nn.Sequential(("aspp", new Aspp(inChannels, AsppRates, norm, gluonNames: true)), ("block", block));
    }

    /// <summary>GluonCV _PSPHead: `psp` then `block`.</summary>
    public static Sequential PspHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        var block = nn.Sequential(("0", nn.Conv2d(2 * inChannels, 512, 3, padding: 1, bias: false)), ("1", norm(512)), ("2", nn.ReLU()),
            ("3", nn.Dropout(0.1)), ("4", nn.Conv2d(512, numClasses, 1)));
        return nn.Sequential(("psp", new PyramidPooling(inChannels, norm)), ("block", block));
    }

    /// <summary>GluonCV fcn_resnet*: head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50, resnet101 or resnet152 (GluonCV's v1s variants, dilated to output stride 8).</param>
    public static BackboneHeadModel Fcn(string backbone, int numClasses, bool aux = true)
    {
        var net = Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("fcn", numClasses, net, new FeatureHead("c5", Models.Fcn.Head(c5, numClasses), "block"), alignCorners: true, "head",
            aux ? new FeatureHead("c4", Models.Fcn.Head(c4, numClasses), "block") : null, "auxlayer");
    }

    /// <summary>GluonCV psp_* (PSPNet, Zhao et al.): pyramid pooling on the dilated stage 5, 3x3 conv to 512 - BN - ReLU -
    /// Dropout(0.1) - 1x1 classifier; keys head.psp.*, head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50/101/152 (v1s) or resnest*, dilated to output stride 8.</param>
    public static BackboneHeadModel PspNet(string backbone, int numClasses, bool aux = true)
    {
        var net = Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("pspnet", numClasses, net, new FeatureHead("c5", PspHead(c5, numClasses)), true, "head",
            aux ? new FeatureHead("c4", Models.Fcn.Head(c4, numClasses), "block") : null, "auxlayer");
    }

    /// <summary>GluonCV deeplab_* (DeepLabV3, Chen et al. 2017: ASPP rates 12/24/36 at output stride 8); keys head.aspp.*,
    /// head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50/101/152 (v1s) or resnest50/101/200/269, dilated to output stride 8.</param>
    public static BackboneHeadModel DeepLabV3(string backbone, int numClasses, bool aux = true)
    {
        var net = Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("deeplabv3", numClasses, net, new FeatureHead("c5", DeepLabHead(c5, numClasses)), true, "head",
            aux ? new FeatureHead("c4", Models.Fcn.Head(c4, numClasses), "block") : null, "auxlayer");
    }

    /// <summary>GluonCV deeplab_v3b_plus_wideresnet (VPLR): dilated WideResNet-38 (output stride 8) and the DeepLabV3b+
    /// decoder on its stride-2 stage (mod2, 128 ch); no auxiliary head.</summary>
    public static BackboneHeadModel DeepLabV3bPlus(int numClasses = 19)
    {
        var backbone = BackboneRegistry.Get("wideresnet38", new() { OutputStride = 8 });
        long high = backbone.Features[^1].Channels, low = backbone.Features[0].Channels;
        return new BackboneHeadModel("deeplabv3b_plus", numClasses, backbone, new DeepLabV3bPlusHead(high, low, numClasses), alignCorners: true, "head");
    }
}
