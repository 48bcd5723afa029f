using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// The TF V2 checkpoint reader on bundles written byte for byte as TF's BundleWriter does
/// (tools/reference/tf_bundle_writer.py; there is no TensorFlow on the test machines), and on broken copies of them.
/// </summary>
public class TensorFlowCheckpointTests
{
    static string Fixtures => PythonReference.Run("tf_bundle_writer.py");

    static string Prefix(string fixture) => Path.Combine(Fixtures, fixture, "model.ckpt");

    sealed record ExpectedTensor(string dtype, long[] shape, double[] values);
    sealed record Table(int data_blocks, int restarts);
    sealed record Transformed(long[] shape, double[] values);
    sealed record Expected(Dictionary<string, ExpectedTensor> tensors, string[] skipped, Table table, Dictionary<string, Transformed> transforms);

    static Expected ExpectedOf(string fixture) =>
        JsonSerializer.Deserialize<Expected>(File.ReadAllText(Path.Combine(Fixtures, fixture, "expected.json")))!;

    static ScalarType TorchType(string dtype) => dtype switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        "int64" => ScalarType.Int64,
        "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16,
        "int8" => ScalarType.Int8,
        "uint8" => ScalarType.Byte,
        "uint16" => ScalarType.Int32, // widened: TorchSharp has no uint16
        "bool" => ScalarType.Bool,
        _ => throw new InvalidOperationException(dtype),
    };

    static double[] Values(TorchSharp.torch.Tensor t) => t.to_type(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray();

    [Theory]
    [InlineData("dtypes")]      // every dtype, a scalar, an empty tensor, a DT_STRING entry
    [InlineData("many")]        // 300 entries: several data blocks, restarts, prefix compression, padded data
    [InlineData("sharded")]     // two data shards
    [InlineData("big_endian")]  // endianness BIG: bytes swapped after the CRC check
    public void ReadsEveryTensorExactly(string fixture)
    {
        using var scope = NewDisposeScope();
        var expected = ExpectedOf(fixture);
        var state = TensorFlowCheckpoint.Load(Prefix(fixture), out var skipped);
        state.Keys.Should().Equal(expected.tensors.Keys, "entries come back in the table's (byte-wise) key order");
        skipped.Should().Equal(expected.skipped);
        foreach (var (name, want) in expected.tensors)
        {
            var t = state[name];
            t.dtype.Should().Be(TorchType(want.dtype), name);
            t.shape.Should().Equal(want.shape, name);
            Values(t).Should().Equal(want.values, name);
        }
    }

    [Fact]
    public void TheFixturesExerciseTheTableFormat()
    {
        var many = ExpectedOf("many");
        many.tensors.Should().HaveCount(300);
        many.table.data_blocks.Should().BeGreaterThan(3, "the small block size forces several data blocks");
        many.table.restarts.Should().BeGreaterThan(many.table.data_blocks, "blocks of over 16 entries restart prefix compression");
        var dtypes = ExpectedOf("dtypes");
        dtypes.tensors["global_step"].shape.Should().BeEmpty("a scalar");
        dtypes.tensors["dtypes/empty"].values.Should().BeEmpty();
    }

    [Fact]
    public void ListsVariablesFromTheIndexAlone()
    {
        using var dir = new TempDir();
        var prefix = dir.File("model.ckpt");
        File.Copy(Prefix("dtypes") + ".index", prefix + ".index");   // no data shard at all
        var vars = TensorFlowCheckpoint.ListVariables(prefix);
        var expected = ExpectedOf("dtypes");
        vars.Select(v => v.Name).Should().Equal(expected.skipped.Concat(expected.tensors.Keys).OrderBy(k => k, StringComparer.Ordinal));
        var weights = vars.Single(v => v.Name == "xception_65/entry_flow/conv1_1/weights");
        weights.DType.Should().Be("DT_FLOAT");
        weights.Shape.Should().Equal(3, 3, 3, 8);
        weights.TorchType.Should().Be(ScalarType.Float32);
        var step = vars.Single(v => v.Name == "global_step");
        (step.DType, step.Shape.Length, step.TorchType).Should().Be(("DT_INT64", 0, (ScalarType?)ScalarType.Int64));
        var graph = vars.Single(v => v.Name == "_CHECKPOINTABLE_OBJECT_GRAPH");
        (graph.DType, graph.TorchType).Should().Be(("DT_STRING", (ScalarType?)null));
        vars.Single(v => v.Name == "dtypes/uint16").TorchType.Should().Be(ScalarType.Int32);
    }

    [Fact]
    public void AcceptsTheIndexOrADataShardPathAsPrefix()
    {
        using var scope = NewDisposeScope();
        TensorFlowCheckpoint.Load(Prefix("dtypes") + ".index").Should().ContainKey("global_step");
        TensorFlowCheckpoint.Load(Prefix("dtypes") + ".data-00000-of-00001").Should().ContainKey("global_step");
    }

    [Fact]
    public void TransformsTurnTfKernelsIntoPyTorchLayoutsAsNumpyTransposeDoes()
    {
        using var scope = NewDisposeScope();
        var expected = ExpectedOf("dtypes");
        var state = TensorFlowCheckpoint.Load(Prefix("dtypes"));
        expected.transforms.Should().ContainKey("test/depthwise_mult2/depthwise_weights");
        foreach (var (name, want) in expected.transforms)
        {
            var w = state[name];
            var oihw = name.EndsWith("depthwise_weights", StringComparison.Ordinal) ? Transforms.DepthwiseHwimToOihw(w) : Transforms.HwioToOihw(w);
            oihw.shape.Should().Equal(want.shape, name);
            Values(oihw).Should().Equal(want.values, name);
        }
    }

    [Fact]
    public void TransformsOnAKernelCheckedByHand()
    {
        using var scope = NewDisposeScope();
        // HWIO [1, 2, 2, 3] holding 0..11: w[h, w, i, o] = 6w + 3i + o. OIHW[o, i, 0, w] = that same number.
        var hwio = arange(12, dtype: ScalarType.Float32).reshape(1, 2, 2, 3);
        var oihw = Transforms.HwioToOihw(hwio);
        oihw.shape.Should().Equal(3, 2, 1, 2);
        Values(oihw).Should().Equal(0, 6, 3, 9, 1, 7, 4, 10, 2, 8, 5, 11);
        // Depthwise [kh 1, kw 2, in 2, mult 2] holding 0..7: w[0, x, c, m] = 4x + 2c + m -> output channel 2c + m.
        var hwim = arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2);
        var dw = Transforms.DepthwiseHwimToOihw(hwim);
        dw.shape.Should().Equal(4, 1, 1, 2);
        Values(dw).Should().Equal(0, 4, 1, 5, 2, 6, 3, 7);
    }

    // ------------------------------------------------------------------ bad input

    static string CopyFixture(TempDir dir, string fixture)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, fixture), "model.ckpt.*"))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        return dir.File("model.ckpt");
    }

    static void Patch(string path, long offset, Func<byte, byte> change)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset < 0 ? bytes.Length + offset : offset] = change(bytes[offset < 0 ? bytes.Length + offset : offset]);
        File.WriteAllBytes(path, bytes);
    }

    static FluentAssertions.Specialized.ExceptionAssertions<InvalidDataException> LoadFails(string prefix) =>
        FluentActions.Invoking(() => { using var s = NewDisposeScope(); TensorFlowCheckpoint.Load(prefix); })
            .Should().Throw<InvalidDataException>();

    [Fact]
    public void EveryTruncationOfTheIndexIsAClearError()
    {
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "many");
        var index = prefix + ".index";
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "many", "model.ckpt.index"));
        foreach (int length in new[] { 0, 1, 47, 48, 100, bytes.Length / 2, bytes.Length - 49, bytes.Length - 48, bytes.Length - 8, bytes.Length - 1 }
                     .Concat(Enumerable.Range(0, bytes.Length / 997).Select(i => i * 997)))
        {
            File.WriteAllBytes(index, bytes[..length]);
            LoadFails(prefix).WithMessage($"{index}: *", $"an index cut to {length} of {bytes.Length} bytes");
            FluentActions.Invoking(() => TensorFlowCheckpoint.ListVariables(prefix)).Should().Throw<InvalidDataException>();
        }
        File.WriteAllBytes(index, bytes[..10]);
        LoadFails(prefix).WithMessage($"{index}: 10 bytes is too short for a LevelDB table*footer*");
    }

    [Fact]
    public void WrongFooterMagic()
    {
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "dtypes");
        Patch(prefix + ".index", -1, b => (byte)(b ^ 0xFF));
        LoadFails(prefix).WithMessage($"{prefix}.index: not a TensorFlow checkpoint index*expected the LevelDB table magic 57FB808B247547DB*");
    }

    [Fact]
    public void CorruptedBlockChecksum()
    {
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "dtypes");
        Patch(prefix + ".index", 20, b => (byte)(b ^ 0x01));  // inside data block 0 (the first key's entry)
        LoadFails(prefix).WithMessage($"{prefix}.index: data block 0 at offset 0 (* bytes): block checksum mismatch: stored CRC32C *, computed *");
    }

    [Fact]
    public void CorruptedTensorChecksumNamesTheShardAndKey()
    {
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "dtypes");
        Patch(prefix + ".data-00000-of-00001", -1, b => (byte)(b ^ 0x01));  // the last tensor in key order
        LoadFails(prefix).WithMessage(
            $"{prefix}.data-00000-of-00001: entry 'xception_65/entry_flow/conv1_1/weights' (DT_FLOAT [3, 3, 3, 8]): checksum mismatch*");
    }

    [Fact]
    public void MissingFiles()
    {
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "dtypes");
        File.Delete(prefix + ".data-00000-of-00001");
        FluentActions.Invoking(() => TensorFlowCheckpoint.Load(prefix)).Should().Throw<FileNotFoundException>()
            .WithMessage($"{prefix}.data-00000-of-00001: data shard 0 of 1 not found; entry '*' lies in it");
        FluentActions.Invoking(() => TensorFlowCheckpoint.Load(dir.File("nothing"))).Should().Throw<FileNotFoundException>()
            .WithMessage($"{dir.File("nothing")}.index: checkpoint index file not found");
    }

    [Fact]
    public void EntryBeyondTheShard() =>
        LoadFails(Prefix("beyond")).WithMessage(
            $"{Prefix("beyond")}.data-00000-of-00001: entry 'b/biases' (DT_FLOAT [3]): bytes [30, 42) reach past the end of the 36-byte shard*");

    [Fact]
    public void UnknownDtype() =>
        LoadFails(Prefix("bad_dtype")).WithMessage($"{Prefix("bad_dtype")}.index: entry 'b/biases': unsupported dtype DataType 99 (99)*");

    [Fact]
    public void SnappyBlocksAreRefusedWithAReason() =>
        LoadFails(Prefix("snappy")).WithMessage($"{Prefix("snappy")}.index: data block 0 at offset 0 (* bytes) is Snappy-compressed; SegNets reads uncompressed tables only*");

    [Fact]
    public void PartitionedVariablesAreRefusedWithAReason() =>
        LoadFails(Prefix("slices")).WithMessage($"{Prefix("slices")}.index: entry 'b/biases': a partitioned variable*partitioned variables are not supported*");

    [Fact]
    public void EverySingleByteFlipOfTheIndexIsCaught()
    {
        // Each byte of the table is under a block CRC or in the footer; a flip must never load silently. Only the
        // footer's zero padding after the two block handles is checked by neither LevelDB nor TF (format.cc Footer).
        using var dir = new TempDir();
        var prefix = CopyFixture(dir, "dtypes");
        var index = prefix + ".index";
        var bytes = File.ReadAllBytes(index);
        int footer = bytes.Length - 48, handlesEnd = footer;
        for (int varints = 0; varints < 4; handlesEnd++)
            if ((bytes[handlesEnd] & 0x80) == 0) varints++;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i >= handlesEnd && i < bytes.Length - 8) continue;
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x10;
            File.WriteAllBytes(index, copy);
            LoadFails(prefix).WithMessage($"{index}: *", $"byte {i} of {bytes.Length} was flipped");
        }
    }
}
