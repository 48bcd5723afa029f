using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Imaging;
using SegNets.Tests.Support;

namespace SegNets.Tests.Data;

/// <summary>
/// The committed sample dataset samples/data/fashion-scenes: layout, decodability, label values (read with PIL, which
/// wrote them, through tools/reference/palette_png_stats.py) and that tools/make_fashion_scenes.py regenerates it
/// byte for byte.
/// </summary>
public class FashionScenesTests
{
    const int Size = 128;
    static readonly string Root = Repo.PathOf("samples", "data", "fashion-scenes");

    static string[] Split(string split) =>
        File.ReadAllLines(Path.Combine(Root, "ImageSets", "Segmentation", split + ".txt"))
            .Where(l => l.Length > 0).ToArray();

    [Fact]
    public void SplitFilesListEveryCommittedImageAndLabelOnce()
    {
        var train = Split("train");
        var val = Split("val");
        train.Should().HaveCount(3000).And.OnlyHaveUniqueItems();
        val.Should().HaveCount(100).And.OnlyHaveUniqueItems();
        train.Intersect(val).Should().BeEmpty();
        var ids = train.Concat(val).Order(StringComparer.Ordinal).ToArray();
        Directory.GetFiles(Path.Combine(Root, "JPEGImages")).Select(Path.GetFileName)
            .Order(StringComparer.Ordinal).Should().Equal(ids.Select(i => i + ".jpg"));
        Directory.GetFiles(Path.Combine(Root, "SegmentationClass")).Select(Path.GetFileName)
            .Order(StringComparer.Ordinal).Should().Equal(ids.Select(i => i + ".png"));
        File.ReadAllText(Path.Combine(Root, "README.txt")).Should().Contain("Zalando").And.Contain("MIT");
        File.ReadAllText(Path.Combine(Root, "LICENSE.txt")).Should().Contain("Copyright (c) 2017 Zalando SE");
    }

    [Fact]
    public void EveryImageDecodesAsRgb128x128()
    {
        foreach (var id in Split("train").Concat(Split("val")))
        {
            using var image = ImageFile.ReadRgb(Path.Combine(Root, "JPEGImages", id + ".jpg"));
            image.shape.Should().Equal([3, Size, Size], id);
            image.dtype.Should().Be(TorchSharp.torch.ScalarType.Byte);
        }
    }

    [Fact]
    public void TheDatasetIsSmallEnoughToShip()
    {
        var bytes = Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        // 3000 training scenes: with the 400 of the first version the quickstart could not get past ~0.3 mIoU (overfitting).
        bytes.Should().BeLessThan(14L << 20, "the sample dataset is committed to the repository");
    }

    [Fact]
    public void LabelsArePalettePngsWithTheVocColourMapAndClassValues0To10()
    {
        var stats = LabelStats();
        var palette = Datasets.FashionScenes.Palette;
        stats.Should().HaveCount(3100);
        var train = new HashSet<string>(Split("train").Select(i => i + ".png"));
        var trainCounts = new long[256];
        var valCounts = new long[256];
        foreach (var (name, s) in stats)
        {
            s.GetProperty("mode").GetString().Should().Be("P", name);
            s.GetProperty("width").GetInt32().Should().Be(Size, name);
            s.GetProperty("height").GetInt32().Should().Be(Size, name);
            var colours = s.GetProperty("palette").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            for (var c = 0; c < palette.Count; c++)
                new[] { colours[3 * c], colours[3 * c + 1], colours[3 * c + 2] }
                    .Should().Equal([palette[c].R, palette[c].G, palette[c].B], $"{name} palette entry {c}");
            var histogram = s.GetProperty("histogram").EnumerateArray().Select(v => v.GetInt64()).ToArray();
            histogram.Skip(11).Should().OnlyContain(n => n == 0, $"{name} holds only classes 0..10");
            histogram[0].Should().BeGreaterThan(0, $"{name} has background");
            histogram.Skip(1).Sum().Should().BeGreaterThan(0, $"{name} has at least one item");
            var counts = train.Contains(name) ? trainCounts : valCounts;
            for (var v = 0; v < 256; v++) counts[v] += histogram[v];
        }

        // Class frequency: every class occurs in both splits, the background is most but not nearly all pixels,
        // and no item class is rare (10 classes drawn uniformly; items differ in size, sandals are thin).
        foreach (var counts in new[] { trainCounts, valCounts })
        {
            var total = (double)counts.Sum();
            (counts[0] / total).Should().BeInRange(0.6, 0.9);
            for (var c = 1; c <= 10; c++)
                (counts[c] / total).Should().BeInRange(0.005, 0.06, $"class {c} {Datasets.FashionScenes.Classes[c]}");
        }
    }

    [Fact]
    public void TheScriptRegeneratesByteIdenticalFiles()
    {
        using var temp = new TempDir("fashion-scenes");
        var run = ProcessRun.Start(PythonReference.Python,
            [Repo.PathOf("tools", "make_fashion_scenes.py"), temp.Path], Repo.Root, timeoutSeconds: 300);
        run.ExitCode.Should().Be(0, run.Output);
        var committed = Files(Root);
        var regenerated = Files(temp.Path);
        regenerated.Should().Equal(committed);
        foreach (var relative in committed)
            File.ReadAllBytes(Path.Combine(temp.Path, relative))
                .AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Root, relative)))
                .Should().BeTrue($"{relative} regenerates byte for byte");
    }

    [Fact]
    public void DatasetInfoNamesBackgroundAndTheTenFashionMnistClasses()
    {
        var info = Datasets.Get("fashion-scenes");
        info.Should().BeSameAs(Datasets.FashionScenes);
        info.Classes.Should().Equal("background", "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
        info.Palette.Should().Equal(Datasets.Voc.Palette.Take(11));
        info.IgnoreLabel.Should().Be(255);
    }

    [Fact]
    public void VocSegmentationReadsTheScenesWithTheirPaletteIndicesAsPilDoes()
    {
        var stats = LabelStats();
        var val = new VocSegmentation(Root, "val", labels: Datasets.FashionScenes);
        val.Count.Should().Be(100);
        val.Labels.Should().BeSameAs(Datasets.FashionScenes);
        for (int i = 0; i < val.Count; i++)
        {
            using var sample = val.Get(i);
            sample.Image.shape.Should().Equal(3, 128, 128);
            var ours = TorchSharp.torch.bincount(sample.Mask.flatten(), minlength: 256).data<long>().ToArray();
            var pil = stats[sample.Id + ".png"].GetProperty("histogram").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            ours.Should().Equal(pil, $"{sample.Id}: the stored palette indices, as PIL reads them");
        }
    }

    static string[] Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();

    static Dictionary<string, JsonElement> LabelStats()
    {
        var output = PythonReference.Run("palette_png_stats.py", Path.Combine(Root, "SegmentationClass"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "stats.json")));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
