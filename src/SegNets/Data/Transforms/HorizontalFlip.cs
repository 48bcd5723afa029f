using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// Mirrors image and mask left-right with probability <see cref="Probability"/>: GluonCV's
/// <c>if random.random() &lt; 0.5: transpose(FLIP_LEFT_RIGHT)</c> (gluoncv/data/segbase.py <c>_sync_transform</c>)
/// and torchvision's <c>RandomHorizontalFlip(flip_prob)</c> (references/segmentation/transforms.py).
/// </summary>
public sealed class HorizontalFlip : IJointTransform
{
    public HorizontalFlip(double probability = 0.5)
    {
        if (probability is < 0 or > 1 || double.IsNaN(probability))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        Probability = probability;
    }

    /// <summary>Chance of mirroring; 1 always mirrors, 0 never (no draw is skipped either way).</summary>
    public double Probability { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        SampleChecks.Size(sample, nameof(HorizontalFlip));
        ArgumentNullException.ThrowIfNull(random);
        return random.NextDouble() < Probability
            ? new SegmentationSample(sample.Id, PilOps.FlipHorizontal(sample.Image), PilOps.FlipHorizontal(sample.Mask))
            : new SegmentationSample(sample.Id, sample.Image.alias(), sample.Mask.alias());
    }
}
