using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The pre-activation block of Wider ResNet (GluonCV wideresnet.py IdentityResidualBlock, from mapillary/inplace_abn):
/// bn1 = BN + ReLU on the input; convs = 3x3 - BN/ReLU - 3x3 (two widths) or 1x1 - BN/ReLU - 3x3 - BN/ReLU - [dropout] -
/// 1x1 (three widths), the stride on the first conv, the dilation on the 3x3s; the shortcut is a 1x1 projection of
/// bn1's output when the stride or width changes, else the raw input; the sum has no ReLU after it.
/// Field names are the state-dict keys (bn1.0, convs.N, proj_conv).
/// </summary>
public sealed class IdentityResidualBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential bn1;
    readonly Sequential convs;
    readonly Conv2d? proj_conv;
#pragma warning restore IDE1006

    public IdentityResidualBlock(long inChannels, long[] channels, long stride, long dilation, NormLayer norm, double dropout = 0)
        : base(nameof(IdentityResidualBlock))
    {
        if (channels.Length is not (2 or 3))
            throw new ArgumentException($"channels must hold two or three widths, not {channels.Length}", nameof(channels));
        bn1 = BnRelu(inChannels, norm);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (channels.Length == 2)
        {
            layers.Add(nn.Conv2d(inChannels, channels[0], 3, stride: stride, padding: dilation, dilation: dilation, bias: false));
            layers.Add(BnRelu(channels[0], norm));
            if (dropout > 0) layers.Add(nn.Dropout(dropout));
            layers.Add(nn.Conv2d(channels[0], channels[1], 3, padding: dilation, dilation: dilation, bias: false));
        }
        else
        {
            layers.Add(nn.Conv2d(inChannels, channels[0], 1, stride: stride, bias: false));
            layers.Add(BnRelu(channels[0], norm));
            layers.Add(nn.Conv2d(channels[0], channels[1], 3, padding: dilation, dilation: dilation, bias: false));
            layers.Add(BnRelu(channels[1], norm));
            if (dropout > 0) layers.Add(nn.Dropout(dropout));
            layers.Add(nn.Conv2d(channels[1], channels[2], 1, bias: false));
        }
        convs = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        if (stride != 1 || inChannels != channels[^1])
            proj_conv = nn.Conv2d(inChannels, channels[^1], 1, stride: stride, bias: false);
        RegisterComponents();
    }

    /// <summary>GluonCV's bnrelu: BN then ReLU, children 0 and 1.</summary>
    internal static Sequential BnRelu(long channels, NormLayer norm) => nn.Sequential(("0", norm(channels)), ("1", nn.ReLU()));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var activated = bn1.forward(x);
        var shortcut = proj_conv is null ? x : proj_conv.forward(activated);
        return (convs.forward(activated) + shortcut).MoveToOuterDisposeScope();
    }
}
