using FluentAssertions;
using SegNets.Backbones;
using SegNets.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// ResNetV1b against torchvision 0.14's ResNet (which is v1b) on identical seeded weights and input: every stage and
/// the logits, at output stride 32 and, through dilation, 16 and 8. Reference: tools/reference/torchvision_backbones.py.
/// </summary>
public class ResNetParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("resnet18", 32)]
    [InlineData("resnet34", 32)]
    [InlineData("resnet50", 32)]
    [InlineData("resnet50", 16)]
    [InlineData("resnet50", 8)]
    [InlineData("resnet101", 32)]
    [InlineData("resnet101", 8)]
    [InlineData("resnet152", 32)]
    [InlineData("resnet152", 16)]
    [InlineData("resnet152", 8)]
    public void MatchesTorchvisionAtEveryStage(string name, int outputStride)
    {
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get(name), outputStride);
        output.WriteLine(TorchvisionParity.Check(name, outputStride, net, net.Classify));
    }

    [Theory]
    // torchvision's documented sizes (its weights tables) for v1b; GluonCV v1s from the fact sheet's count, which
    // reproduces timm's published 25.68M / 44.67M / 60.32M; v1c/v1d = v1b + the deep stem's 19,232 extra weights
    // (timm: 25.58M / 44.57M).
    [InlineData("resnet18_v1b", 11_689_512)]
    [InlineData("resnet34_v1b", 21_797_672)]
    [InlineData("resnet50_v1b", 25_557_032)]
    [InlineData("resnet101_v1b", 44_549_160)]
    [InlineData("resnet152_v1b", 60_192_808)]
    [InlineData("resnet50_v1c", 25_576_264)]
    [InlineData("resnet50_v1d", 25_576_264)]
    [InlineData("resnet101_v1d", 44_568_392)]
    [InlineData("resnet50_v1s", 25_680_808)]
    [InlineData("resnet101_v1s", 44_672_936)]
    [InlineData("resnet152_v1s", 60_316_584)]
    public void HasTheOriginalParameterCount(string name, long expected)
    {
        using var scope = NewDisposeScope();
        Parity.CountParameters(new ResNetV1b(ResNetConfig.Get(name))).Should().Be(expected);
    }

    [Fact]
    public void StateDictKeysAreTheOriginalOnes()
    {
        using var scope = NewDisposeScope();
        var v1b = new ResNetV1b(ResNetConfig.Get("resnet50")).state_dict().Keys.ToList();
        v1b.Should().Contain(["conv1.weight", "bn1.running_var", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.weight",
            "layer4.2.conv3.weight", "fc.weight", "fc.bias"]);
        var v1d = new ResNetV1b(ResNetConfig.Get("resnet50_v1d"), numClasses: 0).state_dict().Keys.ToList();
        v1d.Should().Contain(["conv1.0.weight", "conv1.1.weight", "conv1.3.weight", "conv1.4.running_mean", "conv1.6.weight",
            "layer2.0.downsample.1.weight", "layer2.0.downsample.2.running_var"]);
        v1d.Should().NotContain(k => k.StartsWith("fc.", StringComparison.Ordinal));
    }

    [Fact]
    public void FeatureInfoGivesStridesAndChannelsForEachOutputStride()
    {
        using var scope = NewDisposeScope();
        var os8 = new ResNetV1b(ResNetConfig.Get("resnet101_v1s"), outputStride: 8, numClasses: 0);
        os8.Features.Should().Equal(
            new FeatureInfo("c1", 128, 2), new FeatureInfo("c2", 256, 4), new FeatureInfo("c3", 512, 8),
            new FeatureInfo("c4", 1024, 8), new FeatureInfo("c5", 2048, 8));
        new ResNetV1b(ResNetConfig.Get("resnet18"), outputStride: 16, numClasses: 0).Features.Select(f => f.Stride)
            .Should().Equal(2, 4, 8, 16, 16);
        using var _ = no_grad();
        os8.eval();
        var maps = os8.forward(randn(1, 3, 64, 64));
        maps["c5"].shape.Should().Equal(1, 2048, 8, 8);
        FluentActions.Invoking(() => new ResNetV1b(ResNetConfig.Get("resnet50"), outputStride: 4))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("resnet50_v1b: output stride must be 32, 16 or 8*");
        FluentActions.Invoking(() => os8.Classify(maps["c5"]))
            .Should().Throw<InvalidOperationException>().WithMessage("resnet101_v1s was built with numClasses: 0 and has no classifier");
        FluentActions.Invoking(() => ResNetConfig.Get("resnet51"))
            .Should().Throw<ArgumentException>().WithMessage("'resnet51' is not a ResNetV1b configuration*");
    }
}
