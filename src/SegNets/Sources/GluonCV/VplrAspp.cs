using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.GluonCV;

/// <summary>
/// The ASPP of GluonCV's deeplabv3b_plus.py (its own copy, not deeplabv3.py's): branches b0 (1x1), b1..b3 (3x3 at
/// 12/24/36), b4 (image pooling, `gap`), concatenated with the pooling branch FIRST, and a projection that is a bare
/// 1x1 conv (no BN, ReLU or dropout). Field names are the state-dict keys.
/// </summary>
public sealed class VplrAspp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential b0;
    readonly Sequential b1;
    readonly Sequential b2;
    readonly Sequential b3;
    readonly ImagePooling b4;
    readonly Sequential project;
#pragma warning restore IDE1006

    public VplrAspp(long inChannels, NormLayer norm, long outChannels = 256) : base(nameof(VplrAspp))
    {
        b0 = ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU);
        b1 = ConvNormAct.Create(inChannels, outChannels, 3, norm, Activations.ReLU, dilation: 12);
        b2 = ConvNormAct.Create(inChannels, outChannels, 3, norm, Activations.ReLU, dilation: 24);
        b3 = ConvNormAct.Create(inChannels, outChannels, 3, norm, Activations.ReLU, dilation: 36);
        b4 = new ImagePooling(nn.Sequential(("0", nn.AdaptiveAvgPool2d(1)), ("1", nn.Conv2d(inChannels, outChannels, 1, bias: false)),
            ("2", norm(outChannels)), ("3", nn.ReLU())), "gap");
        project = nn.Sequential(("0", nn.Conv2d(5 * outChannels, outChannels, 1, bias: false)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return project.forward(cat(new List<Tensor> { b4.forward(x), b0.forward(x), b1.forward(x), b2.forward(x), b3.forward(x) }, 1))
            .MoveToOuterDisposeScope();
    }
}
