using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// Depthwise kxk conv - norm - [ReLU] - pointwise 1x1 conv - norm - [ReLU], the separable conv of the aligned Xception
/// (TF DeepLab; ChainerCV SeparableConv2DBNActiv; timm xception_aligned.py SeparableConv2d). Padding is symmetric,
/// dilation x (k - 1) / 2. Its four layers are registered under the names of the checkpoint it mirrors:
/// <see cref="TimmNames"/> (conv_dw, bn_dw, conv_pw, bn_pw; the default) or <see cref="ChainerCVNames"/> (depthwise,
/// dw_bn, pointwise, pw_bn).
/// </summary>
public sealed class SeparableConv2d : nn.Module<Tensor, Tensor>
{
    /// <summary>timm's xception_aligned.py names.</summary>
    public static readonly string[] TimmNames = ["conv_dw", "bn_dw", "conv_pw", "bn_pw"];

    /// <summary>ChainerCV's SeparableConv2DBNActiv link names.</summary>
    public static readonly string[] ChainerCVNames = ["depthwise", "dw_bn", "pointwise", "pw_bn"];

    readonly Conv2d depthwise;
    readonly nn.Module<Tensor, Tensor> depthwiseNorm;
    readonly Conv2d pointwise;
    readonly nn.Module<Tensor, Tensor> pointwiseNorm;
    readonly bool depthwiseRelu;
    readonly bool pointwiseRelu;

    /// <param name="names">State-dict names of depthwise conv, its norm, pointwise conv, its norm.</param>
    public SeparableConv2d(long inChannels, long outChannels, NormLayer norm, long kernel = 3, long stride = 1, long dilation = 1,
        bool depthwiseRelu = false, bool pointwiseRelu = false, string[]? names = null)
        : base(nameof(SeparableConv2d))
    {
        names ??= TimmNames;
        if (names.Length != 4) throw new ArgumentException("four names: depthwise conv, its norm, pointwise conv, its norm", nameof(names));
        depthwise = nn.Conv2d(inChannels, inChannels, kernel, stride: stride, padding: (kernel - 1) / 2 * dilation, dilation: dilation,
            groups: inChannels, bias: false);
        depthwiseNorm = norm(inChannels);
        pointwise = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        pointwiseNorm = norm(outChannels);
        this.depthwiseRelu = depthwiseRelu;
        this.pointwiseRelu = pointwiseRelu;
        register_module(names[0], depthwise);
        register_module(names[1], depthwiseNorm);
        register_module(names[2], pointwise);
        register_module(names[3], pointwiseNorm);
    }

    // The layers are registered above under the checkpoint's names; TorchSharp must not add the field names as well.
    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = depthwiseNorm.forward(depthwise.forward(x));
        if (depthwiseRelu) y = nn.functional.relu(y);
        y = pointwiseNorm.forward(pointwise.forward(y));
        if (pointwiseRelu) y = nn.functional.relu(y);
        return y.MoveToOuterDisposeScope();
    }
}
