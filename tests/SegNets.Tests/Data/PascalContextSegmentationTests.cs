using System.Runtime.InteropServices;
using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Tests.Support;
using SkiaSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Data;

/// <summary>
/// Pascal Context in both on-disk forms. tools/reference/pascal_context_layout.py writes a tiny VOC2010 with JPEGs,
/// converted PNGs (the values mmsegmentation's converter computes), raw uint16 trainval/*.mat, labels.txt and
/// 59_labels.txt, and the labels of both conventions as mmsegmentation computes them; other layouts are written here
/// with SkiaSharp, with values chosen to pin each rule.
/// </summary>
public class PascalContextSegmentationTests
{
    static string Layout => PythonReference.Run("pascal_context_layout.py");

    static string Voc2010(string root) => Path.Combine(root, "VOCdevkit", "VOC2010");

    static JsonElement Expected(string split)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Layout, "expected.json")));
        return json.RootElement.GetProperty(split).Clone();
    }

    static void ShouldMatch(ISegmentationDataset dataset, JsonElement expected, string maskKey)
    {
        dataset.Count.Should().Be(expected.GetArrayLength());
        int i = 0;
        foreach (var e in expected.EnumerateArray())
        {
            using var scope = NewDisposeScope();
            dataset.IdOf(i).Should().Be(e.GetProperty("id").GetString());
            var sample = dataset.Get(i);
            int h = e.GetProperty("h").GetInt32(), w = e.GetProperty("w").GetInt32();
            sample.Image.shape.Should().Equal(3, h, w);
            sample.Image.dtype.Should().Be(ScalarType.Byte);
            sample.Mask.shape.Should().Equal(h, w);
            sample.Mask.dtype.Should().Be(ScalarType.Int64);
            sample.Mask.data<long>().ToArray().Should().Equal(
                e.GetProperty(maskKey).EnumerateArray().Select(v => v.GetInt64()), $"{maskKey} of sample {i} ({dataset.IdOf(i)})");
            i++;
        }
    }

    /// <summary>A private copy of the generated layout, for tests that damage it.</summary>
    static TempDir CopyLayout()
    {
        var dir = new TempDir();
        foreach (var file in Directory.EnumerateFiles(Layout, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.Path, Path.GetRelativePath(Layout, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dir;
    }

    // --- converted PNGs -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void ConvertedPngsGiveMmsegmentationsLabelsInBothConventions(string split)
    {
        foreach (var root in new[] { Layout, Path.Combine(Layout, "VOCdevkit"), Voc2010(Layout) })
        {
            var set59 = new PascalContextSegmentation(root, split);
            set59.Classes.Should().Be(PascalContextClasses.Classes59);
            set59.Labels.Should().BeSameAs(Datasets.PascalContext);
            ShouldMatch(set59, Expected(split), "mask59");

            var set60 = new PascalContextSegmentation(root, split, classes: PascalContextClasses.Classes60);
            set60.Labels.Should().BeSameAs(Datasets.PascalContext60);
            ShouldMatch(set60, Expected(split), "mask60");
        }
        new PascalContextSegmentation(Layout, split).FilesOf(0).LabelPath
            .Should().EndWith(Path.Combine("VOC2010", "SegmentationClassContext", Expected(split)[0].GetProperty("id").GetString() + ".png"));
    }

    [Fact]
    public void EveryStoredValueMapsAsEachConventionSays()
    {
        // values 0..59 and 255 in one 16x16 label: 59 classes: 0 -> 255, k -> k-1, 255 -> 255; 60 classes: identity
        using var dir = new TempDir();
        var voc = Voc2010(dir.Path);
        var values = Enumerable.Range(0, 256).Select(p => (byte)(p < 60 ? p : 255)).ToArray();
        WriteSample(voc, "2008_000123", 16, 16, values);
        WriteSplit(voc, "val", "2008_000123");

        using var scope = NewDisposeScope();
        var mask59 = new PascalContextSegmentation(dir.Path, "val").Get(0).Mask.data<long>().ToArray();
        mask59.Should().Equal(values.Select(v => v == 0 ? 255L : v == 255 ? 255L : v - 1L));
        mask59[0].Should().Be(SegmentationSample.IgnoreIndex, "background is ignored");
        mask59[1].Should().Be(0, "stored 1 (aeroplane) is class 0");
        mask59[59].Should().Be(58, "stored 59 (wood) is class 58");
        Datasets.PascalContext.Classes[58].Should().Be("wood");

        var mask60 = new PascalContextSegmentation(voc, "val", classes: PascalContextClasses.Classes60).Get(0).Mask.data<long>().ToArray();
        mask60.Should().Equal(values.Select(v => (long)v));
        Datasets.PascalContext60.Classes[59].Should().Be("wood");
    }

    [Theory]
    [InlineData(PascalContextClasses.Classes59, "pascal-context")]
    [InlineData(PascalContextClasses.Classes60, "pascal-context-60")]
    public void ValuesAbove59AreErrorsNamingTheFileAndValue(PascalContextClasses classes, string name)
    {
        using var dir = new TempDir();
        var voc = Voc2010(dir.Path);
        var values = new byte[5 * 4];
        values[6] = 60;   // row 1, column 1 (width 5)
        values[13] = 200;
        WriteSample(voc, "2008_000001", 5, 4, values);
        WriteSample(voc, "2008_000002", 5, 4, new byte[20]);
        WriteSplit(voc, "train", "2008_000001", "2008_000002");

        var strict = new PascalContextSegmentation(dir.Path, "train", classes: classes);
        strict.Invoking(s => s.Get(0)).Should().Throw<InvalidDataException>()
            .WithMessage($"*2008_000001.png*label value 60 at row 1, column 1 is out of range for {name} (*stored values accepted: 0..59, 255)*");

        var skipping = new PascalContextSegmentation(dir.Path, "train", new DatasetOptions { SkipBad = true }, classes);
        using var scope = NewDisposeScope();
        skipping.Get(0).Id.Should().Be("2008_000002");
        skipping.Skipped.Should().ContainSingle().Which.Reason.Should().Contain("2008_000001.png").And.Contain("label value 60");
    }

    [Fact]
    public void ASplitListingAMissingFileFailsNamingItOrIsSkipped()
    {
        using var dir = CopyLayout();
        var voc = Voc2010(dir.Path);
        File.Delete(Path.Combine(voc, "SegmentationClassContext", "2008_000003.png"));
        File.Delete(Path.Combine(voc, "trainval", "2010_000001.mat"));

        FluentActions.Invoking(() => new PascalContextSegmentation(dir.Path, "train")).Should().Throw<FileNotFoundException>()
            .WithMessage("*SegmentationClassContext*2008_000003.png: listed in*ImageSets*SegmentationContext*train.txt*");
        FluentActions.Invoking(() => new PascalContextMatSegmentation(dir.Path, "train")).Should().Throw<FileNotFoundException>()
            .WithMessage("*trainval*2010_000001.mat: listed in*SegmentationContext*train.txt*");

        var skip = new DatasetOptions { SkipBad = true };
        var png = new PascalContextSegmentation(dir.Path, "train", skip);
        Enumerable.Range(0, png.Count).Select(png.IdOf).Should().Equal("2008_000002", "2010_000001");
        png.Skipped.Should().ContainSingle().Which.Id.Should().Be("2008_000003");
        var mat = new PascalContextMatSegmentation(dir.Path, "train", skip);
        Enumerable.Range(0, mat.Count).Select(mat.IdOf).Should().Equal("2008_000002", "2008_000003");
        mat.Skipped.Should().ContainSingle().Which.Reason.Should().Contain("2010_000001.mat");
    }

    [Fact]
    public void UnknownSplitsAndFoldersAreNamed()
    {
        FluentActions.Invoking(() => new PascalContextSegmentation(Layout, "trainval")).Should().Throw<FileNotFoundException>()
            .WithMessage("*SegmentationContext*trainval.txt*splits here: train, val*");
        using var empty = new TempDir();
        FluentActions.Invoking(() => new PascalContextSegmentation(empty.Path, "train")).Should().Throw<DirectoryNotFoundException>()
            .WithMessage("*not a Pascal Context*VOCdevkit*VOC2010*SegmentationClassContext*");
        FluentActions.Invoking(() => new PascalContextMatSegmentation(empty.Path, "train")).Should().Throw<DirectoryNotFoundException>()
            .WithMessage("*not a Pascal Context*trainval*");
        FluentActions.Invoking(() => new PascalContextSegmentation(Layout, "train", classes: (PascalContextClasses)21))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    // --- raw trainval/*.mat -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void RawMatFilesGiveTheSameLabelsAsTheConvertedPngs(string split)
    {
        var set59 = new PascalContextMatSegmentation(Layout, split);
        set59.Labels.Should().BeSameAs(Datasets.PascalContext);
        set59.LabelsFile.Should().Be(Path.Combine(Voc2010(Layout), "labels.txt"));
        set59.ClassesFile.Should().Be(Path.Combine(Voc2010(Layout), "59_labels.txt"));
        ShouldMatch(set59, Expected(split), "mask59");

        var set60 = new PascalContextMatSegmentation(Path.Combine(Layout, "VOCdevkit"), split, classes: PascalContextClasses.Classes60);
        set60.Labels.Should().BeSameAs(Datasets.PascalContext60);
        ShouldMatch(set60, Expected(split), "mask60");
    }

    [Fact]
    public void MatFileReadsTheUint16LabelMapColumnMajor()
    {
        foreach (var e in Expected("train").EnumerateArray().Concat(Expected("val").EnumerateArray()))
        {
            var path = Path.Combine(Voc2010(Layout), "trainval", e.GetProperty("id").GetString() + ".mat");
            var map = MatFile.Read(path)["LabelMap"];
            map.Class.Should().Be(11, "mxUINT16_CLASS");
            int h = e.GetProperty("h").GetInt32(), w = e.GetProperty("w").GetInt32();
            map.Dims.Should().Equal(h, w);
            var (values, height, width) = MatFile.RowMajorIntegers(map);
            (height, width).Should().Be((h, w));
            values.Should().Equal(e.GetProperty("raw").EnumerateArray().Select(v => v.GetInt32()));
        }
        Expected("train").EnumerateArray().SelectMany(e => e.GetProperty("raw").EnumerateArray()).Select(v => v.GetInt32())
            .Should().Contain(459, "values above 255 need 16 bits");
    }

    [Fact]
    public void NameFilesMayLiveInTrainvalOrBeGivenExplicitly()
    {
        using var dir = CopyLayout();
        var voc = Voc2010(dir.Path);
        File.Move(Path.Combine(voc, "labels.txt"), Path.Combine(voc, "trainval", "labels.txt"));
        var elsewhere = Path.Combine(dir.Path, "names59.txt");
        File.Move(Path.Combine(voc, "59_labels.txt"), elsewhere);

        FluentActions.Invoking(() => new PascalContextMatSegmentation(dir.Path, "val")).Should().Throw<FileNotFoundException>()
            .WithMessage("*VOC2010*59_labels.txt or *trainval*59_labels.txt: no 59_labels.txt*");
        var set = new PascalContextMatSegmentation(dir.Path, "val", classesFile: elsewhere);
        set.LabelsFile.Should().Be(Path.Combine(voc, "trainval", "labels.txt"));
        set.ClassesFile.Should().Be(elsewhere);
        ShouldMatch(set, Expected("val"), "mask59");
    }

    [Fact]
    public void BadNameFilesAndLabelsOutsideLabelsTxtAreNamed()
    {
        using var dir = CopyLayout();
        var voc = Voc2010(dir.Path);
        var classes = Path.Combine(voc, "59_labels.txt");
        var original = File.ReadAllText(classes);
        File.WriteAllText(classes, original.Replace(": table\n", ": diningtable\n"));
        FluentActions.Invoking(() => new PascalContextMatSegmentation(dir.Path, "train")).Should().Throw<InvalidDataException>()
            .WithMessage("*59_labels.txt: expected the 59 class names of pascal-context*not among them: diningtable; missing: table*");
        File.WriteAllText(classes, original);

        var labels = Path.Combine(voc, "labels.txt");
        var lines = File.ReadAllLines(labels);
        File.WriteAllLines(labels, lines.Where(l => !l.StartsWith("2: ", StringComparison.Ordinal)));
        FluentActions.Invoking(() => new PascalContextMatSegmentation(dir.Path, "train")).Should().Throw<InvalidDataException>()
            .WithMessage("*labels.txt: no label named 'aeroplane'*");
        File.WriteAllLines(labels, lines.Select(l => l == "17: label017" ? "17 label017" : l));
        FluentActions.Invoking(() => new PascalContextMatSegmentation(dir.Path, "train")).Should().Throw<InvalidDataException>()
            .WithMessage("*labels.txt, line 17: '17 label017' is not 'NUMBER: NAME'*");

        // the full set without its last label: 459 (in 2008_000003's last pixel, 5x6) is now unknown
        File.WriteAllLines(labels, lines.Where(l => !l.StartsWith("459: ", StringComparison.Ordinal)));
        var set = new PascalContextMatSegmentation(dir.Path, "train");
        set.Invoking(s => s.Get(1)).Should().Throw<InvalidDataException>()
            .WithMessage("*trainval*2008_000003.mat: LabelMap value 459 at row 4, column 5 is not a label of *labels.txt (0..458)*");
        var skipping = new PascalContextMatSegmentation(dir.Path, "train", new DatasetOptions { SkipBad = true });
        using var scope = NewDisposeScope();
        skipping.Get(1).Id.Should().Be("2010_000001");
        skipping.Skipped.Should().ContainSingle().Which.Id.Should().Be("2008_000003");
    }

    // --- label sets ---------------------------------------------------------------------------------------------

    [Fact]
    public void LabelSetsAreMmsegmentationsInTheConvertedOrder()
    {
        var c59 = Datasets.PascalContext;
        var c60 = Datasets.PascalContext60;
        Datasets.Get("pascal-context").Should().BeSameAs(c59);
        Datasets.Get("Pascal-Context-60").Should().BeSameAs(c60);
        Datasets.All.Should().Contain([c59, c60]);

        c59.NumClasses.Should().Be(59);
        c59.Classes.Should().BeInAscendingOrder(StringComparer.Ordinal, "the converter numbers the sorted Detail ids, whose names are alphabetical");
        c59.Classes.Take(4).Should().Equal("aeroplane", "bag", "bed", "bedclothes");
        c59.Classes[36].Should().Be("person");
        c59.Classes[54].Should().Be("tvmonitor");
        c59.IgnoreLabel.Should().Be(255);
        c60.Classes.Should().Equal(["background", .. c59.Classes]);
        c60.IgnoreLabel.Should().Be(255);

        c60.Palette[0].Should().Be(new Rgb(120, 120, 120));
        c60.Palette[59].Should().Be(new Rgb(31, 0, 255));
        c59.Palette.Should().Equal(c60.Palette.Skip(1), "mmsegmentation's 59-class palette drops the background colour");
        c60.Palette.Should().Equal(Datasets.Ade20k.Palette.Take(60), "mmsegmentation's Pascal Context palette is ADE20K's first 60 colours");
        c59.Source.Should().Contain("open-mmlab/mmsegmentation@").And.Contain("PascalContextDataset59");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    static void WriteSplit(string voc2010, string split, params string[] ids)
    {
        var dir = Path.Combine(voc2010, "ImageSets", "SegmentationContext");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, split + ".txt"), ids);
    }

    // A JPEG and an 8-bit grey PNG label (what the converter's Image.fromarray(uint8).save writes), by SkiaSharp.
    static void WriteSample(string voc2010, string id, int width, int height, byte[] labels)
    {
        Directory.CreateDirectory(Path.Combine(voc2010, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc2010, "SegmentationClassContext"));
        using (var image = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    image.SetPixel(x, y, new SKColor((byte)(x * 13), (byte)(y * 17), (byte)(x + y)));
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            using var stream = File.Create(Path.Combine(voc2010, "JPEGImages", id + ".jpg"));
            jpeg.SaveTo(stream);
        }
        using var label = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            Marshal.Copy(labels, y * width, label.GetPixels() + y * label.RowBytes, width);
        using var png = label.Encode(SKEncodedImageFormat.Png, 100);
        using var output = File.Create(Path.Combine(voc2010, "SegmentationClassContext", id + ".png"));
        png.SaveTo(output);
    }
}
