using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Data;

/// <summary>
/// Tiny datasets in each official layout, written with real JPEG/PNG/MAT files by tools/reference/label_files.py
/// (PIL, scipy), with the labels each ORIGINAL loader (GluonCV, ChainerCV, TI) yields, computed there.
/// </summary>
public class FileDatasetsTests
{
    static string Layouts => PythonReference.Run("label_files.py", "layouts");

    static JsonElement Expected(string dataset, string split)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Layouts, "expected.json")));
        return json.RootElement.GetProperty(dataset).GetProperty(split).Clone();
    }

    /// <summary>A private copy of a layout, for tests that damage it.</summary>
    static TempDir Copy(string dataset)
    {
        var dir = new TempDir();
        var source = Path.Combine(Layouts, dataset);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dir;
    }

    static void ShouldMatch(ISegmentationDataset dataset, JsonElement expected)
    {
        dataset.Count.Should().Be(expected.GetArrayLength());
        int i = 0;
        foreach (var e in expected.EnumerateArray())
        {
            using var scope = NewDisposeScope();
            dataset.IdOf(i).Should().Be(e.GetProperty("id").GetString());
            var sample = dataset.Get(i);
            sample.Id.Should().Be(dataset.IdOf(i));
            int h = e.GetProperty("h").GetInt32(), w = e.GetProperty("w").GetInt32();
            sample.Image.shape.Should().Equal(3, h, w);
            sample.Image.dtype.Should().Be(ScalarType.Byte);
            sample.Mask.shape.Should().Equal(h, w);
            sample.Mask.dtype.Should().Be(ScalarType.Int64);
            sample.Mask.data<long>().ToArray().Should().Equal(e.GetProperty("mask").EnumerateArray().Select(v => v.GetInt64()),
                $"sample {i} ({dataset.IdOf(i)})");
            i++;
        }
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    [InlineData("trainval")]
    public void VocReadsPaletteIndicesPerSplit(string split)
    {
        foreach (var root in new[] { "voc", "voc/VOCdevkit", "voc/VOCdevkit/VOC2012" })
            ShouldMatch(new VocSegmentation(Path.Combine(Layouts, root), split), Expected("voc", split));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void SbdReadsGtClsSegmentation(string split)
    {
        ShouldMatch(new SbdSegmentation(Path.Combine(Layouts, "sbd"), split), Expected("sbd", split));
    }

    [Fact]
    public void SbdTrainvalIsTrainThenValWithoutTrainvalTxt()
    {
        var set = new SbdSegmentation(Path.Combine(Layouts, "sbd", "benchmark_RELEASE"), "trainval");
        var ids = Expected("sbd", "train").EnumerateArray().Concat(Expected("sbd", "val").EnumerateArray())
            .Select(e => e.GetProperty("id").GetString());
        Enumerable.Range(0, set.Count).Select(set.IdOf).Should().Equal(ids);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void Ade20kShiftsByOneWithOtherIgnored(string split)
    {
        ShouldMatch(new Ade20kSegmentation(Path.Combine(Layouts, "ade"), split), Expected("ade", split));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void Ade20k32IsTisEncodeSegmap(string split)
    {
        var set = new Ade20k32Segmentation(Path.Combine(Layouts, "ade", "ADEChallengeData2016"), split);
        set.Labels.Should().BeSameAs(Datasets.Ade20k32);
        ShouldMatch(set, Expected("ade32", split));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void CityscapesMapsLabelIdsToTrainIds(string split)
    {
        ShouldMatch(new CityscapesSegmentation(Path.Combine(Layouts, "cityscapes"), split), Expected("cityscapes", split));
    }

    [Fact]
    public void CityscapesTrainvalIsTrainThenVal()
    {
        var set = new CityscapesSegmentation(Path.Combine(Layouts, "cityscapes"), "trainval");
        set.Count.Should().Be(4);
        set.IdOf(3).Should().Be("frankfurt_000000_000294");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    [InlineData("test")]
    public void CamVidSendsUnlabelledToIgnore(string split)
    {
        var set = new CamVidSegmentation(Path.Combine(Layouts, "camvid"), split);
        set.Labels.Should().BeSameAs(Datasets.CamVid);
        ShouldMatch(set, Expected("camvid", split));
    }

    [Fact]
    public void FolderMatchesImagesAndMasksByStem()
    {
        var set = new FolderSegmentation(Path.Combine(Layouts, "folder"), 5);
        set.Labels.NumClasses.Should().Be(5);
        ShouldMatch(set, Expected("folder", "all"));
        set.FilesOf(2).ImagePath.Should().EndWith("c.jpeg");
    }

    [Fact]
    public void FolderWithASplitFile()
    {
        var set = new FolderSegmentation(Path.Combine(Layouts, "folder"), Datasets.Voc, "val.txt");
        Enumerable.Range(0, set.Count).Select(set.IdOf).Should().Equal("c", "a");
        using var scope = NewDisposeScope();
        var all = Expected("folder", "all").EnumerateArray().ToArray();
        set.Get(0).Mask.data<long>().ToArray().Should().Equal(all[2].GetProperty("mask").EnumerateArray().Select(v => v.GetInt64()));
    }

    [Fact]
    public void GetIsThreadSafe()
    {
        var set = new VocSegmentation(Path.Combine(Layouts, "voc"), "trainval");
        var sums = new long[set.Count];
        Parallel.For(0, 24, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            using var scope = NewDisposeScope();
            var s = set.Get(k % set.Count);
            Interlocked.Exchange(ref sums[k % set.Count], s.Mask.sum().item<long>());
        });
        for (int i = 0; i < set.Count; i++)
        {
            using var scope = NewDisposeScope();
            sums[i].Should().Be(set.Get(i).Mask.sum().item<long>());
        }
    }

    // --- bad input --------------------------------------------------------------------------------------------

    [Fact]
    public void UnknownSplitNamesTheMissingSplitFile()
    {
        var make = () => new VocSegmentation(Path.Combine(Layouts, "voc"), "test");
        make.Should().Throw<FileNotFoundException>().WithMessage("*test.txt*splits here: train, trainval, val*");
        var notVoc = () => new VocSegmentation(Path.Combine(Layouts, "ade"), "train");
        notVoc.Should().Throw<DirectoryNotFoundException>().WithMessage("*not a Pascal VOC 2012 folder*");
    }

    [Fact]
    public void ASplitListingAMissingFileFailsAtConstructionNamingBoth()
    {
        using var dir = Copy("voc");
        File.Delete(Path.Combine(dir.Path, "VOCdevkit", "VOC2012", "SegmentationClass", "2007_000039.png"));
        var make = () => new VocSegmentation(dir.Path, "train");
        make.Should().Throw<FileNotFoundException>()
            .WithMessage("*SegmentationClass*2007_000039.png*listed in*ImageSets*train.txt*");

        var skipping = new VocSegmentation(dir.Path, "train", new DatasetOptions { SkipBad = true });
        skipping.Count.Should().Be(1);
        skipping.Skipped.Should().ContainSingle().Which.Id.Should().Be("2007_000039");
    }

    [Fact]
    public void MissingAdeAnnotationIsAnError()
    {
        using var dir = Copy("ade");
        File.Delete(Path.Combine(dir.Path, "ADEChallengeData2016", "annotations", "validation", "ADE_val_00000001.png"));
        var make = () => new Ade20kSegmentation(dir.Path, "val");
        make.Should().Throw<FileNotFoundException>().WithMessage("*ADE_val_00000001.png*images*validation*");
    }

    [Fact]
    public void CorruptTruncatedAndMismatchedSamplesNameTheFileOrAreSkipped()
    {
        using var dir = Copy("voc");
        var voc = Path.Combine(dir.Path, "VOCdevkit", "VOC2012");
        // 2007_000032: truncated label; 2007_000039: its label swapped for another image's (size mismatch);
        // 2008_000123: corrupt JPEG
        var label = Path.Combine(voc, "SegmentationClass", "2007_000032.png");
        var bytes = File.ReadAllBytes(label);
        File.WriteAllBytes(label, bytes[..(bytes.Length / 2)]);
        File.Copy(Path.Combine(voc, "SegmentationClass", "2008_000123.png"), Path.Combine(voc, "SegmentationClass", "2007_000039.png"), overwrite: true);
        File.WriteAllBytes(Path.Combine(voc, "JPEGImages", "2008_000123.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);

        var strict = new VocSegmentation(dir.Path, "trainval");
        strict.Invoking(s => s.Get(0)).Should().Throw<InvalidDataException>().WithMessage("*2007_000032.png*truncated*");
        strict.Invoking(s => s.Get(1)).Should().Throw<InvalidDataException>().WithMessage("*2007_000039.png*label map is*2007_000039.jpg*");
        strict.Invoking(s => s.Get(2)).Should().Throw<InvalidDataException>().WithMessage("*2008_000123.jpg*");

        File.Copy(Path.Combine(Layouts, "voc", "VOCdevkit", "VOC2012", "SegmentationClass", "2007_000032.png"), label, overwrite: true);
        var skipping = new VocSegmentation(dir.Path, "trainval", new DatasetOptions { SkipBad = true });
        using var scope = NewDisposeScope();
        skipping.Get(1).Id.Should().Be("2007_000032", "bad samples are skipped to the next good one, wrapping");
        skipping.Get(0).Id.Should().Be("2007_000032");
        skipping.Skipped.Select(s => s.Id).Should().Equal("2007_000039", "2008_000123");
        skipping.Skipped[0].Reason.Should().Contain("2007_000039.png");
    }

    [Fact]
    public void LabelValuesOutOfRangeNameTheFileAndValue()
    {
        using var dir = Copy("camvid");
        // a label value 12 (CamVid stores 0..11)
        var label = Path.Combine(dir.Path, "CamVid", "valannot", "0016E5_07959.png");
        var image = Path.Combine(dir.Path, "CamVid", "val", "0016E5_07959.png");
        using (var scope = NewDisposeScope())
        {
            var shape = SegNets.Imaging.ImageFile.ReadRgb(image).shape;
            WriteGrey(label, (int)shape[2], (int)shape[1], 12);
        }
        var set = new CamVidSegmentation(dir.Path, "val");
        set.Invoking(s => s.Get(0)).Should().Throw<InvalidDataException>()
            .WithMessage("*0016E5_07959.png*label value 12 at row 0, column 0*out of range*camvid*0..11*");
        var skipping = new CamVidSegmentation(dir.Path, "val", new DatasetOptions { SkipBad = true });
        skipping.Invoking(s => s.Get(0)).Should().Throw<InvalidDataException>().WithMessage("*every sample*");
        skipping.Skipped.Should().ContainSingle();
    }

    [Fact]
    public void FolderRejectsValuesAboveItsClassCount()
    {
        var set = new FolderSegmentation(Path.Combine(Layouts, "folder"), 3);
        set.Invoking(s => s.Get(0)).Should().Throw<InvalidDataException>().WithMessage("*a.png*out of range*0..2, 255*");
    }

    // A grey PNG filled with one value, written with SkiaSharp (Gray8 encodes as an 8-bit grey PNG).
    static void WriteGrey(string path, int width, int height, byte value)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        bitmap.Erase(new SkiaSharp.SKColor(value, value, value));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }
}
