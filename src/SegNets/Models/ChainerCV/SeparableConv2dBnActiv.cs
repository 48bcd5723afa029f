using SegNets.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Models.ChainerCV;

/// <summary>
/// ChainerCV's SeparableConv2DBNActiv (chainercv links/connection/separable_conv_2d_bn_activ.py) under its own link
/// names — depthwise, dw_bn, pointwise, pw_bn — for the DeepLabV3+ head (the Xception65 backbone keeps timm's names,
/// see <see cref="SeparableConv2d"/>): depthwise kxk (groups = in, padding = dilation, no bias) → BN → [ReLU] →
/// pointwise 1x1 (no bias) → BN → [ReLU].
/// </summary>
public sealed class SeparableConv2dBnActiv : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d depthwise;
    readonly nn.Module<Tensor, Tensor> dw_bn;
    readonly Conv2d pointwise;
    readonly nn.Module<Tensor, Tensor> pw_bn;
#pragma warning restore IDE1006
    readonly bool depthwiseRelu;
    readonly bool pointwiseRelu;

    public SeparableConv2dBnActiv(long inChannels, long outChannels, long dilation, NormLayer norm, bool depthwiseRelu, bool pointwiseRelu)
        : base(nameof(SeparableConv2dBnActiv))
    {
        // aspp.py / deeplab_v3_plus.py build these with ksize 3, stride 1, pad = dilate, nobias=True.
        depthwise = nn.Conv2d(inChannels, inChannels, 3, padding: dilation, dilation: dilation, groups: inChannels, bias: false);
        dw_bn = norm(inChannels);
        pointwise = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        pw_bn = norm(outChannels);
        this.depthwiseRelu = depthwiseRelu;
        this.pointwiseRelu = pointwiseRelu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = dw_bn.forward(depthwise.forward(x));
        if (depthwiseRelu) h = nn.functional.relu(h);
        h = pw_bn.forward(pointwise.forward(h));
        if (pointwiseRelu) h = nn.functional.relu(h);
        return h.MoveToOuterDisposeScope();
    }
}
