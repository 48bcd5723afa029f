using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// Conv (no bias) - norm - optional ReLU with children named `conv` and `bn`, the layout of timm's ConvNormAct (and of
/// most GluonCV/ChainerCV conversions), so state-dict keys read x.conv.weight, x.bn.running_mean.
/// </summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv;
    readonly nn.Module<Tensor, Tensor> bn;
#pragma warning restore IDE1006
    readonly bool relu;

    public ConvBnAct(long inChannels, long outChannels, long kernel, NormLayer norm, bool relu = true, long stride = 1, long dilation = 1, long groups = 1)
        : base(nameof(ConvBnAct))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2 * dilation, dilation: dilation, groups: groups, bias: false);
        bn = norm(outChannels);
        this.relu = relu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn.forward(conv.forward(x));
        return relu ? nn.functional.relu(y, inplace: true) : y;
    }
}
