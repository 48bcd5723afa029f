using FluentAssertions;
using SegNets.Backbones;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>VGG16-BN, MobileNetV2 (1.0, 1.4), MobileNetV3-Large (plain and dilated) and RegNetX against torchvision 0.14.</summary>
public class MobileAndRegNetParityTests(ITestOutputHelper output)
{
    [Fact]
    public void Vgg16BnMatchesTorchvision()
    {
        using var scope = NewDisposeScope();
        // The reference leaves out the 120M-parameter classifier, so only the stages are compared.
        var net = new Vgg16Bn(numClasses: 0);
        output.WriteLine(TorchvisionParity.Check("vgg16_bn", 32, net, classify: null));
    }

    [Theory]
    [InlineData("mobilenet_v2", 1.0)]
    [InlineData("mobilenet_v2_1.4", 1.4)]
    public void MobileNetV2MatchesTorchvision(string model, double width)
    {
        using var scope = NewDisposeScope();
        var net = new MobileNetV2(width);
        output.WriteLine(TorchvisionParity.Check(model, 32, net, net.Classify));
    }

    [Fact]
    public void TiMobileNetV2S16MatchesTorchvisionModifiedAsTiDescribesIt()
    {
        // TI edgeai's encoder: torchvision's MobileNetV2 with ReLU for ReLU6 and the 160-channel stage not strided (no
        // dilation), ending at 320 channels. The reference input is scaled so that activations pass 6: a ReLU6 network
        // fails this test at c1.
        using var scope = NewDisposeScope();
        var net = new MobileNetV2(outputStride: 16, activation: SegNets.Layers.Activations.ReLU, numClasses: 0);
        output.WriteLine(TorchvisionParity.Check("mobilenet_v2_ti_s16", 16, net, classify: null));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    public void MobileNetV3LargeMatchesTorchvision(int outputStride)
    {
        using var scope = NewDisposeScope();
        var net = new MobileNetV3Large(outputStride);
        output.WriteLine(TorchvisionParity.Check("mobilenet_v3_large", outputStride, net, net.Classify));
    }

    [Theory]
    [InlineData("regnet_x_400mf")]
    [InlineData("regnet_x_800mf")]
    [InlineData("regnet_x_1_6gf")]
    [InlineData("regnet_x_3_2gf")]
    public void RegNetXMatchesTorchvision(string model)
    {
        using var scope = NewDisposeScope();
        var net = new RegNetX(RegNetConfig.Get(model));
        output.WriteLine(TorchvisionParity.Check(model, 32, net, net.Classify));
    }

    [Theory]
    // pycls' RegNetX (TI edgeai's encoders) through timm's port (fixtures by tools/reference/timm_fixtures.py, timm's
    // keys mapped to ours for the synthetic weights); 400MF is where pycls (384 wide) and torchvision (400) differ.
    [InlineData("regnetx_004", "regnetx_400mf")]
    [InlineData("regnetx_008", "regnetx_800mf")]
    [InlineData("regnetx_016", "regnetx_1_6gf")]
    [InlineData("regnetx_032", "regnetx_3_2gf")]
    public void PyclsRegNetXMatchesTimmsPort(string timm, string config)
    {
        using var scope = NewDisposeScope();
        var net = new RegNetX(RegNetConfig.Get(config));
        output.WriteLine(FixtureParity.AssertAllClose(net, net.Classify, "timm", $"{timm}_os32.pth"));
    }

    public static TheoryData<string, long> ParameterCounts => new()
    {
        // torchvision's documented sizes (num_params in its weights tables)
        { "vgg16_bn", 138_365_992 },
        { "mobilenet_v2", 3_504_872 },
        { "mobilenet_v3_large", 5_483_032 },
        { "regnet_x_400mf", 5_495_976 },
        { "regnet_x_800mf", 7_259_656 },
        { "regnet_x_1_6gf", 9_190_136 },
        { "regnet_x_3_2gf", 15_296_552 },
    };

    [Theory]
    [MemberData(nameof(ParameterCounts))]
    public void HasTorchvisionsParameterCount(string model, long expected)
    {
        using var scope = NewDisposeScope();
        Backbone net = model switch
        {
            "vgg16_bn" => new Vgg16Bn(),
            "mobilenet_v2" => new MobileNetV2(),
            "mobilenet_v3_large" => new MobileNetV3Large(),
            _ => new RegNetX(RegNetConfig.Get(model)),
        };
        Parity.CountParameters(net).Should().Be(expected);
    }

    [Fact]
    public void OutputStridesAndStagesAreReported()
    {
        using var scope = NewDisposeScope();
        new MobileNetV2(outputStride: 16, numClasses: 0).Features.Select(f => (f.Channels, f.Stride))
            .Should().Equal((16L, 2), (24L, 4), (32L, 8), (96L, 16), (320L, 16));
        new MobileNetV2(1.4, numClasses: 0).Features.Select(f => f.Channels).Should().Equal(24, 32, 48, 136, 448);
        new MobileNetV3Large(16, numClasses: 0).Features.Select(f => (f.Channels, f.Stride))
            .Should().Equal((16L, 2), (24L, 4), (40L, 8), (80L, 16), (960L, 16));
        new RegNetX(RegNetConfig.Get("regnetx_400mf"), numClasses: 0).Features[^1].Should().Be(new FeatureInfo("c5", 384, 32));
        var mnv2 = new MobileNetV2(numClasses: 0);
        mnv2.state_dict().Keys.Should().NotContain(k => k.StartsWith("features.18.", StringComparison.Ordinal),
            "without a classifier the encoder ends at 320 channels, as TI's segmentation encoders");
        FluentActions.Invoking(() => new MobileNetV3Large(8)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*32 or 16*");
    }
}
