using FluentAssertions;
using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Tests.Support;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Tests.Backbones;

/// <summary>The pluggable norm: frozen BN computes what eval-mode BN computes and trains nothing; GroupNorm plugs in.</summary>
public class NormLayerTests(ITestOutputHelper output)
{
    [Fact]
    public void FrozenBatchNormResNetMatchesTorchvisionWithNothingTrainableInItsNorms()
    {
        using var scope = NewDisposeScope();
        var net = new ResNetV1b(ResNetConfig.Get("resnet50"), outputStride: 8, norm: Norms.FrozenBatch());
        net.modules().OfType<BatchNorm2d>().Should().BeEmpty();
        net.modules().OfType<FrozenBatchNorm2d>().Should().HaveCount(53);
        // only conv weights and the fc remain trainable: 25,557,032 minus 2 x 26,560 BN scales and shifts
        Parity.CountParameters(net).Should().Be(25_557_032 - 2 * 26_560);
        output.WriteLine(TorchvisionParity.Check("resnet50", 8, net, net.Classify));
    }

    [Fact]
    public void GroupNormPlugsInWithTheSameParameterCountAndNoRunningStatistics()
    {
        using var scope = NewDisposeScope();
        var bn = new ResNetV1b(ResNetConfig.Get("resnet50_v1d"), numClasses: 0);
        var gn = new ResNetV1b(ResNetConfig.Get("resnet50_v1d"), numClasses: 0, norm: Norms.Group(32));
        Parity.CountParameters(gn).Should().Be(Parity.CountParameters(bn));
        gn.state_dict().Keys.Should().NotContain(k => k.EndsWith("running_mean", StringComparison.Ordinal));
        using var _ = no_grad();
        gn.train();
        var batch = randn(2, 3, 64, 64);
        var together = gn.forward(batch)["c5"];
        together.shape.Should().Equal(2, 2048, 2, 2);
        // GroupNorm normalises each sample by itself, even in training mode: sample 0 does not depend on sample 1.
        var alone = gn.forward(batch[0..1])["c5"];
        Parity.AssertClose(alone, together[0..1], "sample 0 alone vs in a batch");
        FluentActions.Invoking(() => Norms.Group(32)(48)).Should().Throw<ArgumentException>().WithMessage("*32 groups*48 channels*");
    }
}
