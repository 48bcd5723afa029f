using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// torchvision's <c>RandomResize(min_size, max_size)</c> (references/segmentation/transforms.py): a short side drawn
/// uniformly from [min, max] (both included, as Python's <c>random.randint</c>), then <see cref="Resize.ToShortSide"/>.
/// Note that GluonCV draws the LONG side instead (<see cref="RandomScaleCropFlip"/>).
/// </summary>
public sealed class RandomResize : IJointTransform
{
    public RandomResize(int minSize, int maxSize)
    {
        SampleChecks.Positive(minSize, nameof(minSize));
        if (maxSize < minSize)
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, $"must be at least minSize ({minSize})");
        (MinSize, MaxSize) = (minSize, maxSize);
    }

    public int MinSize { get; }

    public int MaxSize { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(RandomResize));
        ArgumentNullException.ThrowIfNull(random);
        var size = random.Next(MinSize, MaxSize + 1);
        var (oh, ow) = Resize.ShortSideSize(h, w, size);
        return Resize.Apply(sample, oh, ow);
    }
}
