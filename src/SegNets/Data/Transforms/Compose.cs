using SegNets.Checkpoints.Converters;
using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// Applies transforms in order, disposing the intermediate samples (never the input), like torchvision's
/// references/segmentation/transforms.py <c>Compose</c>. With no transforms it returns a fresh handle on the input
/// tensors: GluonCV's 'testval' mode, which evaluates on the unmodified image.
/// </summary>
public sealed class Compose(params IReadOnlyList<IJointTransform> transforms) : IJointTransform
{
    /// <summary>The transforms, in the order they run.</summary>
    public IReadOnlyList<IJointTransform> Transforms { get; } = [.. transforms];

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        if (Transforms.Count == 0)
            return new SegmentationSample(sample.Id, sample.Image.alias(), sample.Mask.alias());
        var current = sample;
        foreach (var transform in Transforms)
        {
            var next = transform.Apply(current, random);
            if (!ReferenceEquals(current, sample))
                current.Dispose();
            current = next;
        }
        return current;
    }
}
