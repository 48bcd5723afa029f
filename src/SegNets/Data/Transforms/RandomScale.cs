using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// Scales both sides of image and mask by one factor s drawn uniformly from [min, max] (or from the grid min, min +
/// step, ..., max when a step is given, as TF DeepLab's <c>get_random_scale</c>), with probability
/// <c>probability</c> (TI's edgeai-torchvision scales half of the samples): ChainerCV's PSPNet
/// <c>random_scale</c>, TF DeepLab's and TI's training augmentation. Bilinear for the image, nearest for the mask.
/// </summary>
public sealed class RandomScale : IJointTransform
{
    public RandomScale(double min, double max, double? step = null, double probability = 1)
    {
        if (!(min > 0)) throw new ArgumentOutOfRangeException(nameof(min), min, "must be > 0");
        if (max < min) throw new ArgumentOutOfRangeException(nameof(max), max, $"must be at least min ({min})");
        if (step is <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "must be > 0");
        if (probability is < 0 or > 1 || double.IsNaN(probability)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        (Min, Max, Step, Probability) = (min, max, step, probability);
    }

    public double Min { get; }
    public double Max { get; }
    public double? Step { get; }
    public double Probability { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(RandomScale));
        ArgumentNullException.ThrowIfNull(random);
        if (Probability < 1 && random.NextDouble() >= Probability)
            return new SegmentationSample(sample.Id, sample.Image.alias(), sample.Mask.alias());
        double s;
        if (Step is double step)
        {
            var count = (int)Math.Floor((Max - Min) / step + 1e-9) + 1;
            s = Min + step * random.Next(count);
        }
        else
        {
            s = Min + (Max - Min) * random.NextDouble();
        }
        var oh = Math.Max(1, (int)Math.Round(h * s));
        var ow = Math.Max(1, (int)Math.Round(w * s));
        return Resize.Apply(sample, oh, ow);
    }
}
