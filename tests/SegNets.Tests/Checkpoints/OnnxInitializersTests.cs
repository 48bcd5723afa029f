using System.Text;
using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// The ONNX initializer reader on files written by Debian's onnx 1.12 (helper.make_tensor, numpy_helper.from_array,
/// save_model with external data) and torch 1.13's torch.onnx.export (tools/reference/onnx_fixtures.py).
/// </summary>
public class OnnxInitializersTests
{
    static string Fixtures => PythonReference.Run("onnx_fixtures.py");

    static Dictionary<string, JsonElement> Expected() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;

    static void ShouldMatch(Tensor t, JsonElement want, string name)
    {
        var type = want.GetProperty("type").GetString()!;
        t.dtype.Should().Be(type switch
        {
            "float32" => ScalarType.Float32,
            "float64" => ScalarType.Float64,
            "float16" => ScalarType.Float16,
            "int8" => ScalarType.Int8,
            "uint8" => ScalarType.Byte,
            "int16" => ScalarType.Int16,
            "uint16" or "int32" => ScalarType.Int32, // uint16 widens
            "uint32" or "int64" or "uint64" => ScalarType.Int64, // uint32 widens; uint64 below 2^63 fits
            "bool" => ScalarType.Bool,
            _ => throw new InvalidOperationException(type),
        }, name);
        t.shape.Should().Equal(want.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), name);
        var values = want.GetProperty("values").EnumerateArray().ToList();
        var flat = t.reshape(-1);
        if (type.StartsWith("float", StringComparison.Ordinal))
            flat.to_type(ScalarType.Float64).data<double>().ToArray().Should().Equal(values.Select(v => v.GetDouble()), name);
        else if (type == "bool")
            flat.data<bool>().ToArray().Should().Equal(values.Select(v => v.GetBoolean()), name);
        else
            flat.to_type(ScalarType.Int64).data<long>().ToArray().Should().Equal(values.Select(v => v.GetInt64()), name);
    }

    [Theory]
    [InlineData("tensors.onnx")]
    [InlineData("external.onnx")]
    public void ReadsRawTypedAndExternalInitializersAndConstantsExactly(string file)
    {
        using var scope = NewDisposeScope();
        var expected = Expected().Where(kv => !kv.Key.StartsWith("export:", StringComparison.Ordinal)).ToDictionary();
        var tensors = OnnxInitializers.Load(Path.Combine(Fixtures, file));
        tensors.Keys.Should().BeEquivalentTo(expected.Keys, "every initializer and the Constant node's output");
        foreach (var (name, want) in expected)
            ShouldMatch(tensors[name], want, $"{file}:{name}");
    }

    [Fact]
    public void ReadsTheParametersOfATorchOnnxExport()
    {
        using var scope = NewDisposeScope();
        var expected = Expected().Where(kv => kv.Key.StartsWith("export:", StringComparison.Ordinal)).ToList();
        expected.Select(kv => kv.Key).Should().Contain(["export:0.weight", "export:1.running_var", "export:5.bias"]);
        var tensors = OnnxInitializers.Load(Path.Combine(Fixtures, "export.onnx"));
        foreach (var (name, want) in expected)
            ShouldMatch(tensors[name["export:".Length..]], want, name);
    }

    static byte[] Replace(byte[] bytes, string from, string to)
    {
        var f = Encoding.ASCII.GetBytes(from);
        int at = bytes.AsSpan().IndexOf(f);
        at.Should().BeGreaterThanOrEqualTo(0);
        return [.. bytes[..at], .. Encoding.ASCII.GetBytes(to), .. bytes[(at + f.Length)..]];
    }

    [Fact]
    public void BadFilesGetErrorsNamingTheFileAndTensor()
    {
        using var dir = new TempDir();
        void Fails(string name, byte[] bytes, string message)
        {
            var path = dir.File(name);
            File.WriteAllBytes(path, bytes);
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => OnnxInitializers.Load(path)).Should().Throw<InvalidDataException>(name).WithMessage($"{path}{message}");
        }

        var model = File.ReadAllBytes(Path.Combine(Fixtures, "tensors.onnx"));
        // the graph (field 7) spans nearly the whole file: every cut inside it leaves a field running past the end
        for (int length = 40; length < model.Length / 2; length += 37)
            Fails($"cut{length}.onnx", model[..length], ": *runs past the end*truncated file?)");
        Fails("text.onnx", Encoding.ASCII.GetBytes("this is not a model"), ": *");

        var external = File.ReadAllBytes(Path.Combine(Fixtures, "external.onnx"));
        File.Copy(Path.Combine(Fixtures, "external.bin"), dir.File("external.bin"));
        Fails("outside.onnx", Replace(external, "external.bin", "../secret.bn"), ": tensor 'f32_raw': external data location '../secret.bn' is outside the model's folder*");
        Fails("missing.onnx", Replace(external, "external.bin", "missing1.bin"), ": tensor 'f32_raw': external data file */missing1.bin is missing");
        Fails("length.onnx", Replace(external, "length\u0012\u000296", "length\u0012\u000297"), ": tensor 'f32_raw': external data length 97; the dims need 96 bytes");
    }
}
