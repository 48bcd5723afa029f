using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.Torchvision;

/// <summary>
/// Lite R-ASPP (Howard et al., MobileNetV3) as torchvision's LRASPPHead: the stride-16 features through 1x1 - BN - ReLU,
/// gated by a sigmoid of their global average, resized to the stride-8 features, then a classifier on each added.
/// Field names are the state-dict keys (classifier.cbr.0.weight ...).
/// </summary>
public sealed class LRAsppHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential cbr;
    readonly Sequential scale;
    readonly Conv2d low_classifier;
    readonly Conv2d high_classifier;
#pragma warning restore IDE1006

    public LRAsppHead(long lowChannels, long highChannels, int numClasses, long interChannels = 128, string low = "c3", string high = "c5")
        : base(nameof(LRAsppHead))
    {
        Low = low;
        High = high;
        cbr = nn.Sequential(("0", nn.Conv2d(highChannels, interChannels, 1, bias: false)), ("1", nn.BatchNorm2d(interChannels)), ("2", nn.ReLU()));
        scale = nn.Sequential(("0", nn.AdaptiveAvgPool2d(1)), ("1", nn.Conv2d(highChannels, interChannels, 1, bias: false)), ("2", nn.Sigmoid()));
        low_classifier = nn.Conv2d(lowChannels, numClasses, 1);
        high_classifier = nn.Conv2d(interChannels, numClasses, 1);
        RegisterComponents();
    }

    public string Low { get; }

    public string High { get; }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var low = features[Low];
        var high = features[High];
        var x = cbr.forward(high) * scale.forward(high);
        x = Models.Upsample.BilinearLike(x, low, alignCorners: false);
        return (low_classifier.forward(low) + high_classifier.forward(x)).MoveToOuterDisposeScope();
    }
}
