using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Sources.TfDeepLab;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// TF DeepLab's Xception-65 DeepLabV3+ against a reference of the kind the project allows for it: TensorFlow cannot run
/// here, so tools/reference/tf_deeplab.py is a PyTorch transcription of the TF graph (tensorflow/models research/deeplab
/// model.py @05ccaf88, core/xception.py @015d6ed6, core/feature_extractor.py @08eebbce, written from those files and
/// checked against them line by line; TF's 'SAME'/explicit padding, HWIO kernels and BatchNorm written out), run on
/// Debian's torch 1.13. It holds its weights under TF's variable names and layouts and writes them as a TF V2
/// checkpoint (tf_bundle_writer.py) with a real checkpoint's extras; this test reads that bundle with
/// <see cref="TensorFlowCheckpoint"/>, converts it with <see cref="TfDeepLabConverter"/>, loads it strictly and compares
/// the logits at the input size (1x3x65x65: odd sizes at every stride).
/// </summary>
public class TfDeepLabXceptionParityTests(ITestOutputHelper output)
{
    // Training state a DeepLab checkpoint carries besides the network (train.py's global step, MomentumOptimizer slots,
    // a moving average); the reference writes these, the converter must drop exactly them.
    static readonly string[] DroppedOnPurpose =
    [
        "global_step",
        "logits/semantic/weights/Momentum", "logits/semantic/biases/Momentum", "aspp0/BatchNorm/gamma/Momentum",
        "xception_65/entry_flow/conv1_1/weights/Momentum",
        "concat_projection/BatchNorm/beta/ExponentialMovingAverage",
    ];

    internal static string ReferenceDir => PythonReference.Run("tf_deeplab.py");

    internal static Dictionary<string, Tensor> Reference() => PyTorchCheckpoint.LoadStateDict(Path.Combine(ReferenceDir, "outputs.pth"));

    [Fact]
    public void BundleConvertsAndLoadsStrictlyAndMatchesTheTfTranscription()
    {
        var reference = Reference();
        using var scope = NewDisposeScope();
        var tf = TensorFlowCheckpoint.Load(Path.Combine(ReferenceDir, "model.ckpt"));
        var converter = TfDeepLabConverter.Xception65();

        // Every TF variable is either mapped or one of the deliberately dropped ones.
        var dropped = tf.Keys.Where(k => converter.MapKey(k) is null).ToList();
        dropped.Should().BeEquivalentTo(DroppedOnPurpose);
        File.ReadAllLines(Path.Combine(ReferenceDir, "extras.txt")).Should().BeEquivalentTo(DroppedOnPurpose);
        var state = converter.Convert(tf, "tf_deeplab bundle");
        state.Should().HaveCount(tf.Count - DroppedOnPurpose.Length);

        var x = reference["input"];
        var diffs = new List<string>();
        foreach (var (tag, outputStride, rates) in new[] { ("os16", 16, (int[]?)null), ("os8", 8, null), ("os8_r123", 8, [1, 2, 3]) })
        {
            var net = TfDeepLabModels.Xception65(5, outputStride, rates);
            Parity.CountParameters(net).Should().Be(reference["num_params"].item<long>()).And.Be(41_051_301);
            var report = StateDictLoader.Load(net, state, strict: true, source: "tf_deeplab bundle");
            report.IsComplete.Should().BeTrue();
            net.eval();
            using var _ = no_grad();
            // The network takes x / 127.5 - 1 of the 0..255 image (TF: 2/255 x - 1 inside the graph).
            var logits = net.forward(InputNormalization.TfDeepLab.Apply(x)).Main;
            diffs.Add($"{tag} {Parity.AssertClose(logits, reference[$"{tag}.output"], $"{tag} logits"):E1}");
            if (tag == "os16")
            {
                // even sides (48x64) and a batch of two
                var even = net.forward(InputNormalization.TfDeepLab.Apply(reference["even.input"])).Main;
                diffs.Add($"os16 2x48x64 {Parity.AssertClose(even, reference["even.os16.output"], "even-sized batch logits"):E1}");
            }
        }
        var rateEffect = (reference["os8.output"] - reference["os8_r123.output"]).abs().max().item<float>();
        rateEffect.Should().BeGreaterThan(1e-3f, "rates 1/2/3 must change the logits well beyond the tolerance");
        var strideEffect = (reference["os8.output"] - reference["os16.output"]).abs().max().item<float>();
        strideEffect.Should().BeGreaterThan(1e-3f);
        output.WriteLine($"tf deeplab xception65 logits max|diff|: {string.Join(", ", diffs)} " +
            $"(|logits| <= {reference["os8.output"].abs().max().item<float>():F3}; rates change them by {rateEffect:E1}, OS by {strideEffect:E1})");
    }

    [Fact]
    public void TheAde20kTableDropsTfsOtherLogit()
    {
        // TF's ADE20K model has 151 logits, 0 = 'other' (its ignore label); ChainerCV's converter drops it, and so does SegNets'.
        using var scope = NewDisposeScope();
        var w = arange(151 * 256, dtype: ScalarType.Float32).reshape(1, 1, 256, 151);
        var b = arange(151, dtype: ScalarType.Float32);
        var tf = new Dictionary<string, Tensor> { ["logits/semantic/weights"] = w, ["logits/semantic/biases"] = b, ["global_step"] = tensor(7L) };
        var converted = TfDeepLabConverter.Xception65(dropFirstClass: true).Convert(tf);
        converted.Keys.Should().BeEquivalentTo("head.decoder.conv_logits.weight", "head.decoder.conv_logits.bias");
        converted["head.decoder.conv_logits.weight"].shape.Should().Equal(150, 256, 1, 1);
        converted["head.decoder.conv_logits.bias"][0].item<float>().Should().Be(1f);
        converted["head.decoder.conv_logits.weight"][0, 0, 0, 0].item<float>().Should().Be(1f, "HWIO [0,0,0,1] = element 1");
        TfDeepLabConverter.Xception65().Convert(tf)["head.decoder.conv_logits.weight"].shape.Should().Equal(151, 256, 1, 1);
    }

    [Fact]
    public void DiffersFromChainerCVOnlyWhereTfDoes()
    {
        using var scope = NewDisposeScope();
        static Dictionary<string, double> Eps(nn.Module model) =>
            model.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm2d)
                .ToDictionary(m => m.name, m => ((TorchSharp.Modules.BatchNorm2d)m.module).eps);
        var tf = TfDeepLabModels.Xception65(21);
        var chainer = ChainerCVModels.DeepLabV3PlusXception65(21);
        tf.state_dict().Keys.Should().Equal(chainer.state_dict().Keys);
        Parity.CountParameters(tf).Should().Be(41_055_413);
        var eps = Eps(tf);
        eps.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal)).Should().OnlyContain(kv => kv.Value == 1e-3);
        eps.Where(kv => kv.Key.StartsWith("head.", StringComparison.Ordinal)).Should().OnlyContain(kv => kv.Value == 1e-5);
        Eps(chainer)["head.decoder.feature_proj.bn"].Should().Be(2e-5, "ChainerCV's feature_proj keeps Chainer's default");
        TfDeepLabModels.Xception65(19, 16).Backbone.OutputStride.Should().Be(16);
        FluentActions.Invoking(() => TfDeepLabModels.Xception65(19, 32)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
