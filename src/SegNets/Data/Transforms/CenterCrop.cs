using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// The centred (height, width) window: GluonCV <c>_val_sync_transform</c> (<c>x1 = int(round((w - outsize) / 2.))</c>,
/// gluoncv/data/segbase.py) and torchvision <c>F.center_crop</c> (<c>int(round((h - crop_h) / 2.0))</c>) alike. Python's
/// round is round-half-to-even, so an odd surplus of 1 starts at 0 and of 3 at 2; .NET's Math.Round does the same.
/// Parts of the window outside a smaller input hold 0 in the image and <see cref="MaskFill"/> in the mask (PIL's crop
/// and torchvision's center_crop fill 0 for both).
/// </summary>
public sealed class CenterCrop : IJointTransform
{
    public CenterCrop(int height, int width, long maskFill = 0)
    {
        SampleChecks.Positive(height, nameof(height));
        SampleChecks.Positive(width, nameof(width));
        (Height, Width, MaskFill) = (height, width, maskFill);
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Label for window pixels outside the input (0 as in the originals; <see cref="SegmentationSample.IgnoreIndex"/> to skip them).</summary>
    public long MaskFill { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(CenterCrop));
        var top = (long)Math.Round((h - Height) / 2.0);
        var left = (long)Math.Round((w - Width) / 2.0);
        return new SegmentationSample(sample.Id,
            PilOps.CropOrFill(sample.Image, top, left, Height, Width, 0),
            PilOps.CropOrFill(sample.Mask, top, left, Height, Width, MaskFill));
    }
}
