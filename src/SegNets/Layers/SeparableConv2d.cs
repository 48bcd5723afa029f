using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// Depthwise kxk conv - norm - [ReLU] - pointwise 1x1 conv - norm - [ReLU], the separable conv of the aligned Xception
/// (TF DeepLab; ChainerCV SeparableConv2DBNActiv; timm xception_aligned.py SeparableConv2d). Padding is symmetric,
/// dilation x (k - 1) / 2. Field names are timm's state-dict keys (conv_dw, bn_dw, conv_pw, bn_pw).
/// </summary>
public sealed class SeparableConv2d : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv_dw;
    readonly nn.Module<Tensor, Tensor> bn_dw;
    readonly Conv2d conv_pw;
    readonly nn.Module<Tensor, Tensor> bn_pw;
#pragma warning restore IDE1006
    readonly bool depthwiseRelu;
    readonly bool pointwiseRelu;

    public SeparableConv2d(long inChannels, long outChannels, NormLayer norm, long kernel = 3, long stride = 1, long dilation = 1,
        bool depthwiseRelu = false, bool pointwiseRelu = false)
        : base(nameof(SeparableConv2d))
    {
        conv_dw = nn.Conv2d(inChannels, inChannels, kernel, stride: stride, padding: (kernel - 1) / 2 * dilation, dilation: dilation,
            groups: inChannels, bias: false);
        bn_dw = norm(inChannels);
        conv_pw = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        bn_pw = norm(outChannels);
        this.depthwiseRelu = depthwiseRelu;
        this.pointwiseRelu = pointwiseRelu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn_dw.forward(conv_dw.forward(x));
        if (depthwiseRelu) y = nn.functional.relu(y);
        y = bn_pw.forward(conv_pw.forward(y));
        if (pointwiseRelu) y = nn.functional.relu(y);
        return y.MoveToOuterDisposeScope();
    }
}
