using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// TensorFlow's 'SAME' padding as a layer: zero-pads a (N, C, H, W) input so that a convolution with no padding of it
/// gives ceil(size / stride) outputs, with the padding split as TF splits it — the odd row or column goes after
/// (bottom/right). It depends on the input size, stride and dilation, so for stride 2 it differs between even and
/// odd inputs (PyTorch's symmetric padding = dilation matches it only at stride 1).
/// Cite: tensorflow/tensorflow@5dcc87d0 tensorflow/core/framework/kernel_shape_util.cc GetWindowedOutputSizeVerboseV2
/// (Padding::SAME).
/// </summary>
public sealed class TfSamePadding : nn.Module<Tensor, Tensor>
{
    public TfSamePadding(long kernel, long stride = 1, long dilation = 1) : base(nameof(TfSamePadding))
    {
        if (kernel < 1 || stride < 1 || dilation < 1)
            throw new ArgumentException($"TF SAME padding needs kernel, stride and dilation >= 1, got {kernel}, {stride}, {dilation}");
        Kernel = kernel;
        Stride = stride;
        Dilation = dilation;
    }

    public long Kernel { get; }

    public long Stride { get; }

    public long Dilation { get; }

    /// <summary>Padding before and after one spatial dimension of <paramref name="size"/>.</summary>
    public static (long Before, long After) Pads(long size, long kernel, long stride, long dilation)
    {
        long effective = (kernel - 1) * dilation + 1;
        long output = (size + stride - 1) / stride;
        long needed = Math.Max(0, (output - 1) * stride + effective - size);
        return (needed / 2, needed - needed / 2);
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"TfSamePadding expects (N, C, H, W), got shape [{string.Join(", ", x.shape)}]", nameof(x));
        var (top, bottom) = Pads(x.shape[2], Kernel, Stride, Dilation);
        var (left, right) = Pads(x.shape[3], Kernel, Stride, Dilation);
        return top + bottom + left + right == 0 ? x : nn.functional.pad(x, [left, right, top, bottom]);
    }
}
