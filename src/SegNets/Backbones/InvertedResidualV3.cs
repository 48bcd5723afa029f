using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// MobileNetV3's block (torchvision mobilenetv3.py InvertedResidual): [1x1 expand] - kxk depthwise - [SE] - 1x1
/// project, residual when the nominal stride is 1 and widths agree. A dilated block drops its stride (torchvision:
/// "stride = 1 if dilation > 1"). Field `block` and its numbered children are the PyTorch state-dict keys.
/// </summary>
public sealed class InvertedResidualV3 : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential block;
#pragma warning restore IDE1006
    readonly bool residual;

    public InvertedResidualV3(long inChannels, long kernel, long expanded, long outChannels, bool squeezeExcite, bool hardswish,
        long stride, long dilation, NormLayer norm)
        : base(nameof(InvertedResidualV3))
    {
        Func<nn.Module<Tensor, Tensor>> activation = hardswish ? Activations.Hardswish : Activations.ReLU;
        residual = stride == 1 && inChannels == outChannels;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expanded != inChannels) layers.Add(ConvNormAct.Create(inChannels, expanded, 1, norm, activation));
        layers.Add(ConvNormAct.Create(expanded, expanded, kernel, norm, activation,
            stride: dilation > 1 ? 1 : stride, groups: expanded, dilation: dilation));
        if (squeezeExcite) layers.Add(new SqueezeExcitation(expanded, MobileNetV2.MakeDivisible(expanded / 4)));
        layers.Add(ConvNormAct.Create(expanded, outChannels, 1, norm, activation: null));
        block = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (!residual) return block.forward(x);
        using var scope = NewDisposeScope();
        return (x + block.forward(x)).MoveToOuterDisposeScope();
    }
}
