using SegNets.Layers;
using SegNets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV's pyramid pooling (chainercv experimental/links/model/pspnet/pspnet.py, PyramidPoolingModule). Unlike
/// PyTorch/GluonCV's adaptive pooling, each level is a FIXED-kernel average pool, kernel = stride =
/// (configured input size // 8) // level, floor mode, so the kernels come from the input size the net was built for
/// (713 → 89 → 14/29/44/89), not from the feature map it gets (90x90 for 713: the trailing row and column are
/// dropped). Each level: pool, Conv2DBNActiv 1x1 (in/4 channels), bilinear resize (align_corners, Chainer's
/// F.resize_images) back to the feature size; output concat [x, level 6, 3, 2, 1]. Being a ChainList, its children
/// are named 0..3 (keys ppm.0.conv.weight).
/// </summary>
public sealed class PyramidPoolingModule : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct[] branches;
    readonly (long H, long W)[] kernels;

    /// <param name="inChannels">Channels of the feature map (2048).</param>
    /// <param name="featureHeight">The configured input height // 8.</param>
    /// <param name="featureWidth">The configured input width // 8.</param>
    /// <param name="pyramids">Pooling levels (ChainerCV: 6, 3, 2, 1).</param>
    /// <param name="norm">The branches' norm (Chainer BatchNormalization, eps 2e-5).</param>
    public PyramidPoolingModule(long inChannels, long featureHeight, long featureWidth, int[] pyramids, NormLayer norm)
        : base(nameof(PyramidPoolingModule))
    {
        long outChannels = inChannels / pyramids.Length;
        branches = new ConvBnAct[pyramids.Length];
        kernels = new (long, long)[pyramids.Length];
        for (int i = 0; i < pyramids.Length; i++)
        {
            kernels[i] = (featureHeight / pyramids[i], featureWidth / pyramids[i]);
            if (kernels[i].H < 1 || kernels[i].W < 1)
                throw new ArgumentException($"PSPNet: a configured feature size of {featureHeight}x{featureWidth} (input size / 8) is too small for pyramid level {pyramids[i]}");
            branches[i] = new ConvBnAct(inChannels, outChannels, 1, norm);
            register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), branches[i]);
        }
    }

    /// <summary>The pooling kernel (= stride) of each level, as ChainerCV's <c>ksizes</c>.</summary>
    public IReadOnlyList<(long H, long W)> Kernels => kernels;

    public override Tensor forward(Tensor x)
    {
        long height = x.shape[2], width = x.shape[3];
        if (height < kernels[^1].H || width < kernels[^1].W)
            throw new ArgumentException(
                $"PSPNet: the feature map {height}x{width} is smaller than the pyramid kernel {kernels[^1].H}x{kernels[^1].W}; " +
                "this PSPNet was built for a larger input size (ChainerCV pools with kernels fixed by the configured input size)");
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor> { x };
        for (int i = 0; i < branches.Length; i++)
        {
            var (kh, kw) = kernels[i];
            var pooled = nn.functional.avg_pool2d(x, [kh, kw], [kh, kw]);
            outputs.Add(Upsample.Bilinear(branches[i].forward(pooled), height, width, alignCorners: true));
        }
        return cat(outputs, 1).MoveToOuterDisposeScope();
    }
}
