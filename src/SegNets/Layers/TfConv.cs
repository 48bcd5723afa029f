using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// A slim.conv2d (or, with <c>groups</c> = channels, the depthwise half of slim.separable_conv2d) as TF DeepLab builds
/// it: TF 'SAME' padding (<see cref="TfSamePadding"/>), an optional slim.batch_norm and activation. The module's own
/// parameters sit where TF's variables sit in its scope — <c>weight</c> (TF `weights` or `depthwise_weights`),
/// <c>bias</c> (TF `biases`, only without a norm) — and the norm is the child <c>BatchNorm</c> (TF `BatchNorm/gamma,
/// beta, moving_mean, moving_variance`), so a TF variable name maps onto a state-dict key by renaming its last part.
/// </summary>
public sealed class TfConv : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names: TF's scope names
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly BatchNorm2d? BatchNorm;
#pragma warning restore IDE1006
    readonly nn.Module<Tensor, Tensor>? activation;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (= <paramref name="inChannels"/> for a depthwise conv).</param>
    /// <param name="kernel">Square kernel size.</param>
    /// <param name="batchNormEps">The norm's epsilon; null for a conv with a bias and no norm (TF DeepLab's logits).</param>
    /// <param name="activation">Applied after the norm; null for none (MobileNetV2's linear projections, logits).</param>
    public TfConv(long inChannels, long outChannels, long kernel, double? batchNormEps, Func<nn.Module<Tensor, Tensor>>? activation,
        long stride = 1, long dilation = 1, long groups = 1) : base(nameof(TfConv))
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"TfConv: {inChannels} -> {outChannels} channels cannot be split into {groups} groups");
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Dilation = dilation;
        Groups = groups;
        weight = new Parameter(empty(outChannels, inChannels / groups, kernel, kernel));
        // PyTorch's default for a conv's weights and bias (kaiming-uniform with a = sqrt(5)) until weights are loaded.
        nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (batchNormEps is double eps)
        {
            BatchNorm = nn.BatchNorm2d(outChannels, eps: eps);
        }
        else
        {
            double bound = 1 / Math.Sqrt(inChannels / groups * kernel * kernel);
            bias = new Parameter(empty(outChannels).uniform_(-bound, bound));
        }
        this.activation = activation?.Invoke();
        RegisterComponents();
    }

    public long InChannels { get; }

    public long OutChannels { get; }

    public long Kernel { get; }

    public long Stride { get; }

    public long Dilation { get; }

    public long Groups { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (top, bottom) = TfSamePadding.Pads(x.shape[2], Kernel, Stride, Dilation);
        var (left, right) = TfSamePadding.Pads(x.shape[3], Kernel, Stride, Dilation);
        Tensor y;
        // Symmetric padding is the conv's own (no copy); only TF's uneven split needs an explicit pad.
        if (top == bottom && left == right)
            y = nn.functional.conv2d(x, weight, bias, [Stride, Stride], [top, left], [Dilation, Dilation], Groups);
        else
            y = nn.functional.conv2d(nn.functional.pad(x, [left, right, top, bottom]), weight, bias, [Stride, Stride], [0, 0], [Dilation, Dilation], Groups);
        if (BatchNorm is not null) y = BatchNorm.forward(y);
        if (activation is not null) y = activation.forward(y);
        return y.MoveToOuterDisposeScope();
    }
}
