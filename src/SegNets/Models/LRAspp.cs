namespace SegNets.Models;

/// <summary>torchvision lraspp_mobilenet_v3_large: dilated MobileNetV3-Large, LR-ASPP on its stride-8 (40 ch) and
/// last (960 ch) features, no auxiliary head.</summary>
public static class LRAspp
{
    public static BackboneHeadModel Torchvision(int numClasses = 21) =>
        new("lraspp", numClasses, TorchvisionModels.MobileNetV3Backbone(), new LRAsppHead(40, 960, numClasses), alignCorners: false, "classifier");
}
