using SegNets.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TorchSharp;

namespace SegNets.Models;

/// <summary>
/// The FCN head (Long et al.) as torchvision and GluonCV build it: a 3x3 conv to a quarter of the channels, BN, ReLU,
/// Dropout(0.1), 1x1 classifier. It is FCN's head on stage 5 and the auxiliary head of FCN, PSPNet, DeepLabV3 and EncNet
/// on stage 4, in several families (the family builders are in Sources/).
/// </summary>
public static class Fcn
{
    /// <summary>torchvision FCNHead / GluonCV _FCNHead: keys 0 (conv), 1 (BN), 4 (classifier with bias).</summary>
    public static Sequential Head(long inChannels, int numClasses, NormLayer? norm = null)
    {
        norm ??= Norms.Batch();
        long inter = inChannels / 4;
        return nn.Sequential(("0", nn.Conv2d(inChannels, inter, 3, padding: 1, bias: false)), ("1", norm(inter)), ("2", nn.ReLU()),
            ("3", nn.Dropout(0.1)), ("4", nn.Conv2d(inter, numClasses, 1)));
    }
}
