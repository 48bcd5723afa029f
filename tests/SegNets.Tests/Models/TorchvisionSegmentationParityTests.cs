using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Models;

/// <summary>
/// torchvision's six segmentation models against torchvision 0.14 itself (tools/reference/torchvision_segmentation.py,
/// run here on Debian's PyTorch): the state_dict torch.save wrote is loaded strictly, unchanged, into the SegNets model,
/// and main and auxiliary logits are compared on the same odd-sized batch.
/// </summary>
public class TorchvisionSegmentationParityTests(ITestOutputHelper output)
{
    public static BackboneHeadModel Build(string name, int numClasses) => name switch
    {
        "fcn_resnet50" => TorchvisionModels.Fcn("resnet50", numClasses),
        "fcn_resnet101" => TorchvisionModels.Fcn("resnet101", numClasses),
        "deeplabv3_resnet50" => TorchvisionModels.DeepLabV3("resnet50", numClasses),
        "deeplabv3_resnet101" => TorchvisionModels.DeepLabV3("resnet101", numClasses),
        "deeplabv3_mobilenet_v3_large" => TorchvisionModels.DeepLabV3("mobilenet_v3_large", numClasses),
        "lraspp_mobilenet_v3_large" => TorchvisionModels.LRAspp(numClasses),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("fcn_resnet50")]
    [InlineData("fcn_resnet101")]
    [InlineData("deeplabv3_resnet50")]
    [InlineData("deeplabv3_resnet101")]
    [InlineData("deeplabv3_mobilenet_v3_large")]
    [InlineData("lraspp_mobilenet_v3_large")]
    public void MatchesTorchvisionMainAndAux(string name)
    {
        var dir = PythonReference.Run("torchvision_segmentation.py", name);
        using var scope = NewDisposeScope();
        var net = Build(name, 5);
        var report = StateDictLoader.Load(net, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")), source: name);
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        Parity.CountParameters(net).Should().Be(reference["num_params"].item<long>());
        net.eval();
        using var _ = no_grad();
        var ours = net.forward(reference["input"]);
        var line = $"{name} out {Parity.AssertClose(ours.Main, reference["out"], $"{name} out"):E1}";
        if (reference.TryGetValue("aux", out var aux))
        {
            ours.Aux.Should().NotBeNull();
            line += $", aux {Parity.AssertClose(ours.Aux!, aux, $"{name} aux"):E1}";
        }
        else
        {
            ours.Aux.Should().BeNull();
        }
        output.WriteLine($"{line} ({report.Loaded.Count} tensors loaded)");
    }

    [Theory]
    // The fact sheet's num_params of torchvision's weights tables (21 classes, aux head included where the weights have it).
    [InlineData("fcn_resnet50", 35_322_218)]
    [InlineData("fcn_resnet101", 54_314_346)]
    [InlineData("deeplabv3_resnet50", 42_004_074)]
    [InlineData("deeplabv3_resnet101", 60_996_202)]
    [InlineData("deeplabv3_mobilenet_v3_large", 11_029_328)]
    [InlineData("lraspp_mobilenet_v3_large", 3_221_538)]
    public void HasTorchvisionsPublishedParameterCount(string name, long expected)
    {
        using var scope = NewDisposeScope();
        Parity.CountParameters(Build(name, 21)).Should().Be(expected);
    }

    [Fact]
    public void PredictNormalisesResizesAndReturnsAClassMapPerImage()
    {
        var dir = PythonReference.Run("torchvision_segmentation.py", "lraspp_mobilenet_v3_large");
        using var scope = NewDisposeScope();
        var net = TorchvisionModels.LRAspp(5);
        StateDictLoader.Load(net, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")));
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        // Undo the ImageNet normalisation so that Predict's own normalisation gives the reference input back.
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }).view(3, 1, 1);
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }).view(3, 1, 1);
        var raw = (reference["input"] * std + mean) * 255;
        net.train();
        var classes = net.Predict(raw);
        net.training.Should().BeTrue("Predict restores the mode");
        classes.shape.Should().Equal(2, 67, 75);
        classes.dtype.Should().Be(ScalarType.Int64);
        var expected = reference["out"].argmax(1);
        // Ties aside, the argmax of logits equal within 1e-4 agrees almost everywhere.
        var agree = classes.eq(expected).to_type(ScalarType.Float32).mean().item<float>();
        agree.Should().BeGreaterThan(0.999f);
        var single = net.Predict(raw[0]);
        single.shape.Should().Equal(67, 75);
        single.eq(classes[0]).all().item<bool>().Should().BeTrue();
        var probabilities = net.PredictProbabilities(raw[1]);
        probabilities.shape.Should().Equal(5, 67, 75);
        Parity.AssertClose(probabilities.sum(0L), ones(67, 75), "probabilities sum to 1", 1e-5);
    }
}
