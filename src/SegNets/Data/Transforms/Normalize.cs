using SegNets.Data;
using SegNets.Models;

namespace SegNets.Data.Transforms;

/// <summary>
/// Turns the 0..255 RGB image into the model's float32 input with <see cref="InputNormalization.Apply"/> (for GluonCV
/// and torchvision: <c>ToTensor</c> + <c>Normalize(ImageNet mean, std)</c>); the mask is left as it is. Run it last:
/// the geometric and colour transforms expect uint8.
/// </summary>
public sealed class Normalize(InputNormalization normalization) : IJointTransform
{
    public InputNormalization Normalization { get; } = normalization ?? throw new ArgumentNullException(nameof(normalization));

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        SampleChecks.Size(sample, nameof(Normalize));
        return new SegmentationSample(sample.Id, Normalization.Apply(sample.Image), sample.Mask.alias());
    }
}
