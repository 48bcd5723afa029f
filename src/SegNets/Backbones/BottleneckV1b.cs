using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// 1x1 - 3x3 - 1x1 (x4) with a shortcut; the stride and dilation sit on the 3x3 conv
/// (GluonCV resnetv1b.py BottleneckV1b; torchvision's Bottleneck is the same). Field names are the PyTorch state-dict keys.
/// </summary>
public sealed class BottleneckV1b : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly Conv2d conv2;
    readonly nn.Module<Tensor, Tensor> bn2;
    readonly Conv2d conv3;
    readonly nn.Module<Tensor, Tensor> bn3;
    readonly nn.Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006

    public BottleneckV1b(long inplanes, long planes, long stride, long dilation, nn.Module<Tensor, Tensor>? downsample, NormLayer norm)
        : base(nameof(BottleneckV1b))
    {
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = norm(planes);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = norm(planes * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The last BN, whose scale GluonCV's last_gamma / torchvision's zero_init_residual zero.</summary>
    public nn.Module<Tensor, Tensor> LastNorm => bn3;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = nn.functional.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(y.add_(shortcut)).MoveToOuterDisposeScope();
    }
}
