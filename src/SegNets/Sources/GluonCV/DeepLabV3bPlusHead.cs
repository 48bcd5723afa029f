using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.GluonCV;

/// <summary>
/// The decoder of GluonCV's DeepLabWV3Plus (deeplabv3b_plus.py _DeepLabHead, the VPLR model of Zhu et al.): ASPP on
/// the last stage, resized (align_corners) to the stride-2 features, which a bare 1x1 conv reduces to 48 channels;
/// concatenated [low, aspp] and refined by two 3x3 conv - BN - ReLU and a 1x1 classifier, all without bias.
/// Field names are the state-dict keys.
/// </summary>
public sealed class DeepLabV3bPlusHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly VplrAspp aspp;
    readonly Sequential c1_block;
    readonly Sequential block;
#pragma warning restore IDE1006

    public DeepLabV3bPlusHead(long highChannels, long lowChannels, int numClasses, string high = "c5", string low = "c1")
        : base(nameof(DeepLabV3bPlusHead))
    {
        High = high;
        Low = low;
        var norm = Norms.Batch();
        aspp = new VplrAspp(highChannels, norm);
        c1_block = nn.Sequential(("0", nn.Conv2d(lowChannels, 48, 1, bias: false)));
        block = nn.Sequential(("0", nn.Conv2d(304, 256, 3, padding: 1, bias: false)), ("1", norm(256)), ("2", nn.ReLU()),
            ("3", nn.Conv2d(256, 256, 3, padding: 1, bias: false)), ("4", norm(256)), ("5", nn.ReLU()),
            ("6", nn.Conv2d(256, numClasses, 1, bias: false)));
        RegisterComponents();
    }

    public string High { get; }

    public string Low { get; }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var low = c1_block.forward(features[Low]);
        var x = Models.Upsample.BilinearLike(aspp.forward(features[High]), low, alignCorners: true);
        return block.forward(cat(new List<Tensor> { low, x }, 1)).MoveToOuterDisposeScope();
    }
}
