using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Zoo;

/// <summary>
/// The zoo covers every row of the seed tables, each entry builds, has its original's parameter count and runs a forward.
/// </summary>
public class ModelZooTests(ITestOutputHelper output)
{
    // The model rows of ../shared/seeds, as the tables write them (GluonCV segmentation.rst / gluoncv-zoo.csv, torchvision).
    public static readonly string[] SeedRows =
    [
        "fcn_resnet50_ade", "fcn_resnet101_ade", "psp_resnet50_ade", "psp_resnet101_ade", "deeplab_resnet50_ade", "deeplab_resnet101_ade",
        "fcn_resnet101_coco", "psp_resnet101_coco", "deeplab_resnet101_coco",
        "fcn_resnet101_voc", "psp_resnet101_voc", "deeplab_resnet101_voc", "deeplab_resnet152_voc",
        "psp_resnet101_citys", "deeplab_v3b_plus_wideresnet_citys",
        "mask_rcnn_resnet18_v1b_coco", "mask_rcnn_fpn_resnet18_v1b_coco", "mask_rcnn_resnet50_v1b_coco", "mask_rcnn_fpn_resnet50_v1b_coco",
        "mask_rcnn_resnet101_v1d_coco", "mask_rcnn_fpn_resnet101_v1d_coco",
        // ChainerCV (examples/semantic_segmentation): --model and --dataset.
        "pspnet_resnet50_cityscapes", "pspnet_resnet101_cityscapes", "deeplab_v3plus_xception65_cityscapes", "pspnet_resnet50_ade20k",
        "pspnet_resnet101_ade20k", "deeplab_v3plus_xception65_ade20k", "deeplab_v3plus_xception65_voc", "segnet_camvid",
        "fcn_resnet50", "fcn_resnet101", "deeplabv3_resnet50", "deeplabv3_resnet101", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large",
        // TI edgeai (model_zoo semantic segmentation table): model, dataset and input size as the table writes them.
        "MobileNetV2S16+DeepLabV3Lite_ADE20K32_512x512", "MobileNetV2+UNetLite_ADE20K32_512x512", "MobileNetV2+FPNLite_ADE20K32_512x512",
        "MobileNetV2-1.4+FPNLite_ADE20K32_512x512", "RegNetX400MF+FPNLite_ADE20K32_384x384", "RegNetX800MF+FPNLite_ADE20K32_512x512",
        "MobileNetV2S16+DeepLabV3Lite_COCOSeg21_512x512", "MobileNetV2+UNetLite_COCOSeg21_512x512", "MobileNetV2+FPNLite_COCOSeg21_512x512",
        "RegNetX800MF+FPNLite_COCOSeg21_512x512", "MobileNetV2S16+DeepLabV3Lite_Cityscapes_768x384", "MobileNetV2+UNetLite_Cityscapes_768x384",
        "MobileNetV2+FPNLite_Cityscapes_768x384", "MobileNetV2+FPNLite_Cityscapes_1536x768", "MobileNetV2S16+DeepLabV3Lite-QAT_Cityscapes_768x384",
        "MobileNetV2+UNetLite-QAT_Cityscapes_768x384", "MobileNetV2+FPNLite-QAT_Cityscapes_768x384", "RegNetX800MF+FPNLite_Cityscapes_768x384",
        "RegNetX1.6GF+FPNLite_Cityscapes_1024x512", "RegNetX3.2FF+FPNLite_Cityscapes_1536x768", "RegNetX400MF+FPNLite_Cityscapes_768x384",
        "RegNetX400MF+FPNLite_Cityscapes_1536x768", "ResNet50+FCN_Cityscapes_1040x520", "ResNet50+DeepLabV3_Cityscapes_1040x520",
        // TF DeepLab MobileNetV2: seed 002's "DeepLab_v3-MobileNet-v2 + COCO" rows by TF's checkpoint names; TI's "Tensorflow
        // DeepLab Models" rows (model, dataset, size).
        "mobilenetv2_coco_voc_trainaug", "mobilenetv2_coco_voc_trainval", "mobilenetv2_coco_cityscapes_trainfine",
        "deeplabv3_mnv2_dm05_VOC2012_512x512", "deeplabv3_mnv2_VOC2012_512x512", "MobileNetV2+DeepLab_Cityscapes_769x769",
        // TF DeepLab Xception-65: seed 002's "DeepLab_v3-Xception-65" rows by TF's checkpoint names; TI's rows.
        "xception65_coco_voc_trainaug", "xception65_coco_voc_trainval", "xception65_ade20k_train", "xception65_cityscapes_trainfine",
        "deeplabv3_xception_VOC2012_512x512", "Xception65+DeepLab_Cityscapes_769x769",
        // PyTorch-Encoding (EncNet rows): model_store names; the ADE ResNet-101 and VOC rows have no released weights.
        "encnet_resnet101_pcontext", "encnet_resnet50_ade", "encnet_resnet101_ade", "encnet_resnet101_voc",
        // TI edgeai's EdgeAI-HF-Transformers rows: the Hugging Face hub ids.
        "nvidia/segformer-b0-finetuned-ade-512-512", "nvidia/segformer-b5-finetuned-ade-640-640",
    ];

    public static TheoryData<string> Buildable() =>
        [.. ModelZoo.Entries().Where(e => e.CanBuild && !e.Name.StartsWith("test_", StringComparison.Ordinal)).Select(e => e.Name)];

    [Fact]
    public void ListsEverySeedRowWithMetadata()
    {
        ModelZoo.List().Should().Contain(SeedRows).And.OnlyHaveUniqueItems();
        // Entries other tests register (test_*, served from 127.0.0.1) are not the zoo's own.
        foreach (var entry in ModelZoo.Entries().Where(e => !e.Name.StartsWith("test_", StringComparison.Ordinal)))
        {
            entry.NumClasses.Should().BePositive(entry.Name);
            entry.Dataset.Should().NotBeNullOrWhiteSpace(entry.Name);
            entry.Normalization.Mean.Should().HaveCount(3, entry.Name);
            entry.Evaluation.Description.Should().NotBeNullOrWhiteSpace(entry.Name);
            if (entry.CanBuild)
            {
                entry.Labels.Should().NotBeNull(entry.Name);
                entry.Labels!.Classes.Should().HaveCount(entry.NumClasses, entry.Name);
                entry.Labels.Palette.Should().HaveCount(entry.NumClasses, entry.Name);
            }
            // As the publisher writes it: TI's and TensorFlow's model links are plain http.
            if (entry.Checkpoint is { } c) new Uri(c.Url).Scheme.Should().BeOneOf(["https", "http"], entry.Name);
            if (entry.Reported.Count == 0) entry.Notes.Should().NotBeNullOrWhiteSpace($"{entry.Name} reports no number, so it says why");
            entry.Evaluation.Protocol?.Validate();
        }
        ModelZoo.Info("deeplab_v3plus_xception65_voc").Evaluation.Protocol.Should().BeEquivalentTo(SegNets.Evaluation.EvaluationOptions.PaddedTo(513, 513));
        ModelZoo.Info("deeplab_v3plus_xception65_cityscapes").Evaluation.Protocol!.PadWidth.Should().Be(2049);
        ModelZoo.Info("pspnet_resnet101_ade20k").Evaluation.Protocol.Should().BeEquivalentTo(SegNets.Evaluation.EvaluationOptions.ChainerCVTiles(473, 473));
        var voc = ModelZoo.Info("deeplab_resnet101_voc");
        voc.Reported.Should().ContainSingle(m => m.Metric == "mIoU" && m.Value == 86.2);
        voc.Checkpoint!.Url.Should().Be("https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/models/deeplab_resnet101_voc-311ed22c.zip");
        voc.Checkpoint.Hash.Should().Be("311ed22c63f3ac28b5f1e1663c458f26600e62da");
        voc.Labels!.Classes[15].Should().Be("person");
        ModelZoo.Info("psp_resnet101_citys").Labels!.Classes[13].Should().Be("car");
        ModelZoo.Info("fcn_resnet50_ade").Labels!.Classes.Should().HaveCount(150);
        var tv = ModelZoo.Info("lraspp_mobilenet_v3_large");
        tv.Checkpoint!.Hash.Should().Be("d234d4ea");
        tv.Checkpoint.Converter.Should().BeSameAs(CheckpointConverter.Identity);
    }

    [Theory]
    [MemberData(nameof(Buildable))]
    public void BuildsWithTheOriginalParameterCountAndRunsAForward(string name)
    {
        var entry = ModelZoo.Info(name);
        using var scope = NewDisposeScope();
        using var net = ModelZoo.Get(name);
        net.NumClasses.Should().Be(entry.NumClasses);
        net.Normalization.Should().Be(entry.Normalization);
        net.training.Should().BeFalse();
        long count = Parity.CountParameters(net);
        if (entry.ParameterCount is long expected) count.Should().Be(expected);
        using var _ = no_grad();
        // 64x96: TI's decoders need sides divisible by 32, as the originals do; ChainerCV's PSPNet has pyramid kernels
        // fixed for its tile size, so it runs on one tile.
        var (h, w) = entry is { Source: ChainerCVSource, Architecture: "PSPNet" } ? (entry.Evaluation.CropHeight!.Value, entry.Evaluation.CropWidth!.Value) : (64, 96);
        var result = net.forward(randn(1, 3, h, w));
        result.Main.shape.Should().Equal(1, entry.NumClasses, h, w);
        result.Main.isfinite().all().item<bool>().Should().BeTrue();
        output.WriteLine($"{name}: {count:N0} parameters{(entry.ParameterCount is null ? " (no published count)" : " = original")}");
    }

    [Fact]
    public void UnknownNamesGetTheClosestNames()
    {
        FluentActions.Invoking(() => ModelZoo.Get("deeplabv3_resnet101_voc")).Should().Throw<KeyNotFoundException>()
            .WithMessage("*deeplabv3_resnet101_voc*closest: deeplab_resnet101_voc*");
        FluentActions.Invoking(() => ModelZoo.Info("psp_resnet101_city")).Should().Throw<KeyNotFoundException>()
            .WithMessage("*closest: psp_resnet101_citys*");
    }

    [Fact]
    public void ReplacesTheClassifierForAnotherClassCount()
    {
        using var scope = NewDisposeScope();
        using var net = ModelZoo.Get("lraspp_mobilenet_v3_large", numClasses: 3);
        net.NumClasses.Should().Be(3);
        using var _ = no_grad();
        net.forward(randn(1, 3, 40, 40)).Main.shape.Should().Equal(1, 3, 40, 40);
    }

    [Fact]
    public void RefusesWhatItCannotDoWithAClearMessage()
    {
        using var home = new TempDir();
        FluentActions.Invoking(() => ModelZoo.Get("deeplabv3_resnet50", pretrained: true, cache: new WeightsCache(home.Path, offline: true)))
            .Should().Throw<InvalidOperationException>().WithMessage("offline*download https://download.pytorch.org/models/deeplabv3_resnet50_coco-cd0a2569.pth*");
        FluentActions.Invoking(() => ModelZoo.Get("mask_rcnn_resnet50_v1b_coco")).Should().Throw<NotSupportedException>()
            .WithMessage("*Mask R-CNN*not implemented*");
        ModelZoo.Info("mask_rcnn_fpn_resnet101_v1d_coco").Reported.Should().Contain(m => m.Metric == "mask AP" && m.Value == 37.7);
    }

    [Fact]
    public void PretrainedGluonCVEntriesReadTheModelStoreZipAndCheckTheSha1OfItsParams()
    {
        // A GluonCV-layout model-store zip (tools/reference/gluoncv_segmentation.py deeplab params) served over HTTP.
        var dir = PythonReference.Run("gluoncv_segmentation.py", "deeplab", "params");
        var zipPath = Directory.GetFiles(dir, "*.zip").Single();
        var reference = SegNets.Checkpoints.PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        string sha1;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(zipPath))
        using (var member = zip.Entries.Single(e => e.FullName.EndsWith(".params", StringComparison.Ordinal)).Open())
            sha1 = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(member));
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var name = $"test_gluon_{Guid.NewGuid():N}";
        var uri = server.Serve($"gluon/models/{Path.GetFileName(zipPath)}", File.ReadAllBytes(zipPath));
        ModelZoo.Register(ModelZoo.Info("deeplab_resnet50_ade") with
        {
            Name = name, NumClasses = 5, Labels = null, Checkpoint = new CheckpointSource(uri.ToString(), PublishedFormat.GluonParamsZip, PublishedHash.Sha1, sha1, GluonCVSource.Converter),
        });
        using var scope = NewDisposeScope();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue();
        using (no_grad()) Parity.AssertClose(net.forward(reference["input"]).Main, reference["main"], "GluonCV deeplab from the model store");

        var wrong = $"test_gluon_bad_{Guid.NewGuid():N}";
        ModelZoo.Register(ModelZoo.Info(name) with { Name = wrong, Checkpoint = ModelZoo.Info(name).Checkpoint! with { Hash = new string('0', 40) } });
        using var otherHome = new TempDir();
        FluentActions.Invoking(() => ModelZoo.GetPretrained(wrong, cache: new WeightsCache(otherHome.Path, offline: false)))
            .Should().Throw<InvalidDataException>().WithMessage("*SHA-1 is*expected 0000*corrupt*");
    }

    [Fact]
    public void PretrainedTiEntriesReadTisTrainingCheckpoint()
    {
        // TI publishes training checkpoints: {'state_dict': ..., 'optimizer': ..., 'scheduler': MultiStepLR state with a
        // collections.Counter, ...}, written here by torch.save in TI's layout (tools/reference/edgeai_lite.py).
        var dir = PythonReference.Run("edgeai_lite.py", "deeplabv3plus_mobilenetv2", "checkpoint");
        var reference = SegNets.Checkpoints.PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        var published = ModelZoo.Info("MobileNetV2S16+DeepLabV3Lite_COCOSeg21_512x512");
        published.Checkpoint!.Url.Should().EndWith("/cocoseg21/edgeai-tv/deeplabv3plus_mobilenetv2_edgeailite_512x512_20210405_checkpoint.pth");
        published.Checkpoint.Converter.Should().BeSameAs(EdgeAISource.Converter);
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var name = $"test_ti_{Guid.NewGuid():N}";
        var uri = server.Serve("ti/deeplabv3plus_mobilenetv2_edgeailite_checkpoint.pth", File.ReadAllBytes(Path.Combine(dir, "checkpoint.pth")));
        ModelZoo.Register(published with { Name = name, NumClasses = 5, Labels = null, Checkpoint = published.Checkpoint with { Url = uri.ToString() } });

        using var scope = NewDisposeScope();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue();
        net.Normalization.Should().Be(InputNormalization.EdgeAI);
        net.eval();
        using (no_grad()) Parity.AssertClose(net.forward(reference["input"]).Main, reference["logits"], "TI DeepLabV3Lite from TI's checkpoint.pth");
    }

    [Fact]
    public void PretrainedDownloadsConvertsOnceAndLoadsTheOriginalWeights()
    {
        // torchvision's LR-ASPP (21 classes) saved by torch.save, served over HTTP as a zoo entry's checkpoint.
        var dir = PythonReference.Run("torchvision_segmentation.py", "lraspp_mobilenet_v3_large", "21");
        var bytes = File.ReadAllBytes(Path.Combine(dir, "weights.pth"));
        var reference = SegNets.Checkpoints.PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..8];
        var name = $"test_lraspp_{Guid.NewGuid():N}";
        var uri = server.Serve($"models/lraspp-{hash}.pth", bytes);
        ModelZoo.Register(ModelZoo.Info("lraspp_mobilenet_v3_large") with
        {
            Name = name, Checkpoint = new CheckpointSource(uri.ToString(), PublishedFormat.Pth, PublishedHash.Sha256Prefix, hash, CheckpointConverter.Identity),
        });

        using var scope = NewDisposeScope();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue();
        using (no_grad()) Parity.AssertClose(net.forward(reference["input"]).Main, reference["out"], "pretrained LR-ASPP");
        File.Exists(Path.Combine(home.Path, "converted", name + ".safetensors")).Should().BeTrue();
        var (_, metadata) = SegNets.Checkpoints.SafeTensors.Load(Path.Combine(home.Path, "converted", name + ".safetensors"));
        metadata[PretrainedWeights.ZooKey].Should().Be(name);
        metadata[PretrainedWeights.ClassesKey].Should().Contain("\"person\"");

        // Offline, the converted copy is enough; a different class count keeps everything but the classifiers.
        var offline = new WeightsCache(home.Path, offline: true);
        File.Delete(offline.PathOf(ModelZoo.Info(name).Checkpoint!));
        var (fine, partial) = ModelZoo.GetPretrained(name, numClasses: 3, cache: offline);
        fine.NumClasses.Should().Be(3);
        partial.Mismatched.Should().HaveCount(4).And.OnlyContain(k => k.Contains("classifier.low_classifier") || k.Contains("classifier.high_classifier"));
        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public void SavedModelsReloadWithTheirClassCountAndNormalisation()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var net = ModelZoo.Get("MobileNetV2+FPNLite_Cityscapes_768x384", numClasses: 4);
        SyntheticWeights.Fill(net);
        net.Normalization = net.Normalization with { Bgr = true };
        var path = tmp.File("fine-tuned.safetensors");
        SavedModel.Save(net, "MobileNetV2+FPNLite_Cityscapes_768x384", path, ["road", "car", "person", "other"]);
        using var again = SavedModel.Load(path);
        again.NumClasses.Should().Be(4);
        again.Normalization.Bgr.Should().BeTrue();
        using var _ = no_grad();
        var x = randn(1, 3, 64, 96);
        Parity.AssertClose(again.forward(x).Main, net.forward(x).Main, "reloaded model", 0);
        var (_, metadata) = SafeTensors.Load(path);
        metadata[PretrainedWeights.ClassesKey].Should().Be("[\"road\",\"car\",\"person\",\"other\"]");
        SafeTensors.Save(tmp.File("plain.safetensors"), new Dictionary<string, Tensor> { ["w"] = ones(2) });
        FluentActions.Invoking(() => SavedModel.Load(tmp.File("plain.safetensors"))).Should().Throw<InvalidDataException>()
            .WithMessage("*not a SegNets model file*");
    }
}
