using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// RegNet's residual bottleneck (torchvision regnet.py ResBottleneckBlock with bottleneck ratio 1 and no SE):
/// f = a (1x1) - b (3x3 grouped, strided) - c (1x1, no activation); projection shortcut when the width or stride
/// changes; ReLU after the sum. Field names `proj` and `f` (children a, b, c) are the PyTorch state-dict keys.
/// </summary>
public sealed class RegNetBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential? proj;
    readonly Sequential f;
#pragma warning restore IDE1006

    public RegNetBlock(long inChannels, long outChannels, long stride, long groupWidth, NormLayer norm) : base(nameof(RegNetBlock))
    {
        if (outChannels % groupWidth != 0)
            throw new ArgumentException($"RegNet block width {outChannels} is not a multiple of the group width {groupWidth}");
        if (inChannels != outChannels || stride != 1)
            proj = ConvNormAct.Create(inChannels, outChannels, 1, norm, activation: null, stride: stride);
        f = nn.Sequential(
            ("a", ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU)),
            ("b", ConvNormAct.Create(outChannels, outChannels, 3, norm, Activations.ReLU, stride: stride, groups: outChannels / groupWidth)),
            ("c", ConvNormAct.Create(outChannels, outChannels, 1, norm, activation: null)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shortcut = proj is null ? x : proj.forward(x);
        return nn.functional.relu(shortcut + f.forward(x)).MoveToOuterDisposeScope();
    }
}
