using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Models.Compact;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// TinyUNet (SegNets' own quickstart network, no original framework has it) against its definition written in plain
/// PyTorch (tools/reference/tiny_unet.py, run on Debian's torch 1.13): the state dict loads strictly under the same key
/// names and the logits agree on an odd-sized input.
/// </summary>
public class TinyUNetParityTests(ITestOutputHelper output)
{
    [Fact]
    public void MatchesItsPyTorchDefinition()
    {
        var dir = PythonReference.Run("tiny_unet.py");
        using var scope = NewDisposeScope();
        using var model = new TinyUNet(11, width: 8);
        var report = StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")), source: "tiny_unet.py");
        report.IsComplete.Should().BeTrue(report.ToString());
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        model.eval();
        using var _ = no_grad();
        var ours = model.forward(reference["input"]);
        ours.Aux.Should().BeNull();
        output.WriteLine($"max abs diff {Parity.AssertClose(ours.Main, reference["out"], "TinyUNet"):E1}");
    }
}
