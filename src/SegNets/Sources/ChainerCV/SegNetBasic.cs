using SegNets.Data;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV's SegNetBasic (chainercv links/model/segnet/segnet_basic.py; CamVid, 11 classes, 360x480, raw 0-255
/// RGB): a local response normalisation (n 5, k 1, Chainer alpha 1e-4/5, beta 0.75), four encoder stages (7x7 conv
/// 64 ch without bias, BN eps 2e-5, ReLU, 2x2/2 max pool with indices in Chainer's cover_all = ceil mode), four
/// decoder stages (max-unpool 2x2/2 into twice the size with the matching stage's indices, 7x7 conv, BN, no ReLU),
/// and a 1x1 classifier with bias. No skips. Names are ChainerCV's link names (conv1, conv1_bn, conv_decode4,
/// conv_decode4_bn, conv_classifier). It has no backbone feature API, so it is its own <see cref="SegmentationModel"/>.
/// </summary>
public sealed class SegNetBasic : SegmentationModel
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> conv1_bn;
    readonly Conv2d conv2;
    readonly nn.Module<Tensor, Tensor> conv2_bn;
    readonly Conv2d conv3;
    readonly nn.Module<Tensor, Tensor> conv3_bn;
    readonly Conv2d conv4;
    readonly nn.Module<Tensor, Tensor> conv4_bn;
    readonly Conv2d conv_decode4;
    readonly nn.Module<Tensor, Tensor> conv_decode4_bn;
    readonly Conv2d conv_decode3;
    readonly nn.Module<Tensor, Tensor> conv_decode3_bn;
    readonly Conv2d conv_decode2;
    readonly nn.Module<Tensor, Tensor> conv_decode2_bn;
    readonly Conv2d conv_decode1;
    readonly nn.Module<Tensor, Tensor> conv_decode1_bn;
    readonly Conv2d conv_classifier;
#pragma warning restore IDE1006

    public SegNetBasic(int numClasses = 11, NormLayer? norm = null) : base(nameof(SegNetBasic), numClasses)
    {
        norm ??= Norms.Batch(eps: 2e-5);
        (conv1, conv1_bn) = (Conv7(3), norm(64));
        (conv2, conv2_bn) = (Conv7(64), norm(64));
        (conv3, conv3_bn) = (Conv7(64), norm(64));
        (conv4, conv4_bn) = (Conv7(64), norm(64));
        (conv_decode4, conv_decode4_bn) = (Conv7(64), norm(64));
        (conv_decode3, conv_decode3_bn) = (Conv7(64), norm(64));
        (conv_decode2, conv_decode2_bn) = (Conv7(64), norm(64));
        (conv_decode1, conv_decode1_bn) = (Conv7(64), norm(64));
        conv_classifier = nn.Conv2d(64, numClasses, 1, bias: true);
        Normalization = InputNormalization.Raw;
        RegisterComponents();
        Init.TorchvisionDefault(this);
    }

    static Conv2d Conv7(long inChannels) => nn.Conv2d(inChannels, 64, 7, padding: 3, bias: false);

    /// <summary>
    /// Logits at the input's size. For most sizes that is <see cref="Score"/> itself; when the ceil-mode pooling made
    /// it larger (an odd size at some stage, e.g. 45 rows → 23 → unpooled to 46), it is resized bilinearly with
    /// half-pixel centres (align_corners false) to the input, as SegNetBasic.predict does with chainercv.transforms.resize
    /// (cv2.resize INTER_LINEAR when OpenCV is installed).
    /// </summary>
    public override SegmentationOutput forward(Tensor x) =>
        new(Models.Upsample.Bilinear(Score(x), x.shape[2], x.shape[3], alignCorners: false));

    /// <summary>ChainerCV's SegNetBasic.forward: the classifier's output, whose size can exceed the input's by the
    /// ceil-mode pooling (it equals the input's when every stage's size is even).</summary>
    public Tensor Score(Tensor x)
    {
        using var scope = NewDisposeScope();
        // segnet_basic.py: F.local_response_normalization(x, 5, 1, 1e-4 / 5., 0.75); PyTorch divides alpha by n itself.
        var h = nn.functional.local_response_norm(x, 5, alpha: 1e-4, beta: 0.75, k: 1.0);
        var (h1, i1, w1) = Encode(h, conv1, conv1_bn);
        var (h2, i2, w2) = Encode(h1, conv2, conv2_bn);
        var (h3, i3, w3) = Encode(h2, conv3, conv3_bn);
        var (h4, i4, w4) = Encode(h3, conv4, conv4_bn);
        h = conv_decode4_bn.forward(conv_decode4.forward(Unpool(h4, i4, w4)));
        h = conv_decode3_bn.forward(conv_decode3.forward(Unpool(h, i3, w3)));
        h = conv_decode2_bn.forward(conv_decode2.forward(Unpool(h, i2, w2)));
        h = conv_decode1_bn.forward(conv_decode1.forward(Unpool(h, i1, w1)));
        return conv_classifier.forward(h).MoveToOuterDisposeScope();
    }

    // F.max_pooling_2d(relu(bn(conv(h))), 2, 2, return_indices=True); Chainer's default cover_all=True is ceil mode
    // (its size (h - 2 + 1) // 2 + 1 = ceil(h / 2) is PyTorch's). PyTorch's indices are flat over the pooled input,
    // so its width is kept to decode them.
    static (Tensor Pooled, Tensor Indices, long InputWidth) Encode(Tensor x, Conv2d conv, nn.Module<Tensor, Tensor> bn)
    {
        var y = nn.functional.relu(bn.forward(conv.forward(x)));
        var (pooled, indices) = nn.functional.max_pool2d_with_indices(y, [2, 2], [2, 2], ceil_mode: true);
        return (pooled, indices, y.shape[3]);
    }

    /// <summary>
    /// SegNetBasic._upsampling_2d: crop x and the indices to their common size (h, w), then F.upsampling_2d(ksize 2,
    /// stride 2, outsize (2h, 2w)), which puts each value at its max's place in its 2x2 window and zeros elsewhere.
    /// The indices come flat over a pooled input of width <paramref name="inputWidth"/>; they are re-flattened over
    /// the output's width 2w, which can differ (the pooled input may be one row or column smaller, or — after a
    /// ceil-mode stage — the unpooled map one larger). A window's row and column stay inside (2h, 2w).
    /// </summary>
    public static Tensor Unpool(Tensor x, Tensor indices, long inputWidth)
    {
        using var scope = NewDisposeScope();
        long h = Math.Min(x.shape[2], indices.shape[2]), w = Math.Min(x.shape[3], indices.shape[3]);
        x = x[.., .., ..(int)h, ..(int)w];
        indices = indices[.., .., ..(int)h, ..(int)w];
        var flat = indices.div(inputWidth, rounding_mode: RoundingMode.floor) * (2 * w) + indices.remainder(inputWidth);
        var output = zeros(x.shape[0], x.shape[1], 4 * h * w, dtype: x.dtype, device: x.device);
        output.scatter_(2, flat.flatten(2), x.flatten(2));
        return output.view(x.shape[0], x.shape[1], 2 * h, 2 * w).MoveToOuterDisposeScope();
    }
}
