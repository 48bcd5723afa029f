using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Sources.Encoding;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// PyTorch-Encoding's EncNet against a reference of the kind the project allows for code that cannot run here (its
/// Encoding layer needs a compiled CUDA extension): tools/reference/encoding_encnet.py is a PyTorch transcription of
/// zhanghang1989/PyTorch-Encoding@b05334f (encoding/dilated/resnet.py, encoding/models/{base,encnet,fcn}.py,
/// encoding/nn/{encoding,customize,syncbn}.py, scaled_l2/aggregate from encoding/lib/gpu/encoding_kernel.cu), written
/// from those files and checked line by line, with the original module names. It saves its state dict the way the
/// model store ships it (legacy torch.save of a plain state_dict, in NAME-SHORT.zip), which SegNets reads through the
/// "encoding" conversion table and loads strictly.
/// </summary>
public class EncNetParityTests(ITestOutputHelper output)
{
    static (string Dir, Dictionary<string, Tensor> Reference) Reference(string name)
    {
        var dir = PythonReference.Run("encoding_encnet.py", name);
        return (dir, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth")));
    }

    [Theory]
    [InlineData("encnet_resnet101_pcontext")]
    [InlineData("encnet_resnet50_ade")]
    public void ZooNetworkLoadsTheStateDictStrictlyAndMatchesTheTranscription(string name)
    {
        var (dir, reference) = Reference(name);
        var pth = Directory.GetFiles(dir, $"{name}-*.pth").Single();
        using var scope = NewDisposeScope();
        var net = (BackboneHeadModel)ModelZoo.Get(name);
        var entry = ModelZoo.Info(name);
        long count = Parity.CountParameters(net);
        count.Should().Be(reference["num_params"].item<long>()).And.Be(entry.ParameterCount!.Value);

        var report = CheckpointFile.LoadInto(net, pth, EncodingConverter.Create());
        report.IsComplete.Should().BeTrue(report.ToString());
        net.eval();
        using var _ = no_grad();
        var (ours, se) = EncNet.ForwardWithSe(net, reference["input"]);
        double main = Parity.AssertClose(ours.Main, reference["main"], $"{name} main");
        double aux = Parity.AssertClose(ours.Aux!, reference["aux"], $"{name} aux");
        double seDiff = Parity.AssertClose(se!, reference["se"], $"{name} selayer");
        // forward() (what the evaluator and Predict use) is the same network without the SE branch.
        Parity.AssertClose(net.forward(reference["input"]).Main, ours.Main, $"{name} forward vs ForwardWithSe", 0);
        output.WriteLine($"{name}: {count:N0} parameters; max|diff| main {main:E2}, aux {aux:E2}, selayer {seDiff:E2}");
    }

    [Theory]
    [InlineData("encnet_resnet101_pcontext")]
    [InlineData("encnet_resnet50_ade")]
    [InlineData("encnet_resnet50_pcontext")]
    [InlineData("encnet_resnet101_ade")]
    [InlineData("encnet_resnet101_voc")]
    public void EveryZooEntryHasTheTranscriptionsParameterCount(string name)
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("encoding_encnet.py", "counts"), "outputs.pth"));
        long expected = reference[$"num_params.{name}"].item<long>();
        ModelZoo.Info(name).ParameterCount.Should().Be(expected);
        using var scope = NewDisposeScope();
        using var net = ModelZoo.Get(name);
        Parity.CountParameters(net).Should().Be(expected);
    }

    [Fact]
    public void EncodingLayerMatchesTheTranscriptionOnBothAssignmentAxes()
    {
        var (_, reference) = Reference("encoding");
        using var scope = NewDisposeScope();
        var x = reference["x"];
        foreach (var (softmax, key) in new[] { (EncodingSoftmax.OverPositions, "e_positions"), (EncodingSoftmax.OverCodewords, "e_codewords") })
        {
            var layer = new EncodingLayer(x.shape[1], reference["codewords"].shape[0], softmax);
            layer.named_parameters().Select(p => p.name).Should().Equal("codewords", "scale");
            using (no_grad())
            {
                layer.get_parameter("codewords")!.copy_(reference["codewords"]);
                layer.get_parameter("scale")!.copy_(reference["scale"]);
                double diff = Parity.AssertClose(layer.forward(x), reference[key], $"Encoding layer ({softmax})");
                // (B, D, N) input is the same layer on flattened positions.
                Parity.AssertClose(layer.forward(x.flatten(2)), reference[key], $"Encoding layer ({softmax}, 3-D input)");
                output.WriteLine($"Encoding layer {softmax}: max|diff| {diff:E2}");
            }
        }
        FluentActions.Invoking(() => new EncodingLayer(64, 8).forward(zeros(1, 32, 4, 4))).Should().Throw<ArgumentException>().WithMessage("*expected (B, 64, H, W)*(1, 32, 4, 4)*");
    }

    [Fact]
    public void PretrainedEntriesReadTheModelStoreZipAndCheckTheSha1OfItsPth()
    {
        // The transcription's encnet_resnet50_ade state dict, zipped as model_store.py expects it, served over HTTP.
        var (dir, reference) = Reference("encnet_resnet50_ade");
        var zipPath = Directory.GetFiles(dir, "*.zip").Single();
        string sha1;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(zipPath))
        using (var member = zip.Entries.Single(e => e.FullName.EndsWith(".pth", StringComparison.Ordinal)).Open())
            sha1 = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(member));
        Path.GetFileName(zipPath).Should().Be($"encnet_resnet50_ade-{sha1[..8]}.zip");
        CheckpointFile.Detect(zipPath).Should().Be(CheckpointFile.Format.EncodingModelStoreZip);

        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var name = $"test_encoding_{Guid.NewGuid():N}";
        var uri = server.Serve($"encoding/models/{Path.GetFileName(zipPath)}", File.ReadAllBytes(zipPath));
        var original = ModelZoo.Info("encnet_resnet50_ade");
        original.Checkpoint!.Should().Be(new CheckpointSource("https://hangzh.s3.amazonaws.com/encoding/models/encnet_resnet50_ade-558e8904.zip",
            PublishedFormat.EncodingZip, PublishedHash.Sha1, "558e8904e123813f23dc0347acba85224650fe5f", EncodingSource.Converter));
        ModelZoo.Register(original with { Name = name, Checkpoint = original.Checkpoint! with { Url = uri.ToString(), Hash = sha1 } });
        using var scope = NewDisposeScope();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue(report.ToString());
        using (no_grad()) Parity.AssertClose(net.forward(reference["input"]).Main, reference["main"], "EncNet from the model-store zip");

        var wrong = $"test_encoding_bad_{Guid.NewGuid():N}";
        ModelZoo.Register(ModelZoo.Info(name) with { Name = wrong, Checkpoint = ModelZoo.Info(name).Checkpoint! with { Hash = new string('0', 40) } });
        using var otherHome = new TempDir();
        FluentActions.Invoking(() => ModelZoo.GetPretrained(wrong, cache: new WeightsCache(otherHome.Path, offline: false)))
            .Should().Throw<InvalidDataException>().WithMessage("*SHA-1 is*expected 0000*corrupt*");
    }

    [Fact]
    public void AZipWithoutTheStatesPthIsRefusedWithItsContents()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "encnet_resnet50_ade-558e8904.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            zip.CreateEntry("a.pth");
            zip.CreateEntry("b.pth");
        }
        FluentActions.Invoking(() => CheckpointFile.Read(path)).Should().Throw<InvalidDataException>()
            .WithMessage("*encnet_resnet50_ade-558e8904.zip: expected one .pth member (encnet_resnet50_ade-558e8904.pth*a.pth, b.pth*");

        // A member that is not a torch.save file is named with the archive.
        File.Delete(path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("encnet_resnet50_ade-558e8904.pth").Open()))
            writer.Write("<html>Access Denied</html>");
        FluentActions.Invoking(() => CheckpointFile.Read(path)).Should().Throw<InvalidDataException>()
            .WithMessage("*encnet_resnet50_ade-558e8904.zip: its member encnet_resnet50_ade-558e8904.pth:*not a PyTorch checkpoint*");
    }

    [Fact]
    public void KeysArePyTorchEncodingsWithTheBackboneUnderBackbone()
    {
        using var scope = NewDisposeScope();
        var pcontext = EncNet.Build("resnet101", 59, lateral: true, EncodingSoftmax.OverPositions);
        var keys = pcontext.state_dict().Keys.ToList();
        keys.Should().Contain(["backbone.conv1.weight", "backbone.layer3.22.conv2.weight", "backbone.fc.weight", "head.conv5.0.weight",
            "head.connect.1.0.weight", "head.fusion.1.running_var", "head.encmodule.encoding.3.codewords", "head.encmodule.encoding.3.scale",
            "head.encmodule.encoding.4.running_mean", "head.encmodule.fc.0.weight", "head.encmodule.selayer.bias", "head.conv6.1.weight",
            "auxlayer.conv5.0.weight", "auxlayer.conv5.4.bias"]);
        EncodingConverter.Create().MapKey("pretrained.layer4.2.bn3.running_var").Should().Be("backbone.layer4.2.bn3.running_var");
        EncNet.Build("resnet50", 150, lateral: false, EncodingSoftmax.OverPositions).state_dict().Keys.Should().NotContain(k => k.StartsWith("head.connect", StringComparison.Ordinal));
        FluentActions.Invoking(() => EncNet.Build("resnest50", 150, false, EncodingSoftmax.OverCodewords)).Should().Throw<ArgumentException>().WithMessage("*resnest50*");
    }
}
