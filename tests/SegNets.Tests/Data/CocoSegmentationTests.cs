using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Tests.Support;
using SkiaSharp;
using TorchSharp;

namespace SegNets.Tests.Data;

/// <summary>
/// A tiny COCO-format dataset written on the fly (JSON + JPEGs): random polygons (fractional, partly outside the
/// image, multi-part, degenerate), boxes, uncompressed and compressed RLE, overlaps and non-VOC categories. Masks are
/// compared pixel for pixel with tools/reference/coco_semantic_masks.py, which runs a Python transcription of the COCO
/// API's maskApi.c (checked equal to the compiled C) the way pycocotools and GluonCV call it.
/// </summary>
public sealed class CocoSegmentationTests : IClassFixture<CocoSegmentationTests.TinyCoco>
{
    readonly TinyCoco _coco;

    public CocoSegmentationTests(TinyCoco coco) => _coco = coco;

    public sealed class TinyCoco : IDisposable
    {
        readonly TempDir _dir = new("tiny-coco");
        public string Root => _dir.Path;
        public List<Dictionary<string, object>> Images { get; } = [];
        public List<(long Id, long ImageId, int Category, object Segmentation, int H, int W)> Annotations { get; } = [];
        public string Reference { get; }

        public TinyCoco()
        {
            var rng = new Random(1234);
            Directory.CreateDirectory(Path.Combine(Root, "annotations"));
            Directory.CreateDirectory(Path.Combine(Root, "val2017"));
            (int H, int W)[] sizes = [(48, 64), (50, 50), (37, 61), (64, 40), (30, 30), (45, 55), (52, 47), (80, 70)];
            long annId = 100;
            for (var i = 0; i < sizes.Length; i++)
            {
                var (h, w) = sizes[i];
                long imageId = 1000 + 7 * i;
                var file = $"{imageId:D12}.jpg";
                WriteJpeg(Path.Combine(Root, "val2017", file), h, w, rng);
                Images.Add(new() { ["id"] = imageId, ["file_name"] = file, ["height"] = h, ["width"] = w });
                void Add(int category, object segmentation) =>
                    Annotations.Add((annId++, imageId, category, segmentation, h, w));
                switch (i)
                {
                    case 4: // one small polygon: under GluonCV's 1000 pixels, filtered out
                        Add(1, new[] { new[] { 3.2, 4.1, 12.7, 5.0, 9.9, 14.6 } });
                        break;
                    case 5: // no annotations at all
                        break;
                    case 7: // many random polygons of a non-VOC category: more rasteriser cases, background mask
                        for (var k = 0; k < 60; k++) Add(90, new[] { RandomPolygon(rng, h, w) });
                        break;
                    default:
                        // polygons, some with several parts, vertices up to 6 px outside the image
                        foreach (var category in new[] { 1, 3, 90, 18, 62 })
                        {
                            var parts = rng.Next(1, 3);
                            Add(category, Enumerable.Range(0, parts).Select(_ => RandomPolygon(rng, h, w)).ToArray());
                        }
                        // a polygon list whose first entry has 4 numbers: boxes (x, y, w, h) to pycocotools
                        Add(2, new[] { new[] { rng.NextDouble() * w / 2, rng.NextDouble() * h / 2, 10.4, 7.7 },
                                       new[] { -2.0, 20.5, 9.0, 30.0 } });
                        // degenerate: repeated vertices, a zero-area sliver, a 2-point second part
                        Add(4, new[] { new[] { 5.0, 5.0, 5.0, 5.0, 20.3, 8.6, 20.3, 8.6, 11.0, 25.5 }, new[] { 1.0, 1.0, 30.0, 2.0 } });
                        // uncompressed RLE (a crowd region) and compressed RLE
                        Add(1, new Dictionary<string, object> { ["size"] = new[] { h, w }, ["counts"] = RandomRuns(rng, h * w), ["iscrowd"] = 1 });
                        Add(7, new Dictionary<string, object> { ["size"] = new[] { h, w }, ["counts"] = CocoMask.ToCompressedString(RandomRuns(rng, h * w)) });
                        Add(44, new Dictionary<string, object> { ["size"] = new[] { h, w }, ["counts"] = CocoMask.ToCompressedString(RandomRuns(rng, h * w, maxRun: 5000)) });
                        break;
                }
            }
            WriteJson(Path.Combine(Root, "annotations", "instances_val2017.json"), Images, Annotations);
            Reference = PythonReference.Run("coco_semantic_masks.py", Root, "val2017");
        }

        public void Dispose() => _dir.Dispose();
    }

    static double[] RandomPolygon(Random rng, int h, int w)
    {
        var n = rng.Next(3, 9);
        var xy = new double[2 * n];
        for (var k = 0; k < n; k++)
        {
            xy[2 * k] = Math.Round(rng.NextDouble() * (w + 12) - 6, rng.Next(0, 3));
            xy[2 * k + 1] = Math.Round(rng.NextDouble() * (h + 12) - 6, rng.Next(0, 3));
        }
        return xy;
    }

    static uint[] RandomRuns(Random rng, int area, int maxRun = 300)
    {
        var runs = new List<uint>();
        var left = area;
        var first = true;
        while (left > 0)
        {
            var run = Math.Min(left, rng.Next(first ? 0 : 1, maxRun));
            runs.Add((uint)run);
            left -= run;
            first = false;
        }
        return [.. runs];
    }

    static void WriteJpeg(string path, int h, int w, Random rng)
    {
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)(4 * y), (byte)(4 * x)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, data.ToArray());
    }

    static void WriteJson(string path, List<Dictionary<string, object>> images,
        IEnumerable<(long Id, long ImageId, int Category, object Segmentation, int H, int W)> annotations,
        Func<long, object?>? replaceSegmentation = null)
    {
        var anns = annotations.Select(a =>
        {
            var crowd = a.Segmentation is Dictionary<string, object> d && d.Remove("iscrowd");
            return new Dictionary<string, object?>
            {
                ["id"] = a.Id, ["image_id"] = a.ImageId, ["category_id"] = a.Category, ["iscrowd"] = crowd ? 1 : 0,
                ["segmentation"] = replaceSegmentation?.Invoke(a.Id) ?? a.Segmentation,
            };
        }).ToList();
        var categories = new[] { 1, 2, 3, 4, 7, 18, 44, 62, 90 }.Select(c => new { id = c, name = $"c{c}" });
        File.WriteAllText(path, JsonSerializer.Serialize(new { images, annotations = anns, categories }));
    }

    static byte[] Reference(string dir, string name) => File.ReadAllBytes(Path.Combine(dir, name));

    /// <summary>Rasterises one annotation with CocoMask the way CocoSegmentation does.</summary>
    static byte[] Rasterize(object segmentation, int h, int w)
    {
        var mask = new byte[h * w];
        switch (segmentation)
        {
            case double[][] polygons when polygons[0].Length == 4:
                foreach (var b in polygons) CocoMask.DecodeInto(CocoMask.FromBox(b[0], b[1], b[2], b[3], h, w), h, w, mask);
                break;
            case double[][] polygons:
                foreach (var p in polygons) CocoMask.DecodeInto(CocoMask.FromPolygon(p, h, w), h, w, mask);
                break;
            case Dictionary<string, object> rle when rle["counts"] is string s:
                CocoMask.DecodeInto(CocoMask.FromString(s), h, w, mask);
                break;
            case Dictionary<string, object> rle:
                CocoMask.DecodeInto((uint[])rle["counts"], h, w, mask);
                break;
            default:
                throw new InvalidOperationException(segmentation.GetType().Name);
        }
        return mask;
    }

    [Fact]
    public void CocoMaskRasterisesEveryShapeExactlyAsMaskApiC()
    {
        _coco.Annotations.Should().HaveCountGreaterThan(30);
        foreach (var a in _coco.Annotations)
            Rasterize(a.Segmentation, a.H, a.W).Should().Equal(Reference(Path.Combine(_coco.Reference, "anns"), $"{a.Id}.bin"),
                $"annotation {a.Id} ({a.Segmentation.GetType().Name}) on a {a.H}x{a.W} image");
    }

    [Fact]
    public void SemanticMasksMatchGluonCvsGenSegMaskOnTheReference()
    {
        var data = new CocoSegmentation(_coco.Root, "val", moreThanPixels: null);
        data.Count.Should().Be(_coco.Images.Count);
        data.Labels.Should().BeSameAs(Datasets.CocoVoc);
        var classes = new HashSet<byte>();
        for (var i = 0; i < data.Count; i++)
        {
            var expected = Reference(Path.Combine(_coco.Reference, "masks"), $"{data.ImageIdOf(i)}.bin");
            data.MaskOf(i).Should().Equal(expected, $"image {data.IdOf(i)}");
            foreach (var v in expected) classes.Add(v);
        }
        classes.Should().Contain(new byte[] { 0, 2, 5, 7, 9, 12, 14, 15, 19 }, "the fixture covers overlaps and several categories");
    }

    [Fact]
    public void GetReturnsTheImageAndTheInt64Mask()
    {
        var data = new CocoSegmentation(_coco.Root, "val", moreThanPixels: null);
        for (var i = 0; i < data.Count; i++)
        {
            using var sample = data.Get(i);
            var h = (int)_coco.Images[i]["height"];
            var w = (int)_coco.Images[i]["width"];
            sample.Id.Should().Be($"{_coco.Images[i]["id"]:D12}");
            sample.Image.shape.Should().Equal([3, h, w]);
            sample.Image.dtype.Should().Be(torch.ScalarType.Byte);
            sample.Mask.shape.Should().Equal([h, w]);
            sample.Mask.dtype.Should().Be(torch.ScalarType.Int64);
            sample.Mask.data<long>().ToArray().Select(v => (byte)v).Should().Equal(data.MaskOf(i));
        }
    }

    [Fact]
    public void TheDefaultKeepsTheImagesGluonCvKeeps()
    {
        var data = new CocoSegmentation(_coco.Root, "val");
        var kept = File.ReadAllLines(Path.Combine(_coco.Reference, "kept.txt")).Select(long.Parse).ToArray();
        kept.Should().HaveCountLessThan(_coco.Images.Count).And.NotBeEmpty();
        Enumerable.Range(0, data.Count).Select(data.ImageIdOf).Should().Equal(kept);
    }

    [Fact]
    public void GetIsThreadSafe()
    {
        var data = new CocoSegmentation(_coco.Root, "val", moreThanPixels: null);
        var expected = Enumerable.Range(0, data.Count).Select(data.MaskOf).ToArray();
        Parallel.For(0, 4 * data.Count, k =>
        {
            using var sample = data.Get(k % data.Count);
            sample.Mask.data<long>().ToArray().Select(v => (byte)v).Should().Equal(expected[k % data.Count]);
        });
    }

    [Fact]
    public void CompressedStringsRoundTripAndBadOnesAreRefused()
    {
        var rng = new Random(7);
        for (var t = 0; t < 50; t++)
        {
            var runs = RandomRuns(rng, rng.Next(1, 200_000), maxRun: rng.Next(2, 70_000));
            CocoMask.FromString(CocoMask.ToCompressedString(runs)).Should().Equal(runs);
        }
        FluentActions.Invoking(() => CocoMask.FromString("0~")).Should().Throw<FormatException>().WithMessage("*'~'*");
        FluentActions.Invoking(() => CocoMask.FromString("0P")).Should().Throw<FormatException>().WithMessage("*ends inside*");
    }

    [Fact]
    public void MissingImageFileIsAnErrorNamingIt()
    {
        using var dir = CopyOf(_coco.Root);
        var missing = Path.Combine(dir.Path, "val2017", (string)_coco.Images[2]["file_name"]);
        File.Delete(missing);
        var data = new CocoSegmentation(dir.Path, "val", moreThanPixels: null);
        FluentActions.Invoking(() => data.Get(2)).Should().Throw<FileNotFoundException>()
            .WithMessage($"*{Path.GetFileName(missing)}*");
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "\"not a mask\"", "*annotation id 101*String*" },
        { "{\"size\": [48, 64], \"counts\": [5, 7]}", "*annotation id 101*sum to 12*" },
        { "{\"size\": [48, 64], \"counts\": \"0~9\"}", "*annotation id 101*'~'*" },
        { "{\"size\": [10, 64], \"counts\": [640]}", "*annotation id 101*size [10, 64]*" },
        { "[[1.0, 2.0]]", "*annotation id 101*first polygon of 2 numbers*" },
        { "[[1.0, 2.0, 3.0, \"x\"]]", "*annotation id 101*coordinate 3*" },
        { "{\"counts\": [3072]}", "*annotation id 101*size*" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedSegmentationIsAnErrorNamingTheAnnotation(string json, string message)
    {
        using var dir = CopyOf(_coco.Root);
        var path = Path.Combine(dir.Path, "annotations", "instances_val2017.json");
        var text = File.ReadAllText(path);
        using var doc = JsonDocument.Parse(text);
        var anns = doc.RootElement.GetProperty("annotations");
        var first = anns.EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == 101);
        var original = first.GetProperty("segmentation").GetRawText();
        File.WriteAllText(path, text.Replace(original, json));
        FluentActions.Invoking(() => new CocoSegmentation(dir.Path, "val")).Should().Throw<InvalidDataException>()
            .WithMessage(message).WithMessage($"*{Path.GetFileName(path)}*");
    }

    [Fact]
    public void MissingAnnotationFileAndBadSplitAreErrors()
    {
        FluentActions.Invoking(() => new CocoSegmentation(_coco.Root, "train")).Should().Throw<FileNotFoundException>()
            .WithMessage("*instances_train2017.json*");
        FluentActions.Invoking(() => new CocoSegmentation(_coco.Root, "test")).Should().Throw<ArgumentException>();
    }

    static TempDir CopyOf(string root)
    {
        var dir = new TempDir("tiny-coco-copy");
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.Path, Path.GetRelativePath(root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dir;
    }
}
