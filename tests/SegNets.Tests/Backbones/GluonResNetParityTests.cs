using FluentAssertions;
using SegNets.Backbones;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// GluonCV's ResNet v1c/v1d/v1s against timm's ports of them (resnet50c/d/s...; timm @aa4b5850 run on Debian's torch
/// 1.13, outputs committed under Fixtures/timm by tools/reference/timm_fixtures.py). At output stride 32 timm and GluonCV
/// are the same network; at output stride 8 they differ where the average-pool shortcut meets dilation, and SegNets
/// follows GluonCV (targeted test below).
/// </summary>
public class GluonResNetParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("resnet50c", "resnet50_v1c", 32)]
    [InlineData("resnet50d", "resnet50_v1d", 32)]
    [InlineData("resnet50s", "resnet50_v1s", 32)]
    [InlineData("resnet101d", "resnet101_v1d", 32)]
    [InlineData("resnet152s", "resnet152_v1s", 32)]
    [InlineData("resnet50s", "resnet50_v1s", 8)]
    public void MatchesTimmsPortAtEveryStage(string timm, string gluon, int outputStride)
    {
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get(gluon), outputStride);
        output.WriteLine(FixtureParity.AssertAllClose(net, net.Classify, "timm", $"{timm}_os{outputStride}.pth"));
    }

    [Fact]
    public void DilatedAvgDownFollowsGluonCvNotTimm()
    {
        // GluonCV resnetv1b.py _make_layer: with avg_down, a stage whose stride became dilation pools with kernel 1
        // (an identity); timm's downsample_avg uses AvgPool2dSame(2, stride 1) there. Up to layer2 both agree; from the
        // first dilated stage on they must differ, and by exactly that pool: replacing our identity with timm's pool
        // would be the only change needed.
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get("resnet50_v1d"), outputStride: 8);
        var (ours, reference) = FixtureParity.Run(net, "timm", "resnet50d_os8.pth");
        Parity.AssertClose(ours["c2"], reference["c2"], "c2 (before any dilation)");
        Parity.AssertClose(ours["c3"], reference["c3"], "c3 (before any dilation)");
        using var diff = (ours["c4"] - reference["c4"]).abs().max();
        diff.item<float>().Should().BeGreaterThan(1e-2f, "timm averages 2x2 windows where GluonCV's pool is an identity");
        net.state_dict().Keys.Should().Contain("layer3.0.downsample.1.weight").And.NotContain("layer3.0.downsample.0.weight");
    }
}
