using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// Bilinear resizing as each original does it. MXNet's contrib.BilinearResize2D (every GluonCV resize) and Chainer's
/// F.resize_images sample with align_corners=True; torchvision and TI edgeai use align_corners=False.
/// </summary>
public static class Upsample
{
    public static Tensor Bilinear(Tensor x, long height, long width, bool alignCorners) =>
        x.shape[^2] == height && x.shape[^1] == width
            ? x
            : nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: alignCorners);

    /// <summary>Resizes <paramref name="x"/> to the spatial size of <paramref name="like"/>.</summary>
    public static Tensor BilinearLike(Tensor x, Tensor like, bool alignCorners) =>
        Bilinear(x, like.shape[^2], like.shape[^1], alignCorners);
}
