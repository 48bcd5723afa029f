using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// ResNeSt's split-attention convolution (Zhang et al. 2020; ResNeSt resnest/torch/models/splat.py SplAtConv2d,
/// GluonCV gluoncv/nn/splat.py): a grouped conv to radix x channels, BN, ReLU; the radix splits are summed, pooled and
/// passed through fc1 - BN - ReLU - fc2; a softmax over the radix (sigmoid when radix is 1) weights the splits.
/// Field names are the PyTorch state-dict keys (conv, bn0, fc1, bn1, fc2).
/// </summary>
public sealed class SplitAttentionConv2d : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv;
    readonly nn.Module<Tensor, Tensor> bn0;
    readonly Conv2d fc1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly Conv2d fc2;
#pragma warning restore IDE1006
    readonly long radix;
    readonly long cardinality;

    public SplitAttentionConv2d(long inChannels, long channels, long kernel, long stride, long padding, long dilation,
        long cardinality, long radix, NormLayer norm, long reductionFactor = 4)
        : base(nameof(SplitAttentionConv2d))
    {
        this.radix = radix;
        this.cardinality = cardinality;
        // The attention width counts the input channels: max(in x radix / 4, 32).
        long inter = Math.Max(inChannels * radix / reductionFactor, 32);
        conv = nn.Conv2d(inChannels, channels * radix, kernel, stride: stride, padding: padding, dilation: dilation,
            groups: cardinality * radix, bias: false);
        bn0 = norm(channels * radix);
        fc1 = nn.Conv2d(channels, inter, 1, groups: cardinality);
        bn1 = norm(inter);
        fc2 = nn.Conv2d(inter, channels * radix, 1, groups: cardinality);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn0.forward(conv.forward(input)));
        long batch = x.shape[0];
        long width = x.shape[1] / radix;
        Tensor[] splits = radix > 1 ? x.split(width, 1) : [x];
        var gap = splits[0];
        for (int r = 1; r < splits.Length; r++) gap = gap + splits[r];
        gap = nn.functional.relu(bn1.forward(fc1.forward(nn.functional.adaptive_avg_pool2d(gap, 1))));
        var attention = fc2.forward(gap);
        if (radix > 1)
        {
            // rSoftMax: (B, cardinality, radix, rest) -> softmax over the radix, laid out radix-major.
            attention = attention.view(batch, cardinality, radix, -1).transpose(1, 2).softmax(1).reshape(batch, -1, 1, 1);
            var weights = attention.split(width, 1);
            var output = weights[0] * splits[0];
            for (int r = 1; r < splits.Length; r++) output = output + weights[r] * splits[r];
            return output.MoveToOuterDisposeScope();
        }
        return (attention.sigmoid().reshape(batch, -1, 1, 1) * x).MoveToOuterDisposeScope();
    }
}
