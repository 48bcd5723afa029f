using FluentAssertions;
using SegNets.Data;
using SegNets.Imaging;
using SegNets.Tests.Support;
using SkiaSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Imaging;

/// <summary>Real PNG and JPEG files, encoded by Skia's encoders, decoded to the exact pixels.</summary>
public class ImageFileTests
{
    /// <summary>Writes a width x height image whose pixel (x, y) is (x * 7, y * 11, x + y) mod 256.</summary>
    internal static void WriteGradient(string path, int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 7), (byte)(y * 11), (byte)(x + y)));
        using var data = bitmap.Encode(format, 95);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    [Fact]
    public void ReadsAPngToExactRgbChannelsFirst()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "gradient.png");
        WriteGradient(path, 37, 23, SKEncodedImageFormat.Png);
        using var scope = NewDisposeScope();
        var image = ImageFile.ReadRgb(path);
        image.shape.Should().Equal(3, 23, 37);
        image.dtype.Should().Be(ScalarType.Byte);
        image[0, 5, 9].item<byte>().Should().Be(63);
        image[1, 5, 9].item<byte>().Should().Be(55);
        image[2, 22, 36].item<byte>().Should().Be(58);
    }

    [Fact]
    public void ReadsAJpegWithinItsCompressionError()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "gradient.jpg");
        WriteGradient(path, 64, 48, SKEncodedImageFormat.Jpeg);
        using var scope = NewDisposeScope();
        var image = ImageFile.ReadRgb(path);
        image.shape.Should().Equal(3, 48, 64);
        // Smooth gradients survive JPEG at quality 95 within a few levels.
        (image[1, 10, 3].to_type(ScalarType.Int32) - 110).abs().item<int>().Should().BeLessThan(8);
    }

    [Fact]
    public void ReadingAndWritingOutsideADisposeScopeLeaveOnlyTheResult()
    {
        // Called as README shows, with no dispose scope around: intermediates must be freed here, not by the finalizer
        // (the infer-soak's predict loop saw the live-tensor count climb by ~3 per image read until a GC).
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "gradient.jpg");
        WriteGradient(path, 40, 30, SKEncodedImageFormat.Jpeg);
        long Live() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (ImageFile.ReadRgb(path)) { } // warm-up
        long before = Live();
        using (var image = ImageFile.ReadRgb(path))
        {
            Live().Should().Be(before + 1, "ReadRgb returns one tensor and keeps nothing else");
            Tensor classes;
            using (NewDisposeScope())
                classes = image[0].to_type(ScalarType.Int64).remainder(Datasets.FashionScenes.NumClasses).MoveToOuterDisposeScope();
            using var _ = classes;
            long withClasses = Live();
            ImageFile.WriteColoredPng(classes, Datasets.FashionScenes, Path.Combine(dir.Path, "classes.png"));
            Live().Should().Be(withClasses, "WriteColoredPng keeps no tensor");
        }
        Live().Should().Be(before);
    }

    [Fact]
    public void CorruptAndMissingFilesAreNamedInTheError()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "cut.png");
        WriteGradient(path, 64, 64, SKEncodedImageFormat.Png);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        FluentActions.Invoking(() => ImageFile.ReadRgb(path)).Should().Throw<InvalidDataException>().WithMessage($"{path}*");
        var text = Path.Combine(dir.Path, "notes.png");
        File.WriteAllText(text, "not an image");
        FluentActions.Invoking(() => ImageFile.ReadRgb(text)).Should().Throw<InvalidDataException>().WithMessage($"{text}*");
        FluentActions.Invoking(() => ImageFile.ReadRgb(Path.Combine(dir.Path, "none.png"))).Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void WritesAClassMapInThePaletteColours()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "classes.png");
        using var scope = NewDisposeScope();
        var classes = tensor(new long[] { 0, 15, 255, 1, 20, 7 }).view(2, 3);
        ImageFile.WriteColoredPng(classes, Datasets.Voc, path);
        var back = ImageFile.ReadRgb(path);
        back.shape.Should().Equal(3, 2, 3);
        Rgb At(int y, int x) => new(back[0, y, x].item<byte>(), back[1, y, x].item<byte>(), back[2, y, x].item<byte>());
        At(0, 1).Should().Be(new Rgb(192, 128, 128), "VOC person");
        At(0, 2).Should().Be(new Rgb(0, 0, 0), "the ignore label is black");
        At(1, 1).Should().Be(Datasets.Voc.Palette[20]);
        Directory.GetFiles(dir.Path).Should().ContainSingle("the temporary file is renamed, not left behind");
    }
}
