using FluentAssertions;
using SegNets.Backbones;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// The aligned Xception-65 against timm's xception65 (timm @aa4b5850 on Debian's torch 1.13; fixtures committed by
/// tools/reference/timm_fixtures.py), at output stride 32, 16 and 8. timm's layout equals ChainerCV's TF-converted
/// Xception65 (fact sheet 5.3): symmetric padding, BN eps 1e-3, pre-activation blocks, an exit block with ReLUs inside
/// and no shortcut; stages c1..c4 are the pre-ReLU second separable conv outputs.
/// </summary>
public class Xception65ParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    [InlineData(8)]
    public void MatchesTimmAtEveryStage(int outputStride)
    {
        using var scope = NewDisposeScope();
        var net = new Xception65(outputStride);
        output.WriteLine(FixtureParity.AssertAllClose(net, net.Classify, "timm", $"xception65_os{outputStride}.pth"));
    }

    [Fact]
    public void BackboneHasChainerCVsParameterCount()
    {
        using var scope = NewDisposeScope();
        // fact sheet section 8: ChainerCV's Xception65 extractor has 37,867,312 learnable parameters
        Parity.CountParameters(new Xception65(numClasses: 0)).Should().Be(37_867_312);
        new Xception65(8, numClasses: 0).Features.Select(f => (f.Channels, f.Stride))
            .Should().Equal((128L, 2), (256L, 4), (728L, 8), (1024L, 8), (2048L, 8));
    }
}
