using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>The .pth reader on files written by torch.save of Debian's PyTorch 1.13 (tools/reference/torch_save_fixtures.py).</summary>
public class PyTorchCheckpointTests
{
    static string Fixtures => PythonReference.Run("torch_save_fixtures.py");

    sealed record Expected(string dtype, long[] shape, double[] values);

    static Dictionary<string, Expected> ExpectedTensors() =>
        JsonSerializer.Deserialize<Dictionary<string, Expected>>(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;

    [Theory]
    [InlineData("zip.pth")]
    [InlineData("legacy.pth")]
    public void ReadsEveryTensorOfARealCheckpointExactly(string file)
    {
        using var scope = NewDisposeScope();
        var state = PyTorchCheckpoint.LoadStateDict(Path.Combine(Fixtures, file));
        var expected = ExpectedTensors();
        state.Keys.Should().Equal(expected.Keys, "the state_dict wrapper is unwrapped and order kept; 'epoch' and 'meta' hold no tensors");
        foreach (var (name, want) in expected)
        {
            var t = state[name];
            t.shape.Should().Equal(want.shape, name);
            t.dtype.Should().Be(want.dtype switch
            {
                "float32" => ScalarType.Float32,
                "float16" => ScalarType.Float16,
                "bfloat16" => ScalarType.BFloat16,
                "int64" => ScalarType.Int64,
                "bool" => ScalarType.Bool,
                "float64" => ScalarType.Float64,
                _ => throw new InvalidOperationException(want.dtype),
            }, name);
            var values = t.to_type(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray();
            values.Should().Equal(want.values, name);
        }
    }

    [Fact]
    public void ViewsOfOneStorageShareItLikeTorch()
    {
        using var scope = NewDisposeScope();
        var state = PyTorchCheckpoint.LoadStateDict(Path.Combine(Fixtures, "zip.pth"));
        state["shared.base"][1, 2] = tensor(42f);
        state["shared.transposed"][2, 1].item<float>().Should().Be(42f);
        state["shared.slice"][0, 0].item<float>().Should().Be(42f);
    }

    [Fact]
    public void StripsADataParallelModulePrefix()
    {
        using var scope = NewDisposeScope();
        var state = PyTorchCheckpoint.LoadStateDict(Path.Combine(Fixtures, "module_prefix.pth"));
        state.Keys.Should().Equal("conv.weight", "conv.bias");
    }

    [Fact]
    public void RefusesAPickleThatNamesOsSystemWithoutRunningIt()
    {
        File.Delete("/tmp/segnets-pwned");
        var path = Path.Combine(Fixtures, "evil.pth");
        var act = () => PyTorchCheckpoint.LoadStateDict(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"{path}:*data.pkl: pickle at byte *refuses global 'posix.system'*");
        File.Exists("/tmp/segnets-pwned").Should().BeFalse();
    }

    [Fact]
    public void BadFilesGetErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var zip = File.ReadAllBytes(Path.Combine(Fixtures, "zip.pth"));

        var truncated = dir.File("truncated.pth");
        File.WriteAllBytes(truncated, zip[..(zip.Length / 2)]);
        FluentActions.Invoking(() => PyTorchCheckpoint.LoadStateDict(truncated))
            .Should().Throw<InvalidDataException>().WithMessage($"{truncated}: *");

        var legacy = File.ReadAllBytes(Path.Combine(Fixtures, "legacy.pth"));
        var legacyCut = dir.File("legacy-cut.pth");
        File.WriteAllBytes(legacyCut, legacy[..(legacy.Length - 10)]);
        FluentActions.Invoking(() => PyTorchCheckpoint.LoadStateDict(legacyCut))
            .Should().Throw<InvalidDataException>().WithMessage($"{legacyCut}: storage * ends early*(truncated file?)");

        var magic = dir.File("wrong-magic.pth");
        File.WriteAllText(magic, "GIF89a this is no checkpoint");
        FluentActions.Invoking(() => PyTorchCheckpoint.LoadStateDict(magic))
            .Should().Throw<InvalidDataException>().WithMessage($"{magic}: not a PyTorch checkpoint*expected a zip archive*");

        FluentActions.Invoking(() => PyTorchCheckpoint.LoadStateDict(dir.File("missing.pth")))
            .Should().Throw<FileNotFoundException>().WithMessage("*missing.pth: checkpoint file not found");
    }

    [Theory]
    [InlineData("zip.pth")]
    [InlineData("legacy.pth")]
    public void EveryTruncationIsAClearErrorNeverACrashOrGarbage(string file)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, file));
        var cut = dir.File(file);
        for (int length = 0; length < bytes.Length; length += 89)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => PyTorchCheckpoint.LoadStateDict(cut))
                .Should().Throw<InvalidDataException>($"a file cut to {length} of {bytes.Length} bytes").WithMessage($"{cut}*");
        }
    }
}
