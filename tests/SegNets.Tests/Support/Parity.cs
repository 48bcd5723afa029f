using FluentAssertions;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Support;

/// <summary>Compares our outputs with a reference framework's, element by element.</summary>
public static class Parity
{
    /// <summary>The bar for fp32 parity on the CPU: max |ours - reference| over every element.</summary>
    public const double Fp32Tolerance = 1e-4;

    /// <summary>Asserts equal shapes and max abs difference within tolerance; returns that difference.</summary>
    public static double AssertClose(Tensor actual, Tensor expected, string what, double tolerance = Fp32Tolerance)
    {
        actual.shape.Should().Equal(expected.shape, $"{what} must have the reference's shape");
        using var diff = (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max();
        double max = diff.item<double>();
        max.Should().BeLessThanOrEqualTo(tolerance, $"{what} must match the reference within {tolerance}");
        return max;
    }

    /// <summary>Learnable parameters (conv/linear weights and biases, norm scales and shifts), as papers and timm count them.</summary>
    public static long CountParameters(nn.Module module) => module.parameters().Sum(p => p.numel());
}
