using SegNets.Backbones;

namespace SegNets.Models;

/// <summary>The backbones GluonCV's segmentation models use (segbase.py get_backbone), all dilated to output stride 8.</summary>
public static class GluonCVModels
{
    /// <summary>
    /// resnet50/101/152 are GluonCV's resnet*_v1s (deep stem 64, no avg-down); resnet18/34 the v1b ones;
    /// resnest50/101/200/269 ResNeSt; all without classifier.
    /// </summary>
    public static Backbone Backbone(string name) => name switch
    {
        "resnet50" or "resnet101" or "resnet152" => new ResNetV1b(ResNetConfig.Get(name + "_v1s"), outputStride: 8, numClasses: 0),
        "resnet18" or "resnet34" => new ResNetV1b(ResNetConfig.Get(name + "_v1b"), outputStride: 8, numClasses: 0),
        "resnest50" or "resnest101" or "resnest200" or "resnest269" => new ResNeSt(name, outputStride: 8, numClasses: 0),
        _ => throw new ArgumentException($"GluonCV segmentation backbones are resnet18/34/50/101/152 and resnest50/101/200/269, not '{name}'", nameof(name)),
    };
}
