using SegNets.Backbones;

namespace SegNets.Models;

/// <summary>The backbones torchvision's segmentation builders use (segmentation/fcn.py, deeplabv3.py, lraspp.py).</summary>
public static class TorchvisionModels
{
    /// <summary>torchvision ResNet-50/101 with replace_stride_with_dilation=[False, True, True] (output stride 8), no fc.</summary>
    public static ResNetV1b ResNetBackbone(string name) => name switch
    {
        "resnet50" or "resnet101" => new ResNetV1b(ResNetConfig.Get(name), outputStride: 8, numClasses: 0),
        _ => throw new ArgumentException($"torchvision's segmentation models use resnet50 or resnet101, not '{name}'", nameof(name)),
    };

    /// <summary>MobileNetV3-Large with dilated=True (output stride 16), keyed as torchvision's segmentation checkpoints.</summary>
    public static MobileNetV3Large MobileNetV3Backbone() => new(outputStride: 16, numClasses: 0, segmentationKeys: true);
}
