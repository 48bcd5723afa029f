using SegNets.Data;
using SegNets.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Loader;

/// <summary>
/// NAME.jpg images with NAME.png 8-bit label maps in one folder, the layout benchmarks/peers/loader_throughput.py
/// writes. A stand-in for the real datasets (written elsewhere) that reads the same way they will: SkiaSharp decodes.
/// </summary>
internal sealed class JpegPngFolder(string folder) : ISegmentationDataset
{
    private readonly string[] _stems = Directory.GetFiles(folder, "*.jpg")
        .Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;

    public DatasetInfo Labels => Datasets.Voc;

    public int Count => _stems.Length;

    public string IdOf(int index) => _stems[index];

    public SegmentationSample Get(int index)
    {
        var image = ImageFile.ReadRgb(Path.Combine(folder, _stems[index] + ".jpg"));
        var maskPath = Path.Combine(folder, _stems[index] + ".png");
        using var codec = SKCodec.Create(maskPath) ?? throw new InvalidDataException($"{maskPath}: not an image");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        var pixels = new byte[info.BytesSize];
        if (codec.GetPixels(info, pixels) != SKCodecResult.Success) throw new InvalidDataException($"{maskPath}: decoding failed");
        var mask = tensor(pixels, dtype: ScalarType.Byte).view(info.Height, info.Width).to_type(ScalarType.Int64);
        return new SegmentationSample(_stems[index], image, mask);
    }
}
