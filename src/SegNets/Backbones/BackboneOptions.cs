using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>What a family builder may choose when it asks <see cref="BackboneRegistry"/> for a backbone.</summary>
public sealed record BackboneOptions
{
    /// <summary>32 (classification), 16 or 8 (dilated for segmentation), where the backbone supports it; null = the
    /// backbone's own (32 for classifiers, 8 for ChainerCV's DilatedResNet, WideResNet-38 and TF's MobileNetV2).</summary>
    public int? OutputStride { get; init; }

    /// <summary>Normalisation layer; the backbone's default (BatchNorm, eps 1e-5) when null.</summary>
    public NormLayer? Norm { get; init; }

    /// <summary>Size of the ImageNet classifier; 0 builds the feature extractor only.</summary>
    public int NumClasses { get; init; }

    /// <summary>The activation, for backbones that take one (MobileNetV2: ReLU6 by default, ReLU in TI's Lite models).</summary>
    public Func<nn.Module<Tensor, Tensor>>? Activation { get; init; }
}
