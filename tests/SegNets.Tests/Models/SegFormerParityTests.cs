using SegNets.Backbones;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources.SegFormer;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// SegFormer against tools/reference/segformer.py, a PyTorch transcription of Hugging Face transformers'
/// modeling_segformer.py (@ba30cbf8; B0..B5 sizes from convert_segformer_original_to_pytorch.py @03fed904), written
/// from it and checked line by line: transformers cannot run here. The transcription keeps HF's module names, so its
/// state dict has the keys of the nvidia/* pytorch_model.bin files and must load strictly with no conversion; B0 and
/// the full-size B5 run on odd-sized inputs with random weights.
/// </summary>
public class SegFormerParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("b0")]
    [InlineData("b5")]
    public void HuggingFaceStateDictLoadsStrictlyAndLogitsMatch(string size)
    {
        var dir = PythonReference.Run("segformer.py", size);
        using var scope = NewDisposeScope();
        using var model = size == "b0" ? SegFormer.B0(150) : SegFormer.B5(150);
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        Parity.CountParameters(model).Should().Be(reference["num_params"].item<long>());
        var report = CheckpointFile.LoadInto(model, Path.Combine(dir, "weights.pth"));
        report.IsComplete.Should().BeTrue(report.ToString());
        model.eval();
        using var _ = no_grad();
        var input = reference["input"];
        var features = model.Encoder.forward(input);
        foreach (var stage in model.Encoder.Features)
            Parity.AssertClose(features[stage.Name], reference[stage.Name], $"SegFormer-{size} encoder {stage.Name}");
        double quarter = Parity.AssertClose(model.QuarterResolutionLogits(input), reference["logits"], $"SegFormer-{size} logits at H/4");
        var full = model.forward(input);
        full.Aux.Should().BeNull();
        double upsampled = Parity.AssertClose(full.Main, reference["upsampled"], $"SegFormer-{size} logits at the input size");
        output.WriteLine($"SegFormer-{size} {string.Join("x", input.shape)}: max|diff| logits H/4 {quarter:E1}, upsampled {upsampled:E1} " +
            $"(max|logit| {reference["logits"].abs().max().item<float>():G3}); {Parity.CountParameters(model):N0} parameters");
    }

    [Fact]
    public void ALegacyPickleCheckpointLoadsToo()
    {
        // Hub pytorch_model.bin files written before torch 1.6 are legacy pickles, later ones zips: both must load.
        var dir = PythonReference.Run("segformer.py", "b0");
        using var scope = NewDisposeScope();
        CheckpointFile.Detect(Path.Combine(dir, "weights_legacy.bin")).Should().Be(CheckpointFile.Format.PyTorch);
        using var model = SegFormer.B0(150);
        CheckpointFile.LoadInto(model, Path.Combine(dir, "weights_legacy.bin")).IsComplete.Should().BeTrue();
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        model.eval();
        using var _ = no_grad();
        Parity.AssertClose(model.QuarterResolutionLogits(reference["input"]), reference["logits"], "SegFormer-b0 from a legacy pickle");
    }

    [Fact]
    public void ParameterCountsOfAllSizesAreTheTranscriptionsAndThePapers()
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("segformer.py", "b0"), "outputs.pth"));
        // Sizes B1..B4 are counted from their configs without building the models (B3/B4 are 47 M / 64 M parameters).
        foreach (var (name, config) in new[] { ("b0", MixTransformerConfig.B0), ("b1", MixTransformerConfig.B1), ("b2", MixTransformerConfig.B2),
                     ("b3", MixTransformerConfig.B3), ("b4", MixTransformerConfig.B4), ("b5", MixTransformerConfig.B5) })
            Count(config, 150).Should().Be(reference[$"num_params_{name}"].item<long>(), name);
        using var scope = NewDisposeScope();
        using var b1 = SegFormer.B1(150);
        Parity.CountParameters(b1).Should().Be(reference["num_params_b1"].item<long>(), "the analytic count is the built model's");
        // Published (SegFormer paper / paperswithcode): B0 3.8 M, B4 64.1 M, B5 84.7 M.
        Math.Round(reference["num_params_b0"].item<long>() / 1e6, 1).Should().Be(3.8);
        Math.Round(reference["num_params_b4"].item<long>() / 1e6, 1).Should().Be(64.1);
        Math.Round(reference["num_params_b5"].item<long>() / 1e6, 1).Should().Be(84.7);
        ModelZoo.Info("nvidia/segformer-b0-finetuned-ade-512-512").ParameterCount.Should().Be(reference["num_params_b0"].item<long>());
        ModelZoo.Info("nvidia/segformer-b5-finetuned-ade-640-640").ParameterCount.Should().Be(reference["num_params_b5"].item<long>());
    }

    // Parameters of SegformerForSemanticSegmentation from its config: per stage a patch-embedding conv + LayerNorm,
    // layers (q, k, v, out projections; sr conv + LayerNorm when sr > 1; two LayerNorms; Mix-FFN), a stage LayerNorm;
    // the head's four linears, fuse conv (no bias), BatchNorm, classifier.
    static long Count(MixTransformerConfig c, int classes)
    {
        long total = 0, cin = 3, d = c.DecoderHiddenSize;
        for (int i = 0; i < 4; i++)
        {
            long w = c.HiddenSizes[i], k = c.PatchSizes[i], r = c.SrRatios[i], hidden = w * c.MlpRatio;
            total += cin * w * k * k + w + 2 * w;
            long layer = 4 * (w * w + w) + (r > 1 ? w * w * r * r + w + 2 * w : 0) + 2 * 2 * w
                + (w * hidden + hidden) + (hidden * 9 + hidden) + (hidden * w + w);
            total += c.Depths[i] * layer + 2 * w;
            total += w * d + d;
            cin = w;
        }
        return total + 4 * d * d + 2 * d + d * classes + classes;
    }

    [Fact]
    public void KeysAreHuggingFacesAndTheEncoderIsABackbone()
    {
        using var scope = NewDisposeScope();
        using var model = SegFormer.B0(150);
        model.state_dict().Keys.Should().Contain([
            "segformer.encoder.patch_embeddings.0.proj.weight", "segformer.encoder.patch_embeddings.3.layer_norm.bias",
            "segformer.encoder.block.0.0.attention.self.query.weight", "segformer.encoder.block.0.1.attention.self.sr.weight",
            "segformer.encoder.block.0.0.attention.self.layer_norm.weight", "segformer.encoder.block.0.0.attention.output.dense.weight",
            "segformer.encoder.block.1.0.layer_norm_1.weight", "segformer.encoder.block.2.1.mlp.dense1.weight",
            "segformer.encoder.block.2.1.mlp.dwconv.dwconv.weight", "segformer.encoder.block.3.1.mlp.dense2.bias",
            "segformer.encoder.layer_norm.3.weight", "decode_head.linear_c.0.proj.weight", "decode_head.linear_c.3.proj.bias",
            "decode_head.linear_fuse.weight", "decode_head.batch_norm.running_var", "decode_head.batch_norm.num_batches_tracked",
            "decode_head.classifier.weight", "decode_head.classifier.bias"])
            .And.NotContain(["segformer.encoder.block.3.0.attention.self.sr.weight", "decode_head.linear_fuse.bias"]);
        model.Encoder.Features.Select(f => (f.Name, f.Channels, f.Stride)).Should().Equal(
            ("c2", 32L, 4), ("c3", 64L, 8), ("c4", 160L, 16), ("c5", 256L, 32));
        model.Encoder.OutputStride.Should().Be(32);
        model.named_parameters().Where(p => p.name.StartsWith(SegFormer.EncoderPrefix, StringComparison.Ordinal)).Should().NotBeEmpty();
        using var _ = no_grad();
        model.eval();
        var stages = model.Encoder.forward(randn(1, 3, 33, 50));
        stages["c2"].shape.Should().Equal(1, 32, 9, 13);
        stages["c5"].shape.Should().Equal(1, 256, 2, 2);
        model.QuarterResolutionLogits(randn(1, 3, 33, 50)).shape.Should().Equal(1, 150, 9, 13);
        FluentActions.Invoking(() => model.Encoder.forward(randn(1, 4, 32, 32))).Should().Throw<ArgumentException>().WithMessage("*mit_b0*(N, 3, H, W)*[1, 4, 32, 32]*");
    }

    [Fact]
    public void TheZooDownloadsAHubStyleCheckpointAndLoadsItWithoutConversion()
    {
        // The B0 entry as it is, but its pytorch_model.bin (the transcription's state dict) served from 127.0.0.1 under a
        // hub-style path, and a hub-style name with a '/' (the converted copy must still land in converted/).
        var dir = PythonReference.Run("segformer.py", "b0");
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var name = $"test_hub/segformer-b0-{Guid.NewGuid():N}";
        var uri = server.Serve($"{name}/resolve/main/pytorch_model.bin", File.ReadAllBytes(Path.Combine(dir, "weights.pth")));
        var entry = ModelZoo.Info("nvidia/segformer-b0-finetuned-ade-512-512");
        ModelZoo.Register(entry with { Name = name, Checkpoint = entry.Checkpoint! with { Url = uri.ToString() } });
        using var scope = NewDisposeScope();
        var cache = new WeightsCache(home.Path, offline: false);
        var (net, report) = ModelZoo.GetPretrained(name, cache: cache);
        report.IsComplete.Should().BeTrue(report.ToString());
        net.Normalization.Should().Be(InputNormalization.ImageNet);
        File.Exists(PretrainedWeights.ConvertedPath(cache, ModelZoo.Info(name))).Should().BeTrue();
        Path.GetFileName(PretrainedWeights.ConvertedPath(cache, ModelZoo.Info(name))).Should().StartWith("test_hub--segformer-b0-");
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using (no_grad()) Parity.AssertClose(net.forward(reference["input"]).Main, reference["upsampled"], "SegFormer-b0 from the zoo");
        // Offline, the converted copy is enough.
        File.Delete(cache.PathOf(ModelZoo.Info(name).Checkpoint!));
        ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: true)).Report.IsComplete.Should().BeTrue();
        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public void ZooEntriesAreTheTablesRows()
    {
        var b0 = ModelZoo.Info("nvidia/segformer-b0-finetuned-ade-512-512");
        b0.Checkpoint!.Url.Should().Be("https://huggingface.co/nvidia/segformer-b0-finetuned-ade-512-512/resolve/main/pytorch_model.bin");
        b0.Checkpoint.Converter.Should().BeSameAs(CheckpointConverter.Identity);
        b0.Labels.Should().BeSameAs(Datasets.Ade20k);
        b0.Labels!.Classes[0].Should().Be("wall");
        b0.Normalization.Should().Be(InputNormalization.ImageNet);
        b0.Reported.Should().ContainSingle(m => m.Metric == "mIoU" && m.Value == 37.4);
        (b0.Evaluation.CropHeight, b0.Evaluation.CropWidth).Should().Be((512, 512));
        var b5 = ModelZoo.Info("nvidia/segformer-b5-finetuned-ade-640-640");
        b5.Reported.Should().ContainSingle(m => m.Metric == "mIoU" && m.Value == 51.1);
        (b5.Evaluation.CropHeight, b5.Evaluation.CropWidth).Should().Be((640, 640));
        b5.Source.Should().Be(b0.Source);
        // HF's SegFormer code builds the rows; TI's table lists them; each row carries its recipe.
        b0.Source.Should().BeSameAs(SegFormerSource.Instance);
        b0.ListedIn.Should().BeSameAs(EdgeAISource.Instance);
        b0.Recipe.Should().NotBeNull().And.BeSameAs(TrainingRecipes.Get(b0.Name));
    }
}
