using SegNets.Data;

namespace SegNets.Data.Transforms;

/// <summary>
/// GluonCV's training augmentation, <c>SegmentationDataset._sync_transform</c>
/// (dmlc/gluon-cv@567775619f3b:gluoncv/data/segbase.py; base 520 / crop 480 are scripts/segmentation/train.py's
/// defaults), step by step and in its order:
/// <list type="number">
/// <item>mirror left-right if <c>random() &lt; 0.5</c>;</item>
/// <item>draw <c>long_size = randint(int(base * 0.5), int(base * 2.0))</c> (both ends included) and resize so that the
/// LONG side has that length (the comment in GluonCV says "short edge", the code sets the long one), the other side
/// <c>int(1.0 * short * long_size / long + 0.5)</c>; image bilinear, mask PIL NEAREST;</item>
/// <item>if the short side is below the crop size, pad right/bottom to the crop size with 0 in the image AND 0 in the
/// mask (<c>ImageOps.expand(..., fill=0)</c>: padded pixels are trained as background, not ignored;
/// <see cref="MaskFill"/> can change that);</item>
/// <item>a crop x crop window at <c>x1 = randint(0, w - crop)</c>, then <c>y1 = randint(0, h - crop)</c>;</item>
/// <item>if <c>random() &lt; 0.5</c>, <c>GaussianBlur(radius=random())</c> on the image (PIL's, bit-exact: <see cref="PilOps.GaussianBlur"/>).</item>
/// </list>
/// All draws come from the Random passed to Apply, in GluonCV's order (the values differ from Python's Mersenne
/// Twister, the distributions do not).
/// </summary>
public sealed class RandomScaleCropFlip : IJointTransform
{
    public RandomScaleCropFlip(int baseSize = 520, int cropSize = 480, bool blur = true, long maskFill = 0)
    {
        SampleChecks.Positive(baseSize, nameof(baseSize));
        SampleChecks.Positive(cropSize, nameof(cropSize));
        if ((int)(baseSize * 0.5) < 1)
            throw new ArgumentOutOfRangeException(nameof(baseSize), baseSize, "must be at least 2 (the smallest long side drawn is int(base * 0.5))");
        (BaseSize, CropSize, Blur, MaskFill) = (baseSize, cropSize, blur, maskFill);
    }

    /// <summary>GluonCV <c>base_size</c>: the long side is drawn from [int(0.5 base), int(2 base)].</summary>
    public int BaseSize { get; }

    /// <summary>GluonCV <c>crop_size</c>: output is CropSize x CropSize.</summary>
    public int CropSize { get; }

    /// <summary>Whether step 5 (random Gaussian blur, "as in PSP") runs; GluonCV always has it.</summary>
    public bool Blur { get; }

    /// <summary>Mask label of padded pixels; GluonCV's is 0.</summary>
    public long MaskFill { get; }

    /// <summary>Smallest long side drawn: <c>int(base_size * 0.5)</c>.</summary>
    public int MinLongSide => (int)(BaseSize * 0.5);

    /// <summary>Largest long side drawn: <c>int(base_size * 2.0)</c>.</summary>
    public int MaxLongSide => (int)(BaseSize * 2.0);

    /// <summary>The size GluonCV resizes an (h, w) input to for a drawn long side.</summary>
    public static (int Height, int Width) ScaledSize(int height, int width, int longSize) =>
        height > width
            ? (longSize, (int)(1.0 * width * longSize / height + 0.5))
            : ((int)(1.0 * height * longSize / width + 0.5), longSize);

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var (h, w) = SampleChecks.Size(sample, nameof(RandomScaleCropFlip));
        ArgumentNullException.ThrowIfNull(random);
        if (Blur)
            SampleChecks.RequireUInt8(sample, nameof(RandomScaleCropFlip));
        var crop = CropSize;

        var flip = random.NextDouble() < 0.5;
        var longSize = random.Next(MinLongSide, MaxLongSide + 1);
        var (oh, ow) = ScaledSize(h, w, longSize);

        using var flipped = flip
            ? new SegmentationSample(sample.Id, PilOps.FlipHorizontal(sample.Image), PilOps.FlipHorizontal(sample.Mask))
            : new SegmentationSample(sample.Id, sample.Image.alias(), sample.Mask.alias());
        using var scaled = Resize.Apply(flipped, oh, ow);
        // GluonCV pads only when the short side is below the crop, each side that is below it; padding every side
        // below the crop is the same thing (the long side cannot be below the crop unless the short one is).
        using var padded = Pad.Apply(scaled, oh, ow, crop, crop, 0, MaskFill);
        int ph = Math.Max(oh, crop), pw = Math.Max(ow, crop);
        var x1 = random.Next(0, pw - crop + 1);
        var y1 = random.Next(0, ph - crop + 1);
        var image = PilOps.CropOrFill(padded.Image, y1, x1, crop, crop, 0);
        var mask = PilOps.CropOrFill(padded.Mask, y1, x1, crop, crop, MaskFill);
        if (Blur && random.NextDouble() < 0.5)
        {
            var radius = (float)random.NextDouble();
            using var sharp = image;
            image = PilOps.GaussianBlur(sharp, radius);
        }
        return new SegmentationSample(sample.Id, image, mask);
    }
}
