using FluentAssertions;
using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// Runs one backbone against torchvision 0.14 (tools/reference/torchvision_backbones.py): same seeded weights loaded
/// strictly through the .pth reader, same input, every stage compared, and the logits where the reference has them.
/// </summary>
static class TorchvisionParity
{
    /// <returns>A line with the max abs difference per stage, for the test log.</returns>
    public static string Check(string model, int outputStride, Backbone net, Func<Tensor, Tensor>? classify)
    {
        var dir = PythonReference.Run("torchvision_backbones.py", model);
        StateDictLoader.Load(net, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")), source: model);
        net.eval();
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var _ = no_grad();
        var features = net.forward(reference["input"]);
        features.Keys.Should().Equal(net.Features.Select(f => f.Name));
        var diffs = new List<string>();
        foreach (var info in net.Features)
        {
            var expected = reference[$"os{outputStride}.{info.Name}"];
            expected.shape[1].Should().Be(info.Channels, $"{info.Name} has {info.Channels} channels");
            diffs.Add($"{info.Name} {Parity.AssertClose(features[info.Name], expected, $"{model} os{outputStride} {info.Name}"):E1}");
        }
        if (reference.TryGetValue($"os{outputStride}.logits", out var logits))
        {
            classify.Should().NotBeNull("the reference has logits");
            diffs.Add($"logits {Parity.AssertClose(classify!(features["c5"]), logits, $"{model} logits"):E1}");
        }
        return $"{model} os{outputStride} max|diff|: {string.Join(", ", diffs)}";
    }
}
