using FluentAssertions;
using SegNets.Backbones;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// ResNeSt against the ORIGINAL implementation (zhanghang1989/ResNeSt @1dfb3e8, pure PyTorch, run on Debian's torch
/// 1.13): its outputs on synthetic weights are committed under Fixtures/resnest (regenerate with
/// tools/reference/resnest_fixtures.py, which needs a checkout of that repository). Every stage and the logits.
/// </summary>
public class ResNeStParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("resnest50", 32)]
    [InlineData("resnest50", 16)]
    [InlineData("resnest50", 8)]
    [InlineData("resnest101", 32)]
    [InlineData("resnest101", 8)]
    [InlineData("resnest200", 32)]
    [InlineData("resnest269", 32)]
    public void MatchesTheOriginalAtEveryStage(string name, int outputStride)
    {
        using var scope = NewDisposeScope();
        var net = new ResNeSt(name, outputStride);
        output.WriteLine(FixtureParity.AssertAllClose(net, net.Classify, "resnest", $"{name}_os{outputStride}.pth"));
    }

    [Fact]
    public void StateDictKeysAreTheOriginalOnes()
    {
        using var scope = NewDisposeScope();
        new ResNeSt("resnest50").state_dict().Keys.Should().Contain(
            ["conv1.0.weight", "conv1.4.running_var", "conv1.6.weight", "bn1.weight", "layer1.0.downsample.1.weight",
             "layer2.0.conv2.conv.weight", "layer2.0.conv2.bn0.running_mean", "layer2.0.conv2.fc1.bias",
             "layer2.0.conv2.bn1.weight", "layer2.0.conv2.fc2.weight", "layer4.2.bn3.bias", "fc.weight"]);
        FluentActions.Invoking(() => new ResNeSt("resnest51")).Should().Throw<ArgumentException>().WithMessage("'resnest51' is not a ResNeSt*");
    }
}
