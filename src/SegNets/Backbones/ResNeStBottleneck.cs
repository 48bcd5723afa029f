using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// ResNeSt's bottleneck (ResNeSt resnet.py Bottleneck with radix &gt; 0, avd, avd_first false): 1x1 - split-attention
/// 3x3 - [3x3 average pool with the block's stride, "avd"] - 1x1 (x4), plus the shortcut. avd is active when the block
/// strides or is the first of stages 2-4, so a dilated stage's first block gets a stride-1 pool (count_include_pad).
/// Field names are the PyTorch state-dict keys (conv1, bn1, conv2.*, conv3, bn3, downsample.*).
/// </summary>
public sealed class ResNeStBottleneck : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly SplitAttentionConv2d conv2;
    readonly AvgPool2d? avd_layer;
    readonly Conv2d conv3;
    readonly nn.Module<Tensor, Tensor> bn3;
    readonly nn.Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006

    public ResNeStBottleneck(long inplanes, long planes, long stride, long dilation, bool isFirst, nn.Module<Tensor, Tensor>? downsample,
        NormLayer norm, long radix = 2, long cardinality = 1, long bottleneckWidth = 64)
        : base(nameof(ResNeStBottleneck))
    {
        long groupWidth = planes * bottleneckWidth / 64 * cardinality;
        conv1 = nn.Conv2d(inplanes, groupWidth, 1, bias: false);
        bn1 = norm(groupWidth);
        if (stride > 1 || isFirst)
        {
            avd_layer = nn.AvgPool2d(3, stride: stride, padding: 1);
            stride = 1;
        }
        conv2 = new SplitAttentionConv2d(groupWidth, groupWidth, 3, stride, dilation, dilation, cardinality, radix, norm);
        conv3 = nn.Conv2d(groupWidth, planes * 4, 1, bias: false);
        bn3 = norm(planes * 4);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv2.forward(nn.functional.relu(bn1.forward(conv1.forward(x))));
        if (avd_layer is not null) y = avd_layer.forward(y);
        y = bn3.forward(conv3.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(y.add_(shortcut)).MoveToOuterDisposeScope();
    }
}
