using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// GluonCV's FCN, PSPNet, DeepLabV3 and DeepLabV3b+ (VPLR) against a reference of the kind the issue allows for MXNet
/// code that cannot run here: tools/reference/gluoncv_segmentation.py is a PyTorch transcription of gluoncv/model_zoo
/// (dmlc/gluon-cv@56777561: segbase, fcn, pspnet, deeplabv3, deeplabv3b_plus, resnetv1b, resnest, wideresnet), written
/// from those files and checked line by line, following their predict() path (sizes from the real input). Both sides
/// fill the same synthetic weights by key; main and aux logits at the input size are compared. Its parameter counts for
/// the zoo configurations also equal the fact sheet's.
/// </summary>
public class GluonCVSegmentationParityTests(ITestOutputHelper output)
{
    static BackboneHeadModel Build(string model, int numClasses) => model switch
    {
        "fcn" => GluonCVModels.Fcn("resnet50", numClasses),
        "psp" => GluonCVModels.PspNet("resnet50", numClasses),
        "deeplab" => GluonCVModels.DeepLabV3("resnet50", numClasses),
        "deeplab_resnest50" => GluonCVModels.DeepLabV3("resnest50", numClasses),
        "vplr" => GluonCVModels.DeepLabV3bPlus(numClasses),
        _ => throw new ArgumentException(model),
    };

    // SegNets' ResNeSt follows the original PyTorch ResNeSt (split-attention BN `bn0`); GluonCV calls it `bn`.
    static string GluonName(string key) => key.Replace(".conv2.bn0.", ".conv2.bn.", StringComparison.Ordinal);

    [Theory]
    [InlineData("fcn")]
    [InlineData("psp")]
    [InlineData("deeplab")]
    [InlineData("deeplab_resnest50")]
    [InlineData("vplr")]
    public void MatchesTheGluonCVTranscription(string model)
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("gluoncv_segmentation.py", model), "outputs.pth"));
        using var scope = NewDisposeScope();
        var net = Build(model, 5);
        Parity.CountParameters(net).Should().Be(reference["num_params"].item<long>());
        SyntheticWeights.Fill(net, GluonName);
        net.eval();
        using var _ = no_grad();
        var ours = net.forward(reference["input"]);
        var line = $"gluoncv {model} main {Parity.AssertClose(ours.Main, reference["main"], $"{model} main"):E1}";
        if (reference.TryGetValue("aux", out var aux)) line += $", aux {Parity.AssertClose(ours.Aux!, aux, $"{model} aux"):E1}";
        else ours.Aux.Should().BeNull();
        output.WriteLine(line);
    }

    [Theory]
    [InlineData("fcn", "fcn_resnet101_voc")]
    [InlineData("fcn", "fcn_resnet50_ade")]
    [InlineData("psp", "psp_resnet101_voc")]
    [InlineData("psp", "psp_resnet101_citys")]
    [InlineData("deeplab", "deeplab_resnet101_voc")]
    [InlineData("deeplab", "deeplab_resnet152_voc")]
    [InlineData("deeplab", "deeplab_resnet50_ade")]
    [InlineData("deeplab_resnest50", "deeplab_resnest50_ade")]
    [InlineData("vplr", "deeplab_v3b_plus_wideresnet_citys")]
    public void ZooConfigurationHasTheTranscriptionsParameterCount(string model, string zooName)
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("gluoncv_segmentation.py", model), "outputs.pth"));
        using var scope = NewDisposeScope();
        var parts = zooName.Split('_');
        int classes = parts[^1] switch { "voc" => 21, "ade" => 150, "citys" => 19, _ => throw new ArgumentException(zooName) };
        var net = model == "vplr" ? GluonCVModels.DeepLabV3bPlus(classes)
            : model == "fcn" ? GluonCVModels.Fcn(parts[1], classes)
            : model == "psp" ? GluonCVModels.PspNet(parts[1], classes)
            : GluonCVModels.DeepLabV3(parts[1], classes);
        Parity.CountParameters(net).Should().Be(reference[$"num_params.{zooName}"].item<long>());
    }

    [Fact]
    public void KeysAreGluonCVsUnderABackbonePrefix()
    {
        using var scope = NewDisposeScope();
        var keys = GluonCVModels.DeepLabV3("resnet50", 5).state_dict().Keys.ToList();
        keys.Should().Contain(["backbone.conv1.0.weight", "backbone.layer4.0.downsample.1.running_var", "head.aspp.concurent.0.0.weight",
            "head.aspp.concurent.4.gap.1.weight", "head.aspp.concurent.4.gap.2.running_mean", "head.aspp.project.1.weight",
            "head.block.4.bias", "auxlayer.block.0.weight", "auxlayer.block.4.bias"]);
        keys.Should().NotContain(k => k.Contains("body", StringComparison.Ordinal) || k.StartsWith("backbone.fc", StringComparison.Ordinal));
        var vplr = GluonCVModels.DeepLabV3bPlus().state_dict().Keys.ToList();
        vplr.Should().Contain(["head.aspp.b0.0.weight", "head.aspp.b4.gap.1.weight", "head.aspp.project.0.weight", "head.c1_block.0.weight",
            "head.block.6.weight", "backbone.mod7.0.convs.5.weight"]);
    }
}
