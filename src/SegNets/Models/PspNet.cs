using SegNets.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>PSPNet (Zhao et al.) as GluonCV builds it: pyramid pooling on the dilated stage 5, 3x3 conv to 512 - BN -
/// ReLU - Dropout(0.1) - 1x1 classifier; FCN auxiliary head on stage 4.</summary>
public static class PspNet
{
    /// <summary>GluonCV _PSPHead: `psp` then `block`.</summary>
    public static Sequential GluonCVHead(long inChannels, int numClasses)
    {
        var norm = Norms.Batch();
        var block = nn.Sequential(("0", nn.Conv2d(2 * inChannels, 512, 3, padding: 1, bias: false)), ("1", norm(512)), ("2", nn.ReLU()),
            ("3", nn.Dropout(0.1)), ("4", nn.Conv2d(512, numClasses, 1)));
        return nn.Sequential(("psp", new PyramidPooling(inChannels, norm)), ("block", block));
    }

    /// <summary>GluonCV psp_*: keys backbone.*, head.psp.*, head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50/101/152 (v1s) or resnest*, dilated to output stride 8.</param>
    public static BackboneHeadModel GluonCV(string backbone, int numClasses, bool aux = true)
    {
        var net = GluonCVModels.Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("pspnet", numClasses, net, new FeatureHead("c5", GluonCVHead(c5, numClasses)), true, "head",
            aux ? new FeatureHead("c4", Fcn.Head(c4, numClasses), "block") : null, "auxlayer");
    }
}
