using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// Pads on the right and bottom up to at least (height, width), leaving larger sides alone: torchvision's
/// <c>pad_if_smaller</c> (references/segmentation/transforms.py: image fill 0, target fill 255) and GluonCV's
/// <c>ImageOps.expand(img, border=(0, 0, padw, padh), fill=0)</c> in <c>_sync_transform</c>, which fills the mask with
/// 0 (background) too. The defaults are torchvision's; pass <c>maskFill: 0</c> for GluonCV's.
/// </summary>
public sealed class Pad : IJointTransform
{
    public Pad(int height, int width, double imageFill = 0, long maskFill = SegmentationSample.IgnoreIndex)
    {
        SampleChecks.Positive(height, nameof(height));
        SampleChecks.Positive(width, nameof(width));
        (Height, Width, ImageFill, MaskFill) = (height, width, imageFill, maskFill);
    }

    public int Height { get; }

    public int Width { get; }

    public double ImageFill { get; }

    public long MaskFill { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(Pad));
        return Apply(sample, h, w, Height, Width, ImageFill, MaskFill);
    }

    internal static SegmentationSample Apply(SegmentationSample sample, int h, int w, int height, int width, double imageFill, long maskFill)
    {
        int oh = Math.Max(h, height), ow = Math.Max(w, width);
        return new SegmentationSample(sample.Id,
            PilOps.CropOrFill(sample.Image, 0, 0, oh, ow, imageFill),
            PilOps.CropOrFill(sample.Mask, 0, 0, oh, ow, maskFill));
    }
}
