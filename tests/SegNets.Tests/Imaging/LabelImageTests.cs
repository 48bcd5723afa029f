using System.Text.Json;
using FluentAssertions;
using SegNets.Imaging;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Imaging;

/// <summary>PNGs written by Debian's PIL and, with every filter type forced and Adam7, by tools/reference/label_files.py.</summary>
public class LabelImageTests
{
    static string Dir => PythonReference.Run("label_files.py", "png");

    public static TheoryData<string> Files => new()
    {
        "pil_p8", "pil_p4", "pil_p2", "pil_p1", "pil_l", "pil_i16", "pil_1bit",
        "forced_grey8", "forced_grey16", "forced_grey_alpha", "forced_p4", "adam7_grey8", "adam7_p2", "adam7_1x1",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadsTheStoredIndexOrGreyValueExactly(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        var expected = json.RootElement.GetProperty(name);
        int h = expected.GetProperty("h").GetInt32(), w = expected.GetProperty("w").GetInt32();
        var values = expected.GetProperty("values").EnumerateArray().Select(v => v.GetInt64()).ToArray();

        using var scope = NewDisposeScope();
        var labels = LabelImage.Read(Path.Combine(Dir, name + ".png"));
        labels.dtype.Should().Be(ScalarType.Int64);
        labels.shape.Should().Equal(h, w);
        labels.data<long>().ToArray().Should().Equal(values);
    }

    [Fact]
    public void FixturesCoverEveryFilterType()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "filters.json")));
        json.RootElement.GetProperty("forced_grey16").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(0, 1, 2, 3, 4);
        json.RootElement.GetProperty("forced_p4").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(0, 1, 2, 3, 4);
        // PIL's own adaptive choice on a grey image uses several (Sub, Up, Paeth at the time of writing)
        json.RootElement.GetProperty("pil_l").GetArrayLength().Should().BeGreaterThan(1);
    }

    [Fact]
    public void ThePaletteIndexIsReadNotTheColour()
    {
        // pil_p8 uses the VOC colour map: index 15 is (192,128,128); the reader returns 15, a colour decoder would not.
        using var scope = NewDisposeScope();
        var labels = LabelImage.Read(Path.Combine(Dir, "pil_p8.png"));
        labels.max().item<long>().Should().Be(255);
        (labels.eq(15).sum().item<long>() > 0).Should().BeTrue();
    }

    [Theory]
    [InlineData("bad_crc.png", "*bad_crc.png*bad CRC*IDAT*")]
    [InlineData("truncated.png", "*truncated.png*truncated*")]
    [InlineData("rgb.png", "*rgb.png*RGB PNG*")]
    [InlineData("not_png.png", "*not_png.png*not a PNG*")]
    public void BadFilesAreErrorsNamingTheFile(string file, string message)
    {
        var read = () => LabelImage.Read(Path.Combine(Dir, file));
        read.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        var read = () => LabelImage.Read(Path.Combine(Dir, "nope.png"));
        read.Should().Throw<FileNotFoundException>().WithMessage("*nope.png*");
    }
}
