using FluentAssertions;
using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>
/// WideResNet-38 against a reference of the kind the issue allows for it: GluonCV (MXNet) cannot run here, so
/// tools/reference/gluoncv_wideresnet38.py is a PyTorch transcription of gluoncv/model_zoo/wideresnet.py
/// (dmlc/gluon-cv@19d5765a), written from that file and checked against it line by line, run on Debian's torch 1.13.
/// Its segmentation parameter count (105,062,720) also equals the fact sheet's count for GluonCV's mod1-mod7.
/// </summary>
public class WideResNet38ParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(32)]
    [InlineData(8)]
    public void MatchesTheGluonCvTranscriptionAtEveryStage(int outputStride)
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("gluoncv_wideresnet38.py"), "outputs.pth"));
        using var scope = NewDisposeScope();
        var net = new WideResNet38(outputStride, numClasses: 1000);
        Parity.CountParameters(net).Should().Be(reference["num_params.cls"].item<long>());
        SyntheticWeights.Fill(net);
        net.eval();
        using var _ = no_grad();
        var ours = net.forward(reference["input"]);
        var tag = $"os{outputStride}";
        var diffs = net.Features.Select(f => $"{f.Name} {Parity.AssertClose(ours[f.Name], reference[$"{tag}.{f.Name}"], $"{tag} {f.Name}"):E1}").ToList();
        if (outputStride == 32)
            diffs.Add($"logits {Parity.AssertClose(net.Classify(ours["c5"]), reference["os32.logits"], "logits"):E1}");
        output.WriteLine($"wrn38 {tag} max|diff|: {string.Join(", ", diffs)}");
    }

    [Fact]
    public void SegmentationBackboneHasGluonCvsParameterCountAndKeys()
    {
        using var scope = NewDisposeScope();
        var net = new WideResNet38(8);
        Parity.CountParameters(net).Should().Be(105_062_720);
        net.state_dict().Keys.Should().Contain(["mod1.0.weight", "mod2.0.bn1.0.weight", "mod2.0.convs.1.0.running_var",
            "mod2.0.proj_conv.weight", "mod7.0.convs.5.weight"]).And.NotContain(k => k.StartsWith("bn_out", StringComparison.Ordinal));
        FluentActions.Invoking(() => new WideResNet38(16)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*32 or 8*");
    }
}
