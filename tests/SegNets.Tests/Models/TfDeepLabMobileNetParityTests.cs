using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Sources.TfDeepLab;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// TF DeepLab's DeepLabV3 MobileNetV2 against a reference of the kind the issue allows for it: TensorFlow cannot run
/// here, so tools/reference/tf_deeplab_mobilenet.py is a PyTorch transcription of the TF graph, written from
/// tensorflow/models research/deeplab (model.py @3100470f, core/feature_extractor.py @965cc3ee, common.py @d575e99d)
/// and research/slim/nets/mobilenet (mobilenet.py @0ba83cf0, mobilenet_v2.py @e2e441f8, conv_blocks.py @ee6901ff),
/// checked against them line by line, run on Debian's torch 1.13. Its random weights live under TF's variable names in
/// TF's layouts and are written as a real TF V2 bundle (tf_bundle_writer.py) with a training checkpoint's extras
/// (global_step, Momentum slots, EMA shadows); the test reads that bundle with <see cref="TensorFlowCheckpoint"/>,
/// converts it with <see cref="TfDeepLabConverter.MobileNetV2"/>, loads it strictly and compares the logits.
/// </summary>
public class TfDeepLabMobileNetParityTests(ITestOutputHelper output)
{
    static string Dir => PythonReference.Run("tf_deeplab_mobilenet.py");

    static Dictionary<string, Tensor> Reference => PyTorchCheckpoint.LoadStateDict(Path.Combine(Dir, "outputs.pth"));

    static string Bundle(string tag) => Path.Combine(Dir, tag, "model.ckpt");

    /// <summary>Each line of variables.txt: TF name, shape, "model" (part of the graph) or "extra" (training state).</summary>
    static List<(string Name, string Kind)> Variables(string tag) =>
        [.. File.ReadAllLines(Path.Combine(Dir, tag, "variables.txt")).Select(l => l.Split(' ')).Select(p => (p[0], p[2]))];

    [Theory]
    [InlineData("dm10", 1.0, 8)]
    [InlineData("dm10", 1.0, 16)]
    [InlineData("dm05", 0.5, 8)]
    [InlineData("dm05", 0.5, 16)]
    public void MatchesTheTfGraphTranscriptionFromATfBundle(string tag, double depthMultiplier, int outputStride)
    {
        var reference = Reference;
        string config = $"{tag}_os{outputStride}";
        using var scope = NewDisposeScope();
        var net = TfDeepLabModels.DeepLabV3MobileNetV2(5, depthMultiplier, outputStride);
        Parity.CountParameters(net).Should().Be(reference[$"{config}.num_params"].item<long>());
        net.Normalization.Should().Be(InputNormalization.TfDeepLab);
        net.Backbone.OutputStride.Should().Be(outputStride);

        var tf = TensorFlowCheckpoint.Load(Bundle(tag));
        var state = TfDeepLabConverter.MobileNetV2().Convert(tf, Bundle(tag));
        var report = StateDictLoader.Load(net, state, strict: true, source: Bundle(tag));
        report.IsComplete.Should().BeTrue(report.ToString());

        net.eval();
        using var _ = no_grad();
        var diffs = new List<string>();
        foreach (var input in new[] { "a", "b" })
        {
            var x = reference[$"{config}.{input}.input"];
            var features = net.Backbone.forward(x)["c5"];
            diffs.Add($"{input} {string.Join("x", x.shape.Skip(2))}: c5 {Parity.AssertClose(features, reference[$"{config}.{input}.features"], $"{config} {input} MobilenetV2 layer_18"):E1}");
            var logits = net.forward(x).Main;
            diffs.Add($"logits {Parity.AssertClose(logits, reference[$"{config}.{input}.logits"], $"{config} {input} logits"):E1}");
        }
        // Controls: the reference's own logits move far beyond the tolerance when PyTorch-style symmetric padding replaces
        // TF's split (so the inputs exercise it) and with the other output stride (so the dilations matter).
        var symmetric = (reference[$"{config}.b.logits_symmetric_padding"] - reference[$"{config}.b.logits"]).abs().max().item<float>();
        symmetric.Should().BeGreaterThan(1e-2f);
        int otherStride = outputStride == 8 ? 16 : 8;
        var strideEffect = (reference[$"{tag}_os{otherStride}.a.logits"] - reference[$"{config}.a.logits"]).abs().max().item<float>();
        strideEffect.Should().BeGreaterThan(1e-2f);
        output.WriteLine($"{config} ({Parity.CountParameters(net):N0} parameters, {report.Loaded.Count} tensors) max|diff|: {string.Join(", ", diffs)}" +
            $" (controls: symmetric padding moves the reference logits by {symmetric:E1}, OS {otherStride} by {strideEffect:E1})");
    }

    [Theory]
    [InlineData("dm10", 1.0)]
    [InlineData("dm05", 0.5)]
    public void EveryTfVariableIsMappedOrDeliberatelyDropped(string tag, double depthMultiplier)
    {
        using var scope = NewDisposeScope();
        var net = TfDeepLabModels.DeepLabV3MobileNetV2(5, depthMultiplier);
        var ours = net.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToHashSet();
        var converter = TfDeepLabConverter.MobileNetV2();
        var variables = Variables(tag);
        var mapped = variables.Where(v => v.Kind == "model").Select(v => converter.MapKey(v.Name)).ToList();
        mapped.Should().OnlyContain(k => k != null).And.OnlyHaveUniqueItems();
        mapped.Should().BeEquivalentTo(ours, "every model variable lands on exactly one SegNets key and every key gets one");
        var dropped = variables.Where(v => v.Kind == "extra").Select(v => v.Name).ToList();
        dropped.Should().OnlyContain(n => converter.MapKey(n) == null);
        dropped.Should().Contain(["global_step", "logits/semantic/weights/Momentum", "MobilenetV2/Conv/weights/ExponentialMovingAverage"]);
        // Spot checks of the naming rule: TF scopes are SegNets module names.
        converter.MapKey("MobilenetV2/expanded_conv_3/depthwise/BatchNorm/gamma").Should().Be("backbone.expanded_conv_3.depthwise.BatchNorm.weight");
        converter.MapKey("MobilenetV2/expanded_conv/depthwise/depthwise_weights").Should().Be("backbone.expanded_conv.depthwise.weight");
        converter.MapKey("MobilenetV2/expanded_conv_16/project/BatchNorm/moving_variance").Should().Be("backbone.expanded_conv_16.project.BatchNorm.running_var");
        converter.MapKey("image_pooling/BatchNorm/moving_mean").Should().Be("head.image_pooling.BatchNorm.running_mean");
        converter.MapKey("logits/semantic/biases").Should().Be("head.logits.semantic.bias");
        // The first block has no expand conv (expansion factor 1), the others do.
        ours.Should().NotContain(k => k.StartsWith("backbone.expanded_conv.expand.", StringComparison.Ordinal))
            .And.Contain("backbone.expanded_conv_1.expand.weight");
        output.WriteLine($"{tag}: {mapped.Count} variables mapped; dropped {dropped.Count}: global_step, " +
            $"{dropped.Count(d => d.EndsWith("/Momentum", StringComparison.Ordinal))} x .../Momentum, " +
            $"{dropped.Count(d => d.EndsWith("/ExponentialMovingAverage", StringComparison.Ordinal))} x .../ExponentialMovingAverage");
    }

    [Fact]
    public void RefusesACheckpointOfAnotherTfDeepLabNetwork()
    {
        using var scope = NewDisposeScope();
        var tf = new Dictionary<string, Tensor>
        {
            ["xception_65/entry_flow/conv1_1/weights"] = zeros(3, 3, 3, 32),
            ["aspp1_depthwise/depthwise_weights"] = zeros(3, 3, 2048, 1),
            ["global_step"] = tensor(1L),
        };
        FluentActions.Invoking(() => TfDeepLabConverter.MobileNetV2().Convert(tf, "xception.ckpt"))
            .Should().Throw<InvalidDataException>()
            .WithMessage("xception.ckpt: 'aspp1_depthwise/depthwise_weights' and 1 more variables are not part of TF DeepLab's DeepLabV3 MobileNetV2*");
    }

    [Fact]
    public void TfSamePaddingMatchesTorchSameAndTfsSplitForEvenAndOddSizes()
    {
        // Stride 1: torch's own padding='same'; stride 2 and 3: kernel_shape_util.cc's formula, transcribed in Python.
        var reference = Reference;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int count = (int)reference["same.count"].item<long>();
        double worst = 0;
        for (int i = 0; i < count; i++)
        {
            var c = reference[$"same.{i}.config"].data<long>().ToArray();
            var (k, s, d) = (c[2], c[3], c[4]);
            var x = reference[$"same.{i}.input"];
            var w = reference[$"same.{i}.weight"];
            var expected = reference[$"same.{i}.output"];
            string what = $"{c[0]}x{c[1]} kernel {k} stride {s} dilation {d}";
            var padded = new TfSamePadding(k, s, d).forward(x);
            var layer = nn.functional.conv2d(padded, w, strides: [s, s], dilation: [d, d]);
            worst = Math.Max(worst, Parity.AssertClose(layer, expected, $"TfSamePadding + conv, {what}"));
            var conv = new TfConv(2, 3, k, null, null, s, d);
            StateDictLoader.Load(conv, new Dictionary<string, Tensor> { ["weight"] = w, ["bias"] = zeros(3) });
            worst = Math.Max(worst, Parity.AssertClose(conv.forward(x), expected, $"TfConv, {what}"));
        }
        TfSamePadding.Pads(8, 3, 2, 1).Should().Be((0L, 1L), "TF puts the odd padding after");
        TfSamePadding.Pads(7, 3, 2, 1).Should().Be((1L, 1L));
        TfSamePadding.Pads(5, 3, 1, 4).Should().Be((4L, 4L));
        output.WriteLine($"{count} SAME cases, max|diff| {worst:E1}");
    }

    [Theory]
    [InlineData(1.0, new long[] { 32, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320 })]
    [InlineData(0.5, new long[] { 16, 8, 12, 12, 16, 16, 16, 32, 32, 32, 32, 48, 48, 48, 80, 80, 80, 160 })]
    public void DepthsFollowTfDeepLabsDepthMultiplierRule(double depthMultiplier, long[] depths)
    {
        using var scope = NewDisposeScope();
        var backbone = new TfMobileNetV2(depthMultiplier, 16);
        var state = backbone.state_dict();
        state["Conv.weight"].shape[0].Should().Be(depths[0]);
        for (int i = 1; i < depths.Length; i++)
            state[$"{(i == 1 ? "expanded_conv" : $"expanded_conv_{i - 1}")}.project.weight"].shape[0].Should().Be(depths[i]);
        backbone.Features.Select(f => f.Stride).Should().Equal(2, 4, 8, 16, 16);
        new TfMobileNetV2(depthMultiplier, 8).Features.Select(f => f.Stride).Should().Equal(2, 4, 8, 8, 8);
        backbone.Features[^1].Channels.Should().Be(depths[^1]);
    }

    [Theory]
    [InlineData("mobilenetv2_coco_voc_trainaug", "dm10.classes21")]
    [InlineData("mobilenetv2_coco_voc_trainval", "dm10.classes21")]
    [InlineData("mobilenetv2_coco_cityscapes_trainfine", "dm10.classes19")]
    [InlineData("mobilenetv2_dm05_coco_voc_trainaug", "dm05.classes21")]
    [InlineData("deeplabv3_mnv2_dm05_VOC2012_512x512", "dm05.classes21")]
    [InlineData("deeplabv3_mnv2_VOC2012_512x512", "dm10.classes21")]
    [InlineData("MobileNetV2+DeepLab_Cityscapes_769x769", "dm10.classes19")]
    public void ZooEntriesHaveTheTranscriptionsParameterCountsAndTfsCheckpoints(string name, string counted)
    {
        var entry = ModelZoo.Info(name);
        entry.ParameterCount.Should().Be(Reference[$"{counted}.num_params"].item<long>());
        entry.Checkpoint!.Format.Should().Be(PublishedFormat.TfTarGz);
        entry.Checkpoint.Converter.Should().BeSameAs(TfDeepLabSource.MobileNetV2Converter);
        entry.Checkpoint.Url.Should().StartWith("https://download.tensorflow.org/models/deeplabv3_mnv2_");
        entry.Checkpoint.Converter.Name.Should().Be("tfdeeplab-mobilenetv2");
        entry.Normalization.Should().Be(InputNormalization.TfDeepLab);
        entry.Reported.Should().NotBeEmpty();
    }
}
