using SegNets.Backbones;

namespace SegNets.Models;

/// <summary>GluonCV deeplab_v3b_plus_wideresnet (VPLR): dilated WideResNet-38 (output stride 8) and the DeepLabV3b+
/// decoder on its stride-2 stage (mod2, 128 ch); no auxiliary head.</summary>
public static class DeepLabV3bPlus
{
    public static BackboneHeadModel GluonCV(int numClasses = 19)
    {
        var backbone = new WideResNet38(outputStride: 8);
        long high = backbone.Features[^1].Channels, low = backbone.Features[0].Channels;
        return new BackboneHeadModel("deeplabv3b_plus", numClasses, backbone, new DeepLabV3bPlusHead(high, low, numClasses), alignCorners: true, "head");
    }
}
