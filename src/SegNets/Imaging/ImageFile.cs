using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Imaging;

/// <summary>Reads images into tensors and writes class maps as images (SkiaSharp: JPEG, PNG, WebP, BMP, GIF).</summary>
public static class ImageFile
{
    /// <summary>Decodes an image file into an RGB uint8 tensor (3, H, W), the input of <c>SegmentationModel.Predict</c>.
    /// Alpha is dropped; palette and grey images are expanded to RGB.</summary>
    public static Tensor ReadRgb(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no image at {path}", path);
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"{path}: not an image SkiaSharp can decode (JPEG, PNG, WebP, BMP, GIF)");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        var result = codec.GetPixels(info, pixels);
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{path}: decoding failed ({result}); the file is corrupt or truncated");
        // The wrapped array, its view, slice and permutation are freed here: callers without a dispose scope of their
        // own (a script reading one image) must not leave them to the finalizer.
        using var scope = NewDisposeScope();
        var rgba = tensor(pixels, dtype: ScalarType.Byte).view(info.Height, info.Width, 4);
        return rgba[.., .., ..3].permute(2, 0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Writes a class map (H, W) as an RGB PNG coloured with <paramref name="labels"/>' palette (the ignore label and
    /// out-of-range values black). Written to a temporary file and renamed, so a reader never sees half a file.
    /// </summary>
    public static void WriteColoredPng(Tensor classes, ILabelPalette labels, string path)
    {
        var (height, width, ids) = ClassMap(classes);
        var rgba = new byte[height * width * 4];
        for (long i = 0; i < ids.Length; i++)
        {
            var color = Color(labels, ids[i]);
            rgba[4 * i] = color.R;
            rgba[4 * i + 1] = color.G;
            rgba[4 * i + 2] = color.B;
            rgba[4 * i + 3] = 255;
        }
        WritePng(rgba, width, height, path);
    }

    /// <summary>
    /// Writes the image with its class map painted over it: pixels of class 0 (background) and the ignore label keep
    /// the image's colour, the others blend <paramref name="opacity"/> of their class colour. Atomic like
    /// <see cref="WriteColoredPng"/>.
    /// </summary>
    /// <param name="image">RGB uint8 (3, H, W), as <see cref="ReadRgb"/> returns it.</param>
    /// <param name="classes">Class map (H, W) of the same size.</param>
    public static void WriteOverlayPng(Tensor image, Tensor classes, ILabelPalette labels, string path, double opacity = 0.5)
    {
        if (opacity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity is in [0, 1]");
        var (height, width, ids) = ClassMap(classes);
        if (image.dim() != 3 || image.shape[0] != 3 || image.shape[1] != height || image.shape[2] != width)
            throw new ArgumentException($"image shape [{string.Join(", ", image.shape)}] does not match the class map ({height}, {width}); expected (3, {height}, {width})", nameof(image));
        byte[] rgb;
        using (NewDisposeScope())
            rgb = image.to(CPU).to_type(ScalarType.Byte).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        var rgba = new byte[height * width * 4];
        for (long i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            var paint = id > 0 && id < labels.Palette.Count && id != labels.IgnoreLabel;
            var color = Color(labels, id);
            var a = paint ? opacity : 0;
            rgba[4 * i] = (byte)Math.Round(rgb[3 * i] * (1 - a) + color.R * a);
            rgba[4 * i + 1] = (byte)Math.Round(rgb[3 * i + 1] * (1 - a) + color.G * a);
            rgba[4 * i + 2] = (byte)Math.Round(rgb[3 * i + 2] * (1 - a) + color.B * a);
            rgba[4 * i + 3] = 255;
        }
        WritePng(rgba, width, height, path);
    }

    static (long Height, long Width, long[] Ids) ClassMap(Tensor classes)
    {
        if (classes.dim() != 2) throw new ArgumentException($"expected a class map (H, W), got shape [{string.Join(", ", classes.shape)}]", nameof(classes));
        // In a scope: the CPU copy and the cast are freed here, not left to the finalizer.
        using (NewDisposeScope())
            return (classes.shape[0], classes.shape[1], classes.to(CPU).to_type(ScalarType.Int64).data<long>().ToArray());
    }

    static Rgb Color(ILabelPalette labels, long id) => id >= 0 && id < labels.Palette.Count ? labels.Palette[(int)id] : default;

    static void WritePng(byte[] rgba, long width, long height, string path)
    {
        var info = new SKImageInfo((int)width, (int)height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var image = SKImage.FromPixelCopy(info, rgba) ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {width}x{height} image");
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        IO.AtomicFile.Write(path, png.SaveTo);
    }
}
