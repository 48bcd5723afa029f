using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// Resizes image (bilinear, see <see cref="PilOps.ResizeBilinear"/>) and mask (PIL NEAREST, see
/// <see cref="PilOps.NearestIndices"/>) to a fixed size, or so that the short side has a given length.
/// </summary>
public sealed class Resize : IJointTransform
{
    Resize(int? height, int? width, int? shortSide)
    {
        Height = height;
        Width = width;
        ShortSide = shortSide;
    }

    /// <summary>Resizes every sample to exactly <paramref name="height"/> x <paramref name="width"/>.</summary>
    public Resize(int height, int width) : this((int?)height, width, null)
    {
        SampleChecks.Positive(height, nameof(height));
        SampleChecks.Positive(width, nameof(width));
    }

    /// <summary>
    /// Resizes so that the short side is <paramref name="size"/> and the long side <c>int(size * long / short)</c>
    /// (truncated): torchvision's <c>F.resize(img, size)</c> with an int (the evaluation preset
    /// <c>RandomResize(base_size, base_size)</c>, references/segmentation/presets.py) and GluonCV's
    /// <c>_val_sync_transform</c> resize (<c>ow = int(1.0 * w * oh / h)</c>, gluoncv/data/segbase.py) alike.
    /// </summary>
    public static Resize ToShortSide(int size)
    {
        SampleChecks.Positive(size, nameof(size));
        return new Resize(null, null, size);
    }

    /// <summary>Fixed output height, or null when resizing by short side.</summary>
    public int? Height { get; }

    /// <summary>Fixed output width, or null when resizing by short side.</summary>
    public int? Width { get; }

    /// <summary>Short-side length, or null for a fixed size.</summary>
    public int? ShortSide { get; }

    /// <summary>The output (height, width) for an input of (height, width).</summary>
    public (int Height, int Width) OutputSize(int height, int width) =>
        ShortSide is { } size ? ShortSideSize(height, width, size) : (Height!.Value, Width!.Value);

    internal static (int Height, int Width) ShortSideSize(int height, int width, int size) =>
        width > height ? (size, (int)(1.0 * width * size / height)) : ((int)(1.0 * height * size / width), size);

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(Resize));
        var (oh, ow) = OutputSize(h, w);
        return Apply(sample, oh, ow);
    }

    internal static SegmentationSample Apply(SegmentationSample sample, int height, int width) =>
        new(sample.Id, PilOps.ResizeBilinear(sample.Image, height, width), PilOps.ResizeNearest(sample.Mask, height, width));
}
