using SegNets.Data;
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
    public static void WriteColoredPng(Tensor classes, DatasetInfo labels, string path)
    {
        if (classes.dim() != 2) throw new ArgumentException($"expected a class map (H, W), got shape [{string.Join(", ", classes.shape)}]", nameof(classes));
        long height = classes.shape[0], width = classes.shape[1];
        long[] ids;
        using (NewDisposeScope())
            ids = classes.to(CPU).to_type(ScalarType.Int64).data<long>().ToArray();
        var rgba = new byte[height * width * 4];
        for (long i = 0; i < ids.Length; i++)
        {
            long id = ids[i];
            var color = id >= 0 && id < labels.Palette.Count ? labels.Palette[(int)id] : default;
            rgba[4 * i] = color.R;
            rgba[4 * i + 1] = color.G;
            rgba[4 * i + 2] = color.B;
            rgba[4 * i + 3] = 255;
        }
        var info = new SKImageInfo((int)width, (int)height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var image = SKImage.FromPixelCopy(info, rgba) ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {width}x{height} image");
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        IO.AtomicFile.Write(path, png.SaveTo);
    }
}
