using SegNets.Data;
using SegNets.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Data.Doubles;

/// <summary>
/// A folder of JPEGs written by SkiaSharp and decoded by <see cref="ImageFile.ReadRgb"/> on every read, the way a
/// real dataset reads; the mask is the image's first channel divided into 4 classes, so it moves with the image.
/// </summary>
internal sealed class JpegFolderDataset : ISegmentationDataset
{
    private readonly string[] _files;

    public JpegFolderDataset(string folder) => _files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();

    public DatasetInfo Labels => Datasets.Voc;

    public int Count => _files.Length;

    public string IdOf(int index) => Path.GetFileNameWithoutExtension(_files[index]);

    public SegmentationSample Get(int index)
    {
        using var scope = NewDisposeScope();
        var image = ImageFile.ReadRgb(_files[index]);
        var mask = image[0].to_type(ScalarType.Int64).div(64, rounding_mode: RoundingMode.floor);
        return new SegmentationSample(IdOf(index), image.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>Writes <paramref name="count"/> noisy JPEGs of sizes between 40x30 and 70x60 into
    /// <paramref name="folder"/>.</summary>
    public static void Write(string folder, int count, int seed = 1)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            int w = random.Next(40, 71), h = random.Next(30, 61);
            using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 5 + i), (byte)(y * 7)));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            using var stream = File.Create(Path.Combine(folder, $"img{i:D3}.jpg"));
            data.SaveTo(stream);
        }
    }
}
