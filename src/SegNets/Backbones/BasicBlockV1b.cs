using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// Two 3x3 convs and a shortcut. GluonCV's BasicBlockV1b puts the block's dilation on the first conv and
/// the stage's on the second; torchvision's BasicBlock supports no dilation at all.
/// Field names are the PyTorch state-dict keys.
/// </summary>
public sealed class BasicBlockV1b : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly Conv2d conv2;
    readonly nn.Module<Tensor, Tensor> bn2;
    readonly nn.Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006

    public BasicBlockV1b(long inplanes, long planes, long stride, long dilation, long previousDilation, nn.Module<Tensor, Tensor>? downsample, NormLayer norm)
        : base(nameof(BasicBlockV1b))
    {
        conv1 = nn.Conv2d(inplanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: previousDilation, dilation: previousDilation, bias: false);
        bn2 = norm(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The last BN, whose scale GluonCV's last_gamma / torchvision's zero_init_residual zero.</summary>
    public nn.Module<Tensor, Tensor> LastNorm => bn2;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(y.add_(shortcut)).MoveToOuterDisposeScope();
    }
}
