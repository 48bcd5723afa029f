using FluentAssertions;
using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>Strict loading names every key that does not fit and changes nothing; non-strict loads what fits.</summary>
public class StateDictLoaderTests
{
    static string Weights(string model) => Path.Combine(PythonReference.Run("torchvision_backbones.py", model), "weights.pth");

    [Fact]
    public void StrictLoadOfTheWrongCheckpointNamesTheKeysAndChangesNothing()
    {
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get("resnet34"));
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var path = Weights("resnet18");

        var act = () => StateDictLoader.Load(net, PyTorchCheckpoint.LoadStateDict(path), source: path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"{path} does not fit resnet34_v1b: * loaded; * missing (layer1.2.conv1.weight*; 0 unexpected; 0 shape-mismatched");
        foreach (var (key, value) in net.state_dict())
            value.allclose(before[key], rtol: 0, atol: 0).Should().BeTrue($"{key} must be untouched after a refused load");
    }

    [Fact]
    public void NonStrictLoadForFineTuningReportsTheClassifierOfAnotherSize()
    {
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get("resnet18"), numClasses: 21);
        var state = PyTorchCheckpoint.LoadStateDict(Weights("resnet18"));

        var report = StateDictLoader.Load(net, state, strict: false);

        report.Mismatched.Should().Equal("fc.weight: checkpoint [1000, 512] vs module [21, 512]", "fc.bias: checkpoint [1000] vs module [21]");
        report.Missing.Should().BeEmpty();
        report.Unexpected.Should().BeEmpty();
        report.Loaded.Should().Contain("layer4.1.bn2.running_var");
        net.state_dict()["conv1.weight"].allclose(state["conv1.weight"], rtol: 0, atol: 0).Should().BeTrue();
    }
}
