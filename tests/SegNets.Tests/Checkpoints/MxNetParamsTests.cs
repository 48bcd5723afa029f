using System.IO.Compression;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// The MXNet `.params` reader on files written byte for byte as MXNet's NDArray::Save writes them
/// (tools/reference/mxnet_params_writer.py; MXNet itself cannot run here), and GluonCV checkpoints end to end.
/// </summary>
public class MxNetParamsTests(ITestOutputHelper output)
{
    static string Fixtures => PythonReference.Run("mxnet_params_writer.py");

    sealed record Expected(string dtype, long[] shape, double[] values);

    static Dictionary<string, Dictionary<string, Expected>> ExpectedFiles() =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, Expected>>>(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;

    [Theory]
    [InlineData("dict.params")]
    [InlineData("prefixed.params")]
    [InlineData("list.params")]
    [InlineData("v1.params")]
    [InlineData("legacy.params")]
    [InlineData("np_shape.params")]
    public void ReadsEveryArrayExactly(string file)
    {
        using var scope = NewDisposeScope();
        var state = MxNetParams.Load(Path.Combine(Fixtures, file));
        var expected = ExpectedFiles()[file];
        state.Keys.Should().Equal(expected.Keys, "file order is kept, arg:/aux: prefixes are stripped, a list gets \"0\", \"1\", ...");
        foreach (var (name, want) in expected)
        {
            var t = state[name];
            t.shape.Should().Equal(want.shape, name);
            t.dtype.Should().Be(want.dtype switch
            {
                "float32" => ScalarType.Float32,
                "float64" => ScalarType.Float64,
                "float16" => ScalarType.Float16,
                "bfloat16" => ScalarType.BFloat16,
                "uint8" => ScalarType.Byte,
                "int8" => ScalarType.Int8,
                "int16" => ScalarType.Int16,
                "int32" or "uint16" => ScalarType.Int32,
                "int64" or "uint32" or "uint64" => ScalarType.Int64,
                "bool" => ScalarType.Bool,
                _ => throw new InvalidOperationException(want.dtype),
            }, name);
            t.to_type(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray().Should().Equal(want.values, name);
        }
    }

    [Fact]
    public void CoversTheFormatsCases()
    {
        using var scope = NewDisposeScope();
        var state = MxNetParams.Load(Path.Combine(Fixtures, "np_shape.params"));
        state["scalar"].shape.Should().BeEmpty("a V3 (np shape) array of ndim 0 is a 0-d scalar");
        state["scalar"].item<float>().Should().Be(2.5f);
        state["unset"].shape.Should().Equal([0L], "an unset array reads as an empty tensor");
        var dict = MxNetParams.Load(Path.Combine(Fixtures, "dict.params"));
        dict["empty"].shape.Should().Equal([2L, 0L]);
        dict["ushorts"].data<int>().ToArray().Should().Equal([0, 65535], "uint16 widens to int32");
        dict["uints"].data<long>().ToArray().Should().Equal([0L, 4294967295L], "uint32 widens to int64");
    }

    [Fact]
    public void RefusesSparseArraysNamingTheArray()
    {
        var path = Path.Combine(Fixtures, "sparse.params");
        FluentActions.Invoking(() => MxNetParams.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage($"{path}: array 1 of 2: storage type 1 (row_sparse); only dense arrays*");
    }

    [Fact]
    public void EveryTruncationIsAClearErrorNeverACrashOrGarbage()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "dict.params"));
        var cut = dir.File("cut.params");
        for (int length = 0; length < bytes.Length; length += 13)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => MxNetParams.Load(cut))
                .Should().Throw<InvalidDataException>($"a file cut to {length} of {bytes.Length} bytes").WithMessage($"{cut}: *");
        }
        File.WriteAllBytes(cut, bytes[..30]);
        FluentActions.Invoking(() => MxNetParams.Load(cut)).Should().Throw<InvalidDataException>()
            .WithMessage($"{cut}: the header counts 16 arrays, but only 6 bytes follow (at least 4 per array; truncated or not a .params file)");
        File.WriteAllBytes(cut, bytes[..522]);
        FluentActions.Invoking(() => MxNetParams.Load(cut)).Should().Throw<InvalidDataException>()
            .WithMessage($"{cut}: array 1 of 16: ends early at byte 520: its ndim needs 4 bytes, 2 remain (truncated file?)");
        File.WriteAllBytes(cut, bytes[..100]);
        FluentActions.Invoking(() => MxNetParams.Load(cut)).Should().Throw<InvalidDataException>()
            .WithMessage($"{cut}: array 0 of 16: shape [4, 3, 3, 3] of type flag 0 needs 432 bytes of data; only 20 remain (truncated file?)");
        File.WriteAllBytes(cut, bytes[..^3]);
        FluentActions.Invoking(() => MxNetParams.Load(cut)).Should().Throw<InvalidDataException>()
            .WithMessage($"{cut}: name 15 of 16: length 5, but only 2 bytes remain (truncated file?)");
    }

    // ---- hand-made files: the list format around V2 arrays (ndarray.cc L1865-1940, L2130-2138)

    static byte[] V2Array(long[] shape, int typeFlag, byte[] data, int stype = 0, int deviceType = 1, int? ndim = null)
    {
        using var s = new MemoryStream();
        using var w = new BinaryWriter(s);
        w.Write(0xF993FAC9u);
        w.Write(stype);
        w.Write(ndim ?? shape.Length);
        foreach (var d in shape) w.Write(d);
        w.Write(deviceType);
        w.Write(0);
        w.Write(typeFlag);
        w.Write(data);
        w.Flush();
        return s.ToArray();
    }

    static byte[] ParamsFile(byte[][] arrays, string[]? names = null, ulong? count = null, ulong magic = 0x112)
    {
        using var s = new MemoryStream();
        using var w = new BinaryWriter(s);
        w.Write(magic);
        w.Write(0UL);
        w.Write(count ?? (ulong)arrays.Length);
        foreach (var a in arrays) w.Write(a);
        w.Write((ulong)(names?.Length ?? 0));
        foreach (var n in names ?? [])
        {
            var raw = Encoding.UTF8.GetBytes(n);
            w.Write((ulong)raw.Length);
            w.Write(raw);
        }
        w.Flush();
        return s.ToArray();
    }

    static readonly byte[] TwoFloats = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray();

    [Theory]
    [InlineData("wrong-magic", "*: not an MXNet .params file: it starts with 4749463839612074; expected the list magic 1201000000000000.")]
    [InlineData("npz", "*: not an MXNet .params file: it starts with 504B0304*MXNet 2.x numpy .npz*not supported yet*")]
    [InlineData("unknown-type-flag", "*: array 0 of 1: unknown type flag 13; expected 0..12*")]
    [InlineData("count-says-more", "*: the header counts 1000 arrays, but only 57 bytes follow*")]
    [InlineData("data-short", "*: array 0 of 1: shape [1000, 1000] of type flag 0 needs 4000000 bytes of data; only 25 remain (truncated file?)")]
    [InlineData("dims-overflow", "*: array 0 of 1: shape [1099511627776, 1099511627776] has more elements than any file can hold")]
    [InlineData("absurd-ndim", "*: array 0 of 1: ndim 1000000; expected 0..32")]
    [InlineData("negative-dim", "*: array 0 of 1: dimension 1 is -5; expected a size >= 0")]
    [InlineData("device", "*: array 0 of 1: device type 77; expected 1 (cpu)*")]
    [InlineData("duplicate", "*: array 1 is named 'aux:w', and 'arg:w' (array 0) already gave key 'w'; duplicate key")]
    [InlineData("names-count", "*: the names list holds 1 names for 2 arrays; expected 0 or 2")]
    [InlineData("bad-utf8", "*: name 0 of 1 (of array 0) is not valid UTF-8: FF*")]
    [InlineData("trailing", "*: 7 bytes follow the names list; an MXNet .params file ends there*")]
    [InlineData("csr", "*: array 0 of 1: storage type 2 (csr); only dense arrays*")]
    [InlineData("not-a-magic", "*: array 0 of 1: starts with 0x12345678, neither an NDArray magic*")]
    public void BadFilesGetErrorsNamingTheFileAndTheArray(string kind, string message)
    {
        byte[] two = V2Array([2], 0, TwoFloats);
        byte[] bytes = kind switch
        {
            "wrong-magic" => Encoding.ASCII.GetBytes("GIF89a this is no checkpoint, not at all"),
            "npz" => [0x50, 0x4B, 0x03, 0x04, .. new byte[40]],
            "unknown-type-flag" => ParamsFile([V2Array([2], 13, TwoFloats)], ["w"]),
            "count-says-more" => ParamsFile([two], ["w"], count: 1000),
            "data-short" => ParamsFile([V2Array([1000, 1000], 0, new byte[8])], ["w"]),
            "dims-overflow" => ParamsFile([V2Array([1L << 40, 1L << 40], 0, TwoFloats)], ["w"]),
            "absurd-ndim" => ParamsFile([V2Array([2], 0, TwoFloats, ndim: 1_000_000)], ["w"]),
            "negative-dim" => ParamsFile([V2Array([2, -5], 0, TwoFloats)], ["w"]),
            "device" => ParamsFile([V2Array([2], 0, TwoFloats, deviceType: 77)], ["w"]),
            "duplicate" => ParamsFile([two, two], ["arg:w", "aux:w"]),
            "names-count" => ParamsFile([two, two], ["w"]),
            "bad-utf8" => ParamsFile([two], ["\uFFFF"]).Select(b => b == 0xEF ? (byte)0xFF : b).ToArray(),
            "trailing" => [.. ParamsFile([two], ["w"]), 1, 2, 3, 4, 5, 6, 7],
            "csr" => ParamsFile([V2Array([2], 0, TwoFloats, stype: 2)], ["w"]),
            "not-a-magic" => ParamsFile([[0x78, 0x56, 0x34, 0x12, .. two[4..]]], ["w"]),
            _ => throw new ArgumentException(kind),
        };
        using var dir = new TempDir();
        var path = dir.File(kind + ".params");
        File.WriteAllBytes(path, bytes);
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => MxNetParams.Load(path)).Should().Throw<InvalidDataException>()
            .WithMessage(message.Replace("*:", path + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void AHandMadeFileReadsBack()
    {
        using var dir = new TempDir();
        var path = dir.File("ok.params");
        File.WriteAllBytes(path, ParamsFile([V2Array([2], 0, TwoFloats)], ["arg:w"]));
        using var scope = NewDisposeScope();
        MxNetParams.Load(path)["w"].data<float>().ToArray().Should().Equal(1.5f, -2f);
    }

    [Fact]
    public void ModelStoreZipsAreCheckedAndExplained()
    {
        using var dir = new TempDir();
        var good = ParamsFile([V2Array([2], 0, TwoFloats)], ["head.w"]);

        var empty = dir.File("fcn_resnet50_ade-3479525a.zip");
        using (var zip = ZipFile.Open(empty, ZipArchiveMode.Create)) zip.CreateEntry("README.txt");
        FluentActions.Invoking(() => MxNetParams.LoadGluonModelStoreZip(empty)).Should().Throw<InvalidDataException>()
            .WithMessage($"{empty}: expected one .params member (fcn_resnet50_ade-3479525a.params, as GluonCV's model store packs it); the archive holds README.txt");

        var wrongHash = dir.File("fcn_resnet50_ade-3479525a.params.zip");
        using (var zip = ZipFile.Open(wrongHash, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("fcn_resnet50_ade-3479525a.params").Open()) s.Write(good);
        FluentActions.Invoking(() => MxNetParams.LoadGluonModelStoreZip(wrongHash)).Should().Throw<InvalidDataException>()
            .WithMessage($"{wrongHash}:fcn_resnet50_ade-3479525a.params: SHA-1 * does not start with 3479525a, the hash prefix in its name (damaged download?)");

        var notZip = dir.File("x.zip");
        File.WriteAllBytes(notZip, good);
        FluentActions.Invoking(() => MxNetParams.LoadGluonModelStoreZip(notZip)).Should().Throw<InvalidDataException>()
            .WithMessage($"{notZip}: not a readable zip archive*");

        var cut = dir.File("cut.zip");
        using (var zip = ZipFile.Open(cut, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("cut.params").Open()) s.Write(good[..^4]);
        FluentActions.Invoking(() => MxNetParams.LoadGluonModelStoreZip(cut)).Should().Throw<InvalidDataException>()
            .WithMessage($"{cut}:cut.params: name 0 of 1: length 6, but only 2 bytes remain (truncated file?)");
    }

    [Fact]
    public void OldSaveParamsNamesAreRefusedWithAnExplanation()
    {
        using var scope = NewDisposeScope();
        var old = new Dictionary<string, Tensor> { ["resnetv1b_conv0_weight"] = zeros(1), ["resnetv1b_batchnorm0_gamma"] = zeros(1) };
        FluentActions.Invoking(() => GluonCVConverter.Create().Convert(old, "old.params")).Should().Throw<InvalidDataException>()
            .WithMessage("old.params: holds names without dots (e.g. 'resnetv1b_conv0_weight'): the pre-1.3 Gluon save_params format*save_parameters*");
    }

    [Theory]
    [InlineData("conv1.0.weight", "backbone.conv1.0.weight")]
    [InlineData("conv1.1.gamma", "backbone.conv1.1.weight")]
    [InlineData("bn1.beta", "backbone.bn1.bias")]
    [InlineData("layer4.2.bn3.running_var", "backbone.layer4.2.bn3.running_var")]
    [InlineData("layer1.0.conv2.weight", "backbone.layer1.0.conv2.weight")]
    [InlineData("layer3.5.conv2.bn.gamma", "backbone.layer3.5.conv2.bn0.weight")]
    [InlineData("layer3.5.conv2.bn1.running_mean", "backbone.layer3.5.conv2.bn1.running_mean")]
    [InlineData("mod7.0.convs.5.weight", "backbone.mod7.0.convs.5.weight")]
    [InlineData("head.aspp.concurent.4.gap.2.beta", "head.aspp.concurent.4.gap.2.bias")]
    [InlineData("auxlayer.block.4.bias", "auxlayer.block.4.bias")]
    public void MapsGluonCVNames(string gluon, string segnets) =>
        GluonCVConverter.Create().MapKey(gluon).Should().Be(segnets);

    static BackboneHeadModel Build(string model) => model switch
    {
        "fcn" => GluonCVModels.Fcn("resnet50", 5),
        "psp" => GluonCVModels.PspNet("resnet50", 5),
        "deeplab" => GluonCVModels.DeepLabV3("resnet50", 5),
        "deeplab_resnest50" => GluonCVModels.DeepLabV3("resnest50", 5),
        "vplr" => GluonCVModels.DeepLabV3bPlus(5),
        _ => throw new ArgumentException(model),
    };

    /// <summary>
    /// tools/reference/gluoncv_segmentation.py writes its weights as GluonCV ships them (a model-store zip holding a
    /// Gluon-named .params); that file, read and converted here, must give the transcription's outputs.
    /// </summary>
    [Theory]
    [InlineData("deeplab")]
    [InlineData("psp")]
    [InlineData("deeplab_resnest50")]
    [InlineData("vplr")]
    public void AGluonCVModelStoreFileLoadsStrictlyAndMatchesTheReference(string model)
    {
        var dir = PythonReference.Run("gluoncv_segmentation.py", model, "params");
        var zip = Directory.GetFiles(dir, $"gluoncv_{model}-*.zip").Should().ContainSingle().Subject;
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var scope = NewDisposeScope();
        var raw = MxNetParams.LoadGluonModelStoreZip(zip);
        raw.Keys.Should().NotContain(k => k.StartsWith("backbone.", StringComparison.Ordinal), "the file holds Gluon's names");
        raw.Keys.Should().Contain(k => k.EndsWith(".gamma", StringComparison.Ordinal));
        var state = GluonCVConverter.Create().Convert(raw, zip);
        var net = Build(model);
        var report = StateDictLoader.Load(net, state, strict: true, source: zip);
        report.Loaded.Should().HaveCount(state.Count);
        net.eval();
        using var _ = no_grad();
        var ours = net.forward(reference["input"]);
        var line = $"gluoncv {model} from .params: main {Parity.AssertClose(ours.Main, reference["main"], $"{model} main"):E1}";
        if (reference.TryGetValue("aux", out var aux)) line += $", aux {Parity.AssertClose(ours.Aux!, aux, $"{model} aux"):E1}";
        output.WriteLine(line);
    }
}
