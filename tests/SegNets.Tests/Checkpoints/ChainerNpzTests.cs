using System.Text;
using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Sources.ChainerCV;
using SegNets.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// The .npy/.npz reader on files written by Debian's numpy 1.24 (tools/reference/numpy_fixtures.py), and ChainerCV
/// checkpoints end to end: tools/reference/chainercv_segmentation.py writes its transcription's weights as
/// chainer.serializers.save_npz would, and the converted file must reproduce the transcription's outputs.
/// </summary>
public class ChainerNpzTests(ITestOutputHelper output)
{
    static string Fixtures => PythonReference.Run("numpy_fixtures.py");

    static Dictionary<string, JsonElement> Expected() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;

    static ScalarType TypeOf(string descr) => descr[1..] switch
    {
        "f2" => ScalarType.Float16,
        "f4" => ScalarType.Float32,
        "f8" => ScalarType.Float64,
        "i1" => ScalarType.Int8,
        "i2" => ScalarType.Int16,
        "i4" or "u2" => ScalarType.Int32, // uint16 widens
        "i8" or "u4" or "u8" => ScalarType.Int64, // uint32 widens; uint64 below 2^63 fits
        "u1" => ScalarType.Byte,
        "b1" => ScalarType.Bool,
        _ => throw new InvalidOperationException(descr),
    };

    static void ShouldMatch(Tensor t, JsonElement want, string name)
    {
        var descr = want.GetProperty("descr").GetString()!;
        t.dtype.Should().Be(TypeOf(descr), name);
        t.shape.Should().Equal(want.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), name);
        t.is_contiguous().Should().BeTrue(name);
        var values = want.GetProperty("values").EnumerateArray().ToList();
        var flat = t.reshape(-1);
        if (descr[1] == 'f')
            flat.to_type(ScalarType.Float64).data<double>().ToArray().Should().Equal(values.Select(v => v.GetDouble()), name);
        else if (descr[1] == 'b')
            flat.data<bool>().ToArray().Should().Equal(values.Select(v => v.GetBoolean()), name);
        else
            flat.to_type(ScalarType.Int64).data<long>().ToArray().Should().Equal(values.Select(v => v.GetInt64()), name);
    }

    [Fact]
    public void ReadsEveryDtypeByteOrderAndLayoutOfNpSaveExactly()
    {
        using var scope = NewDisposeScope();
        var expected = Expected();
        expected.Keys.Should().Contain(["be_f4", "be_u2", "fortran_f4", "scalar_f4", "empty", "u8", "b1"]);
        foreach (var (name, want) in expected)
            ShouldMatch(NumpyArchive.LoadNpy(Path.Combine(Fixtures, name + ".npy")), want, name);
        NumpyArchive.LoadNpy(Path.Combine(Fixtures, "scalar_f4.npy")).item<float>().Should().Be(3.5f);
        NumpyArchive.LoadNpy(Path.Combine(Fixtures, "fortran_2d.npy"))[1, 0].item<int>().Should().Be(3, "fortran order is transposed back to C order");
    }

    [Theory]
    [InlineData("v2.npy")]
    [InlineData("v3.npy")]
    public void ReadsFormatVersions2And3(string file)
    {
        using var scope = NewDisposeScope();
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, file));
        bytes[6].Should().Be((byte)(file[1] - '0'), "numpy.lib.format.write_array wrote the requested version");
        ShouldMatch(NumpyArchive.LoadNpy(Path.Combine(Fixtures, file)), Expected()["conv_W"], file);
    }

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("compressed.npz")]
    public void ReadsNpSavezAndSavezCompressedInArchiveOrder(string file)
    {
        using var scope = NewDisposeScope();
        var expected = Expected();
        var state = NumpyArchive.LoadNpz(Path.Combine(Fixtures, file), out var skipped);
        skipped.Should().BeEmpty();
        state.Keys.Should().Equal(expected.Keys);
        foreach (var (name, want) in expected)
            ShouldMatch(state[name], want, $"{file}:{name}");
    }

    [Fact]
    public void SkipsChainersNoneObjectArraysAndReportsThem()
    {
        using var scope = NewDisposeScope();
        var state = NumpyArchive.LoadNpz(Path.Combine(Fixtures, "with_none.npz"), out var skipped);
        state.Keys.Should().Equal("conv/W", "bn/N");
        skipped.Should().Equal("conv/b");
        state["bn/N"].dtype.Should().Be(ScalarType.Int64);
        state["bn/N"].shape.Should().BeEmpty();
        var converted = ChainerCVConverter.Create().Convert(state);
        converted.Keys.Should().Equal("conv.weight");

        NumpyArchive.LoadNpz(Path.Combine(Fixtures, "empty.npz")).Should().BeEmpty();
    }

    [Fact]
    public void RefusesWhatHasNoFaithfulTensor()
    {
        var big = Path.Combine(Fixtures, "u8_big.npy");
        FluentActions.Invoking(() => NumpyArchive.LoadNpy(big)).Should().Throw<InvalidDataException>()
            .WithMessage($"{big}: a uint64 array with values above 9223372036854775807*");
        var obj = Path.Combine(Fixtures, "object.npy");
        FluentActions.Invoking(() => NumpyArchive.LoadNpy(obj)).Should().Throw<InvalidDataException>()
            .WithMessage($"{obj}: an object array (descr '|O', a pickle)*");
        var duplicate = Path.Combine(Fixtures, "duplicate.npz");
        FluentActions.Invoking(() => NumpyArchive.LoadNpz(duplicate)).Should().Throw<InvalidDataException>()
            .WithMessage($"{duplicate}: member 'a.npy' appears twice*");
    }

    static byte[] Replace(byte[] bytes, string from, string to)
    {
        var f = Encoding.Latin1.GetBytes(from);
        int at = bytes.AsSpan().IndexOf(f);
        at.Should().BeGreaterThanOrEqualTo(0, $"'{from}' is in the fixture");
        return [.. bytes[..at], .. Encoding.Latin1.GetBytes(to), .. bytes[(at + f.Length)..]];
    }

    [Fact]
    public void BadNpyFilesGetErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var npy = File.ReadAllBytes(Path.Combine(Fixtures, "f4.npy"));
        void Fails(string name, byte[] bytes, string message)
        {
            var path = dir.File(name);
            File.WriteAllBytes(path, bytes);
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => NumpyArchive.LoadNpy(path)).Should().Throw<InvalidDataException>(name).WithMessage($"{path}: {message}");
        }

        Fails("magic.npy", [(byte)'X', .. npy[1..]], "not a .npy array: it starts with 584E554D5059*");
        Fails("version.npy", [.. npy[..6], 4, 0, .. npy[8..]], ".npy format version 4.0*");
        Fails("descr.npy", Replace(npy, "'<f4'", "'<c8'"), "unsupported descr '<c8'*");
        Fails("string.npy", Replace(npy, "'<f4'", "'<U1'"), "unsupported descr '<U1'*");
        Fails("key.npy", Replace(npy, "'shape'", "'shapf'"), "bad .npy header*unexpected key 'shapf'*");
        Fails("struct.npy", Replace(npy, "'<f4'", "[('a'"), "bad .npy header*structured dtype*");
        Fails("header-length.npy", [.. npy[..8], 0xFF, 0xFF, .. npy[10..]], "the header claims 65535 bytes but only * follow (truncated?)");
        Fails("shape.npy", Replace(npy, "(2, 3, 4)", "(2, 3, 5)"), "shape (2, 3, 5) of '<f4' needs 120 data bytes but 96 follow the header (truncated?)");
        Fails("overflow.npy", Replace(npy, "(2, 3, 4)", "(9999999999, 9999999999, 99)"), "shape (9999999999, 9999999999, 99) x 4 bytes overflows");
        Fails("extra.npy", [.. npy, 0, 0, 0, 0], "shape (2, 3, 4) of '<f4' needs 96 data bytes but 100 follow the header");
        for (int length = 0; length < npy.Length; length += 7)
            Fails($"cut{length}.npy", npy[..length], length < 8 ? "ends inside the magic and version*" : "*");
    }

    [Fact]
    public void BadNpzFilesGetErrorsNamingTheFileAndMember()
    {
        using var dir = new TempDir();
        void Fails(string name, byte[] bytes, string message)
        {
            var path = dir.File(name);
            File.WriteAllBytes(path, bytes);
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => NumpyArchive.LoadNpz(path)).Should().Throw<InvalidDataException>(name).WithMessage($"{path}{message}");
        }

        var stored = File.ReadAllBytes(Path.Combine(Fixtures, "stored.npz"));
        Fails("descr.npz", Replace(stored, "'<f2'", "'<c8'"), ": member 'f2.npy': unsupported descr '<c8'*");
        Fails("shape.npz", Replace(stored, "(2, 3, 4)", "(2, 3, 5)"), ": member 'f4.npy': shape (2, 3, 5) of '<f4' needs 120 data bytes but 96*");
        Fails("magic.npz", Replace(stored, "\u0093NUMPY", "\u0093NUMPI"), ": member 'f4.npy': not a .npy array*");
        Fails("npy.npz", File.ReadAllBytes(Path.Combine(Fixtures, "f4.npy")), ": not an .npz (zip) archive*use LoadNpy*");
        var compressed = File.ReadAllBytes(Path.Combine(Fixtures, "compressed.npz"));
        for (int length = 0; length < compressed.Length; length += 97)
            Fails($"cut{length}.npz", compressed[..length], length < 4 ? ": not an .npz (zip) archive*" : ": *");
        // a damaged deflate stream inside an intact zip: flip bytes inside the last member's compressed data
        var flipped = (byte[])compressed.Clone();
        int member = flipped.AsSpan().IndexOf("conv_W.npy"u8);
        for (int i = member + 150; i < member + 190; i++) flipped[i] ^= 0x5A;
        Fails("flipped.npz", flipped, ": member 'conv_W.npy': *");
    }

    // ------------------------------------------------------------------------------------------------ ChainerCV

    static (Dictionary<string, Tensor> Outputs, string Dir) Reference(string network)
    {
        var dir = PythonReference.Run("chainercv_segmentation.py", network, "npz");
        return (PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth")), dir);
    }

    [Theory]
    [InlineData("segnet")]
    [InlineData("pspnet50")]
    [InlineData("deeplab")]
    public void TheConverterIsTheReferenceRenameRule(string network)
    {
        var (_, dir) = Reference(network);
        var converter = ChainerCVConverter.Create();
        var lines = File.ReadAllLines(Path.Combine(dir, "keys.txt"));
        lines.Should().NotBeEmpty();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            converter.MapKey(parts[0].Replace('.', '/')).Should().Be(parts[1], parts[0]);
        }
        converter.MapKey("extractor/res2/a/conv1/bn/N").Should().BeNull();
    }

    static Dictionary<string, Tensor> LoadConverted(string dir, string network, nn.Module net, ITestOutputHelper output)
    {
        var path = Path.Combine(dir, "chainer.npz");
        var npz = NumpyArchive.LoadNpz(path, out var skipped);
        skipped.Should().BeEmpty();
        npz.Keys.Should().OnlyContain(k => !k.Contains('.'), "Chainer keys are '/'-joined");
        long counters = npz.Keys.Count(k => k.EndsWith("/N", StringComparison.Ordinal));
        counters.Should().BePositive();
        var state = ChainerCVConverter.Create().Convert(npz, path);
        state.Count.Should().Be(npz.Count - (int)counters);
        var report = StateDictLoader.Load(net, state, strict: true, source: path);
        output.WriteLine($"{network}: {npz.Count} npz arrays ({counters} BN counters dropped), {report.Loaded.Count} loaded");
        return state;
    }

    [Fact]
    public void SegNetBasicFromAChainerNpzMatchesTheTranscription()
    {
        var (reference, dir) = Reference("segnet");
        using var scope = NewDisposeScope();
        var net = ChainerCVModels.SegNetBasic();
        LoadConverted(dir, "segnet", net, output);
        net.eval();
        using var _ = no_grad();
        var diffs = new List<string>();
        foreach (var tag in new[] { "even", "odd" })
        {
            var x = reference[$"{tag}.input"];
            diffs.Add($"{tag} score {Parity.AssertClose(net.Score(x), reference[$"{tag}.score"], $"{tag} score"):E1}");
            diffs.Add($"{tag} output {Parity.AssertClose(net.forward(x).Main, reference[$"{tag}.output"], $"{tag} output"):E1}");
        }
        output.WriteLine($"segnet_basic from chainer.npz max|diff|: {string.Join(", ", diffs)}");
    }

    [Fact]
    public void PspNet50FromAChainerNpzMatchesTheTranscription()
    {
        var (reference, dir) = Reference("pspnet50");
        using var scope = NewDisposeScope();
        var net = ChainerCVModels.PspNet(50, 5, 65, 73);
        LoadConverted(dir, "pspnet50", net, output);
        net.eval();
        using var _ = no_grad();
        var x = reference["input"];
        var dc5 = Parity.AssertClose(net.Backbone.forward(x)["c5"], reference["c5"], "res5");
        var dout = Parity.AssertClose(net.forward(x).Main, reference["output"], "output");
        output.WriteLine($"pspnet_resnet50 from chainer.npz max|diff|: res5 {dc5:E1}, output {dout:E1}");
    }

    [Fact]
    public void DeepLabV3PlusXception65FromAChainerNpzMatchesTheTranscription()
    {
        var (reference, dir) = Reference("deeplab");
        using var scope = NewDisposeScope();
        var net = ChainerCVModels.DeepLabV3PlusXception65(5);
        LoadConverted(dir, "deeplab", net, output);
        net.eval();
        using var _ = no_grad();
        var x = reference["input"];
        var features = net.Backbone.forward(x);
        var dc2 = Parity.AssertClose(features["c2"], reference["c2"], "low-level c2");
        var dc5 = Parity.AssertClose(features["c5"], reference["c5"], "high-level c5");
        // As in ChainerCVParityTests: synthetic weights leave these logits little spatial signal, so 1e-5, not 1e-4.
        var dlogits = Parity.AssertClose(net.Head.forward(features), reference["rates12.logits"], "logits", 1e-5);
        var dout = Parity.AssertClose(net.forward(x).Main, reference["rates12.output"], "output", 1e-5);
        output.WriteLine($"deeplabv3plus_xception65 from chainer.npz max|diff|: c2 {dc2:E1}, c5 {dc5:E1}, logits {dlogits:E1}, output {dout:E1}");
    }
}
