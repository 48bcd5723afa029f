using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// safetensors files written independently of SegNets, from the format's specification (Debian does not package the
/// `safetensors` library: tools/reference/safetensors_files.py, citing tensor.rs), read exactly; files SegNets writes
/// validated by that script; and the malformed files the reference implementation rejects.
/// </summary>
public class SafeTensorsTests
{
    [Fact]
    public void ReadsEveryDtypeOfAFileWrittenToTheSpecification()
    {
        var dir = PythonReference.Run("safetensors_files.py", "write");
        var expected = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "expected.pth"));
        var (tensors, metadata) = SafeTensors.Load(Path.Combine(dir, "mixed.safetensors"));
        tensors.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, value) in expected)
        {
            tensors[name].dtype.Should().Be(value.dtype, name);
            tensors[name].shape.Should().Equal(value.shape, name);
            Same(tensors[name], value).Should().BeTrue(name);
        }
        metadata.Should().Equal(new Dictionary<string, string> { ["segnets.zoo"] = "test", ["format"] = "pt" });
        SafeTensors.List(Path.Combine(dir, "mixed.safetensors"))
            .Should().Contain(e => e.Name == "backbone.conv1.weight" && e.DType == ScalarType.Float32 && e.Shape.SequenceEqual(new long[] { 4, 3, 3, 3 }));
    }

    [Fact]
    public void WritesFilesTheSpecificationReaderAcceptsAndRoundTrips()
    {
        using var tmp = new TempDir();
        var path = tmp.File("out.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = randn(3, 2, 5), ["b16"] = randn(7).to(ScalarType.BFloat16), ["h"] = randn(2, 2).to(ScalarType.Float16),
            ["n"] = tensor(42L), ["flag"] = tensor(new[] { true, false }), ["view"] = arange(12).reshape(3, 4).t(),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["segnets.zoo"] = "x" });
        var dir = PythonReference.Run("safetensors_files.py", "check", path);
        var read = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "read.pth"));
        File.ReadAllText(Path.Combine(dir, "metadata.txt")).Should().Be("segnets.zoo=x\n");
        var (back, _) = SafeTensors.Load(path);
        foreach (var (name, value) in tensors)
        {
            Same(read[name], value).Should().BeTrue($"python reads {name}");
            Same(back[name], value).Should().BeTrue($"SegNets reads {name} back");
        }
        Directory.GetFiles(tmp.Path).Should().ContainSingle("the temporary file was renamed");
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> Corruptions() => new()
    {
        { "truncated data", b => b[..^3], "*holds*" },
        { "truncated header", b => b[..20], "*runs past the end*" },
        { "huge header length", b => [.. BitConverter.GetBytes(200_000_000UL), .. b[8..]], "*over safetensors' limit*" },
        { "not json", b => Patch(b, 8, "["u8.ToArray()), "*not a JSON object*" },
        { "unknown dtype", b => Replace(b, "\"F32\"", "\"F99\""), "*dtype F99*" },
        { "size mismatch", b => Replace(b, "[4,3,3,3]", "[4,3,3,2]"), "*needs*bytes but its data_offsets span*" },
        { "duplicate name", b => Replace(b, "\"half\"", "\"mask\""), "*appears twice*" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void MalformedFilesGetAnErrorNamingTheFile(string what, Func<byte[], byte[]> corrupt, string message)
    {
        var dir = PythonReference.Run("safetensors_files.py", "write");
        using var tmp = new TempDir();
        var path = tmp.File($"{what.Replace(' ', '-')}.safetensors");
        File.WriteAllBytes(path, corrupt(File.ReadAllBytes(Path.Combine(dir, "mixed.safetensors"))));
        FluentActions.Invoking(() => SafeTensors.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"{path}: {message}");
    }

    static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static byte[] Patch(byte[] bytes, int at, byte[] with)
    {
        var copy = (byte[])bytes.Clone();
        with.CopyTo(copy, at);
        return copy;
    }

    static byte[] Replace(byte[] bytes, string from, string to)
    {
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        text.Should().Contain(from);
        from.Length.Should().Be(to.Length, "the header keeps its length");
        return System.Text.Encoding.Latin1.GetBytes(text.Replace(from, to));
    }
}
