using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// MobileNetV2's block (torchvision mobilenetv2.py InvertedResidual): [1x1 expand - norm - act] - 3x3 depthwise -
/// norm - act - 1x1 project - norm, plus the input when stride is 1 and the widths agree. The field name `conv` and
/// its numbered children are the PyTorch state-dict keys.
/// </summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential conv;
#pragma warning restore IDE1006
    readonly bool residual;

    public InvertedResidual(long inChannels, long outChannels, long stride, long expandRatio, NormLayer norm, Func<nn.Module<Tensor, Tensor>> activation, long dilation = 1)
        : base(nameof(InvertedResidual))
    {
        long hidden = inChannels * expandRatio;
        residual = stride == 1 && inChannels == outChannels;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expandRatio != 1) layers.Add(ConvNormAct.Create(inChannels, hidden, 1, norm, activation));
        layers.Add(ConvNormAct.Create(hidden, hidden, 3, norm, activation, stride: stride, groups: hidden, dilation: dilation));
        layers.Add(nn.Conv2d(hidden, outChannels, 1, bias: false));
        layers.Add(norm(outChannels));
        conv = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (!residual) return conv.forward(x);
        using var scope = NewDisposeScope();
        return (x + conv.forward(x)).MoveToOuterDisposeScope();
    }
}
