using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// torchvision's <c>RandomCrop(size)</c> (references/segmentation/transforms.py): pad right/bottom when smaller
/// (image 0, mask <see cref="MaskFill"/>, 255 there), then a uniformly placed (height, width) window. The top offset
/// is drawn first, then the left one (<c>T.RandomCrop.get_params</c> order).
/// </summary>
public sealed class RandomCrop : IJointTransform
{
    public RandomCrop(int height, int width, long maskFill = SegmentationSample.IgnoreIndex)
    {
        SampleChecks.Positive(height, nameof(height));
        SampleChecks.Positive(width, nameof(width));
        (Height, Width, MaskFill) = (height, width, maskFill);
    }

    public int Height { get; }

    public int Width { get; }

    public long MaskFill { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(RandomCrop));
        ArgumentNullException.ThrowIfNull(random);
        using var padded = Pad.Apply(sample, h, w, Height, Width, 0, MaskFill);
        var top = random.Next(0, Math.Max(h, Height) - Height + 1);
        var left = random.Next(0, Math.Max(w, Width) - Width + 1);
        return new SegmentationSample(sample.Id,
            PilOps.CropOrFill(padded.Image, top, left, Height, Width, 0),
            PilOps.CropOrFill(padded.Mask, top, left, Height, Width, MaskFill));
    }
}
