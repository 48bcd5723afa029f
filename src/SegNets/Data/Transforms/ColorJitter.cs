using SegNets.Data;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Data.Transforms;

/// <summary>
/// torchvision's <c>transforms.ColorJitter</c> on a uint8 image tensor (torchvision 0.14
/// torchvision/transforms/transforms.py <c>ColorJitter</c>, functional_tensor.py <c>adjust_*</c>): brightness,
/// contrast and saturation factors drawn uniformly from [max(0, 1 - v), 1 + v], hue from [-v, v] (v ≤ 0.5), applied in a
/// random order; a 0 disables that adjustment. The mask is untouched. The static <c>Adjust*</c> methods are the
/// per-adjustment functions, equal to torchvision 0.14's on uint8 input (tested bit for bit). The draws come from the
/// Random passed in (order by a Fisher-Yates shuffle, then the four factors), not from torch's generator.
/// </summary>
public sealed class ColorJitter : IJointTransform
{
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0)
    {
        if (brightness < 0 || double.IsNaN(brightness)) throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "must be ≥ 0");
        if (contrast < 0 || double.IsNaN(contrast)) throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "must be ≥ 0");
        if (saturation < 0 || double.IsNaN(saturation)) throw new ArgumentOutOfRangeException(nameof(saturation), saturation, "must be ≥ 0");
        if (hue is < 0 or > 0.5 || double.IsNaN(hue)) throw new ArgumentOutOfRangeException(nameof(hue), hue, "must be in [0, 0.5]");
        (Brightness, Contrast, Saturation, Hue) = (brightness, contrast, saturation, hue);
    }

    public double Brightness { get; }

    public double Contrast { get; }

    public double Saturation { get; }

    public double Hue { get; }

    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        SampleChecks.Size(sample, nameof(ColorJitter));
        SampleChecks.RequireUInt8(sample, nameof(ColorJitter));
        ArgumentNullException.ThrowIfNull(random);
        // torchvision draws the order (randperm(4)) and then every factor, whether or not it is used.
        int[] order = [0, 1, 2, 3];
        random.Shuffle(order);
        var b = Uniform(random, Math.Max(0, 1 - Brightness), 1 + Brightness);
        var c = Uniform(random, Math.Max(0, 1 - Contrast), 1 + Contrast);
        var s = Uniform(random, Math.Max(0, 1 - Saturation), 1 + Saturation);
        var h = Uniform(random, -Hue, Hue);
        var mask = sample.Mask.alias();
        using var scope = NewDisposeScope();
        var image = sample.Image.alias();
        foreach (var step in order)
        {
            image = step switch
            {
                0 when Brightness > 0 => AdjustBrightness(image, b),
                1 when Contrast > 0 => AdjustContrast(image, c),
                2 when Saturation > 0 => AdjustSaturation(image, s),
                3 when Hue > 0 => AdjustHue(image, h),
                _ => image,
            };
        }
        return new SegmentationSample(sample.Id, image.MoveToOuterDisposeScope(), mask);
    }

    static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary><c>F.adjust_brightness</c>: <c>factor * img</c>, clamped, truncated to uint8.</summary>
    public static Tensor AdjustBrightness(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        using var zero = zeros_like(image);
        return Blend(image, zero, factor).MoveToOuterDisposeScope();
    }

    /// <summary><c>F.adjust_contrast</c>: blend with the mean of the (uint8-truncated) greyscale image.</summary>
    public static Tensor AdjustContrast(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        var mean = Grayscale(image).to_type(ScalarType.Float32).mean([-3L, -2L, -1L], keepdim: true);
        return Blend(image, mean, factor).MoveToOuterDisposeScope();
    }

    /// <summary><c>F.adjust_saturation</c>: blend with the (uint8-truncated) greyscale image.</summary>
    public static Tensor AdjustSaturation(Tensor image, double factor)
    {
        using var scope = NewDisposeScope();
        return Blend(image, Grayscale(image), factor).MoveToOuterDisposeScope();
    }

    /// <summary><c>F.adjust_hue</c>: rotate the hue by <paramref name="factor"/> turns in HSV (0..1 floats), back to uint8.</summary>
    public static Tensor AdjustHue(Tensor image, double factor)
    {
        if (factor is < -0.5 or > 0.5)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "must be in [-0.5, 0.5]");
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Float32) / 255;
        var hsv = RgbToHsv(x);
        var hue = (hsv[0] + factor).remainder(1.0);
        var rgb = HsvToRgb(hue, hsv[1], hsv[2]);
        // torchvision 0.14 adjust_hue goes back with (x * 255.0).to(uint8), truncating (not convert_image_dtype).
        return (rgb * 255.0).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    // _blend for integer images: (ratio * a + (1 - ratio) * b).clamp(0, 255).to(uint8), in float32.
    static Tensor Blend(Tensor a, Tensor b, double ratio) =>
        (a.to_type(ScalarType.Float32) * ratio + b.to_type(ScalarType.Float32) * (1.0 - ratio)).clamp(0, 255).to_type(ScalarType.Byte);

    // rgb_to_grayscale: 0.2989 r + 0.587 g + 0.114 b, truncated back to the image's dtype.
    static Tensor Grayscale(Tensor image)
    {
        var x = image.to_type(ScalarType.Float32);
        var gray = x[0] * 0.2989 + x[1] * 0.587 + x[2] * 0.114;
        return gray.to_type(image.dtype).unsqueeze(0);
    }

    // functional_tensor.py _rgb2hsv.
    static Tensor[] RgbToHsv(Tensor x)
    {
        var (r, g, b) = (x[0], x[1], x[2]);
        var maxc = x.amax([0L]);
        var minc = x.amin([0L]);
        var same = maxc.eq(minc);
        var range = maxc - minc;
        var ones = ones_like(maxc);
        var s = range / where(same, ones, maxc);
        var divisor = where(same, ones, range);
        var rc = (maxc - r) / divisor;
        var gc = (maxc - g) / divisor;
        var bc = (maxc - b) / divisor;
        var hr = maxc.eq(r).to_type(ScalarType.Float32) * (bc - gc);
        var hg = (maxc.eq(g) & maxc.ne(r)).to_type(ScalarType.Float32) * ((rc + 2.0) - bc);
        var hb = (maxc.ne(g) & maxc.ne(r)).to_type(ScalarType.Float32) * ((gc + 4.0) - rc);
        var h = (hr + hg + hb) / 6.0 + 1.0;
        return [h.fmod(1.0), s, maxc];
    }

    // functional_tensor.py _hsv2rgb: the sector i = floor(6 h) picks (v, q, p, p, t, v) etc. per channel.
    static Tensor HsvToRgb(Tensor h, Tensor s, Tensor v)
    {
        var sector = (h * 6.0).floor();
        var f = h * 6.0 - sector;
        var i = sector.to_type(ScalarType.Int64).remainder(6).unsqueeze(0);
        var p = (v * (1.0 - s)).clamp(0.0, 1.0);
        var q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
        var t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
        var red = stack([v, q, p, p, t, v]).gather(0, i);
        var green = stack([t, v, v, q, p, p]).gather(0, i);
        var blue = stack([p, p, t, v, v, q]).gather(0, i);
        return cat([red, green, blue]);
    }
}
