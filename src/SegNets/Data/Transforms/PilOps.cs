using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Data.Transforms;

/// <summary>
/// The image operations GluonCV's segmentation training calls on PIL images (gluon-cv@5677756:gluoncv/data/segbase.py),
/// done on tensors: NEAREST resize with PIL's exact source-pixel rule, BILINEAR resize (torch's antialiased bilinear, the
/// kernel PIL uses), crops/pads with PIL's zero fill, the mirror, and PIL's GaussianBlur reproduced to the bit.
/// Images are (C, H, W), masks (H, W); every method works on any device and returns a new tensor.
/// </summary>
public static class PilOps
{
    /// <summary>
    /// The source index of each of <paramref name="outSize"/> output pixels when PIL resizes <paramref name="inSize"/>
    /// pixels with NEAREST: <c>floor((i + 0.5) * in / out)</c>, computed as Pillow does (src/_imaging.c <c>_resize</c>,
    /// src/libImaging/Geometry.c <c>ImagingScaleAffine</c>): a double step <c>in / out</c>, a start of half a step, and
    /// the position accumulated step by step and truncated. torch's 'nearest' takes <c>floor(i * in / out)</c> (10 → 3
    /// picks 0, 3, 6 where PIL picks 1, 5, 8) and its 'nearest-exact' PIL's rule but in float32: measured against
    /// Pillow 9.4 it lands on another pixel for 227 of the 1606 (in, out) pairs the tests compare. Hence a table and
    /// index_select, which also keeps int64 labels away from float interpolation.
    /// </summary>
    public static long[] NearestIndices(int inSize, int outSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outSize, 1);
        var indices = new long[outSize];
        // Pillow passes the box as float and divides in double: a[0] = (double)(box[2] - box[0]) / xsize.
        var step = (double)(float)inSize / outSize;
        var position = step * 0.5;
        for (var i = 0; i < outSize; i++)
        {
            // COORD(v): (int)v for v >= 0. Pillow leaves a pixel mapped past the input unwritten; the accumulated
            // position stays below inSize - step / 2, so the clamp only guards against the impossible.
            indices[i] = Math.Min((long)position, inSize - 1);
            position += step;
        }
        return indices;
    }

    /// <summary>PIL NEAREST resize of an image (C, H, W) or a mask (H, W) of any dtype to (height, width).</summary>
    public static Tensor ResizeNearest(Tensor x, int height, int width)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(NearestIndices((int)x.shape[^2], height), device: x.device);
        var cols = tensor(NearestIndices((int)x.shape[^1], width), device: x.device);
        return x.index_select(-2, rows).index_select(-1, cols).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Bilinear resize of an image (C, H, W) to (height, width): torch's bilinear with align_corners=False and
    /// antialias=True, rounded back to uint8 for a uint8 image.
    /// </summary>
    /// <remarks>
    /// GluonCV resizes with PIL's BILINEAR, which is not torch's plain bilinear: when downscaling PIL widens the
    /// triangle filter by the scale factor (it antialiases) and it works in 8-bit fixed point, rounding after the
    /// horizontal pass (Pillow src/libImaging/Resample.c). torch's antialias=True path is torchvision's port of that
    /// filter (same support, same pixel-centre convention), so it matches PIL up to the fixed-point rounding: at most
    /// 1 or 2 grey levels apart (measured in the tests). Plain bilinear would alias badly at GluonCV's 0.5x scales.
    /// A float image is resized without rounding.
    /// </remarks>
    public static Tensor ResizeBilinear(Tensor image, int height, int width)
    {
        if (image.shape[^2] == height && image.shape[^1] == width)
            return image.alias();
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Float32).unsqueeze(0);
        var y = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true)
            .squeeze(0);
        if (image.dtype == ScalarType.Byte)
            y = y.round().clamp(0, 255).to_type(ScalarType.Byte);
        else if (y.dtype != image.dtype)
            y = y.to_type(image.dtype);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The (height, width) window at (top, left) of an image (C, H, W) or mask (H, W); where the window leaves the input
    /// it holds <paramref name="fill"/>, as PIL's <c>Image.crop</c> (fill 0) and <c>ImageOps.expand</c> /
    /// torchvision's <c>F.pad</c> (a chosen fill) do. Offsets may be negative.
    /// </summary>
    public static Tensor CropOrFill(Tensor x, long top, long left, long height, long width, double fill)
    {
        long inH = x.shape[^2], inW = x.shape[^1];
        if (top == 0 && left == 0 && height == inH && width == inW)
            return x.alias();
        using var scope = NewDisposeScope();
        long y0 = Math.Max(top, 0), y1 = Math.Min(top + height, inH);
        long x0 = Math.Max(left, 0), x1 = Math.Min(left + width, inW);
        if (y0 == top && x0 == left && y1 == top + height && x1 == left + width)
            return x.narrow(-2, top, height).narrow(-1, left, width).contiguous().MoveToOuterDisposeScope();
        long[] shape = [.. x.shape[..^2], height, width];
        var output = full(shape, fill, dtype: x.dtype, device: x.device);
        if (y1 > y0 && x1 > x0)
        {
            output.narrow(-2, y0 - top, y1 - y0).narrow(-1, x0 - left, x1 - x0)
                .copy_(x.narrow(-2, y0, y1 - y0).narrow(-1, x0, x1 - x0));
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Left-right mirror (PIL <c>FLIP_LEFT_RIGHT</c>, torchvision <c>hflip</c>).</summary>
    public static Tensor FlipHorizontal(Tensor x) => x.flip(-1);

    /// <summary>
    /// The box radius Pillow's GaussianBlur uses for <paramref name="radius"/> with 3 box passes
    /// (src/libImaging/BoxBlur.c <c>_gaussian_blur_radius</c>, after Gwosdek et al., "Theoretical foundations of
    /// Gaussian convolution by extended box filtering"), in Pillow's float arithmetic.
    /// </summary>
    public static float GaussianBoxRadius(float radius, int passes = 3)
    {
        var sigma2 = radius * radius / passes;
        var boxLength = (float)Math.Sqrt(12.0 * sigma2 + 1.0);
        var integer = (float)Math.Floor((boxLength - 1.0) / 2.0);
        var fraction = (2 * integer + 1) * (integer * (integer + 1) - 3 * sigma2);
        fraction /= 6 * (sigma2 - (integer + 1) * (integer + 1));
        return integer + fraction;
    }

    /// <summary>
    /// <c>img.filter(ImageFilter.GaussianBlur(radius))</c> on a uint8 image (C, H, W), bit-exact: Pillow runs three
    /// extended box blurs along rows, then three along columns, each in 8.24 fixed point and rounded back to 8 bits,
    /// with the edge pixels repeated (src/libImaging/BoxBlur.c <c>ImagingBoxBlur</c>, <c>ImagingHorizontalBoxBlur</c>,
    /// <c>ImagingLineBoxBlur32</c>). The radius is a Python float that Pillow reads as a C float.
    /// </summary>
    public static Tensor GaussianBlur(Tensor image, float radius)
    {
        if (image.dtype != ScalarType.Byte)
            throw new ArgumentException($"PIL's GaussianBlur works on uint8 images; got {image.dtype}", nameof(image));
        var boxRadius = GaussianBoxRadius(radius);
        if (boxRadius == 0)
            return image.alias();
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Int64);
        for (var pass = 0; pass < 3; pass++)
            x = BoxBlurPass(x, boxRadius, -1);
        for (var pass = 0; pass < 3; pass++)
            x = BoxBlurPass(x, boxRadius, -2);
        return x.to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    // One ImagingHorizontalBoxBlur pass along `dim`: out = (ww * sum(in[x-r..x+r]) + fw * (in[x-r-1] + in[x+r+1])
    // + 2^23) >> 24 with clamped indices, ww = (UINT32)(2^24 / (2 * radius + 1)) in float, fw the remainder split over
    // the two far pixels. The running sums of the C code add up to exactly this.
    static Tensor BoxBlurPass(Tensor x, float floatRadius, long dim)
    {
        var radius = (int)floatRadius;
        var ww = (long)(uint)((float)(1 << 24) / (floatRadius * 2 + 1));
        var fw = ((1L << 24) - (radius * 2 + 1) * ww) / 2;
        var size = x.shape[dim < 0 ? x.dim() + dim : dim];
        var index = new long[size + 2 * radius + 2];
        for (var j = 0; j < index.Length; j++)
            index[j] = Math.Clamp(j - radius - 1, 0, size - 1);
        using var indices = tensor(index, device: x.device);
        var padded = x.index_select(dim, indices);
        var sum = padded.narrow(dim, 1, size).clone();
        for (var k = 2; k <= 2 * radius + 1; k++)
            sum.add_(padded.narrow(dim, k, size));
        var far = padded.narrow(dim, 0, size) + padded.narrow(dim, 2 * radius + 2, size);
        var bulk = sum * ww + far * fw + (1L << 23);
        return bulk.div(1L << 24, RoundingMode.floor);
    }
}
