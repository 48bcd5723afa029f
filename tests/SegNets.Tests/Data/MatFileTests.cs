using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Tests.Support;

namespace SegNets.Tests.Data;

/// <summary>MAT v5 files written by scipy.io.savemat (tools/reference/label_files.py mat), shaped like SBD's cls/*.mat.</summary>
public class MatFileTests
{
    static string Dir => PythonReference.Run("label_files.py", "mat");

    [Theory]
    [InlineData("compressed")]
    [InlineData("plain")]
    public void ReadsGtClsSegmentationColumnMajor(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        var expected = json.RootElement.GetProperty(name);
        int h = expected.GetProperty("h").GetInt32(), w = expected.GetProperty("w").GetInt32();
        var rowMajor = expected.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var vars = MatFile.Read(Path.Combine(Dir, name + ".mat"));
        var gt = vars["GTcls"];
        gt.IsStruct.Should().BeTrue();
        gt.Fields!.Keys.Should().BeEquivalentTo(["Boundaries", "Segmentation", "CategoriesPresent"]);
        var seg = gt.Fields["Segmentation"][0];
        seg.Class.Should().Be(9, "mxUINT8_CLASS");
        seg.Dims.Should().Equal(h, w);
        var columnMajor = Enumerable.Range(0, h * w).Select(i => rowMajor[(i % h) * w + i / h]);
        seg.Data.Should().Equal(columnMajor);
        gt.Fields["Boundaries"][0].Class.Should().Be(1, "a cell array, kept undecoded");
    }

    [Fact]
    public void ReadsPlainVariables()
    {
        var vars = MatFile.Read(Path.Combine(Dir, "other.mat"));
        vars["x"].Dims.Should().Equal(2, 3);
        vars["x"].Data.Should().Equal(0, 3, 1, 4, 2, 5);
        vars["name"].Data.Should().BeNull("char arrays are not decoded");
    }

    [Fact]
    public void TruncatedFilesAreErrorsNamingTheFile()
    {
        var read = () => MatFile.Read(Path.Combine(Dir, "truncated.mat"));
        read.Should().Throw<InvalidDataException>().WithMessage("*truncated.mat*");
    }
}
