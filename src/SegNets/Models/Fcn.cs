using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// FCN (Long et al.) as torchvision and GluonCV build it on a dilated ResNet (output stride 8): a 3x3 conv to a quarter
/// of the channels, BN, ReLU, Dropout(0.1), 1x1 classifier, resized to the input. The same head on stage 4 is the
/// auxiliary head of FCN, PSPNet and DeepLabV3.
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

    /// <summary>torchvision fcn_resnet50 / fcn_resnet101: keys backbone.*, classifier.*, aux_classifier.*.</summary>
    /// <param name="backbone">resnet50 or resnet101.</param>
    public static BackboneHeadModel Torchvision(string backbone = "resnet50", int numClasses = 21, bool aux = true)
    {
        var net = TorchvisionModels.ResNetBackbone(backbone);
        return new BackboneHeadModel("fcn", numClasses, net, new FeatureHead("c5", Head(2048, numClasses)), alignCorners: false, "classifier",
            aux ? new FeatureHead("c4", Head(1024, numClasses)) : null, "aux_classifier");
    }

    /// <summary>GluonCV fcn_resnet*: keys backbone.* (GluonCV's backbone keys), head.block.*, auxlayer.block.*.</summary>
    /// <param name="backbone">resnet50, resnet101 or resnet152 (GluonCV's v1s variants, dilated to output stride 8).</param>
    public static BackboneHeadModel GluonCV(string backbone, int numClasses, bool aux = true)
    {
        var net = GluonCVModels.Backbone(backbone);
        long c5 = net.Features[^1].Channels, c4 = net.Features[^2].Channels;
        return new BackboneHeadModel("fcn", numClasses, net, new FeatureHead("c5", Head(c5, numClasses), "block"), alignCorners: true, "head",
            aux ? new FeatureHead("c4", Head(c4, numClasses), "block") : null, "auxlayer");
    }
}
