using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// slim MobileNetV2's inverted residual block (tensorflow/models@ee6901ff research/slim/nets/mobilenet/conv_blocks.py
/// expanded_conv): <c>expand</c> (1x1, BN, ReLU6; only when the expansion is wider than the input) - <c>depthwise</c>
/// (3x3 with the block's stride and atrous rate, BN, ReLU6) - <c>project</c> (1x1, BN, linear), plus the input when
/// the stride is 1 and the widths agree. Child names are TF's scopes (`expanded_conv_N/expand/...`).
/// </summary>
public sealed class TfExpandedConv : nn.Module<Tensor, Tensor>
{
    readonly TfConv? expand;
    readonly TfConv depthwise;
    readonly TfConv project;
    readonly bool residual;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="expandedChannels">conv_blocks' inner_size: the expand conv exists only when this exceeds the input.</param>
    /// <param name="outChannels">The projection's channels.</param>
    /// <param name="stride">Depthwise stride (1 once the output stride is reached).</param>
    /// <param name="dilation">Depthwise atrous rate.</param>
    /// <param name="batchNormEps">slim.batch_norm's default 1e-3 (mobilenet_v2.training_scope sets none).</param>
    public TfExpandedConv(long inChannels, long expandedChannels, long outChannels, long stride, long dilation, double batchNormEps)
        : base(nameof(TfExpandedConv))
    {
        long inner = inChannels;
        if (expandedChannels > inChannels)
        {
            expand = new TfConv(inChannels, expandedChannels, 1, batchNormEps, Activations.ReLU6);
            inner = expandedChannels;
        }
        depthwise = new TfConv(inner, inner, 3, batchNormEps, Activations.ReLU6, stride, dilation, groups: inner);
        project = new TfConv(inner, outChannels, 1, batchNormEps, null);
        // conv_blocks.py: residual when stride == 1 and the depths match (the stride after output-stride handling)
        residual = stride == 1 && inChannels == outChannels;
        InChannels = inChannels;
        OutChannels = outChannels;
        RegisterComponents();
    }

    public long InChannels { get; }

    public long OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = expand is null ? x : expand.forward(x);
        h = project.forward(depthwise.forward(h));
        return (residual ? h + x : h).MoveToOuterDisposeScope();
    }
}
