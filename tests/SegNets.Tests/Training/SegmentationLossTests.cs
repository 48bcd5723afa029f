using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Models;
using SegNets.Tests.Support;
using SegNets.Training;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>The training loss against PyTorch's cross_entropy on the same logits (tools/reference/segmentation_loss.py).</summary>
public class SegmentationLossTests
{
    static Dictionary<string, Tensor> Reference() =>
        PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("segmentation_loss.py"), "loss.pth"));

    [Fact]
    public void PlainWeightedAuxAndOhemMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        var r = Reference();
        var output = new SegmentationOutput(r["main"], r["aux_logits"]);
        double Value(Tensor t) => t.item<float>();

        Value(new SegmentationLoss(5).Pixels(r["main"], r["y"])).Should().BeApproximately(Value(r["plain"]), 1e-6);
        Value(new SegmentationLoss(5, classWeights: r["weights"].data<float>().ToArray()).Pixels(r["main"], r["y"]))
            .Should().BeApproximately(Value(r["weighted"]), 1e-6);
        var (total, main, aux) = new SegmentationLoss(5, auxWeight: 0.5).Compute(output, r["y"]);
        Value(total).Should().BeApproximately(Value(r["aux"]), 1e-6);
        Value(main).Should().BeApproximately(Value(r["plain"]), 1e-6);
        aux.Should().NotBeNull();
        new SegmentationLoss(5).Compute(output, r["y"], useAux: false).Aux.Should().BeNull();
        Value(new SegmentationLoss(5, ohem: new OhemOptions(0.7, 10)).Pixels(r["main"], r["y"])).Should().BeApproximately(Value(r["ohem"]), 1e-6);
        var few = (int)r["ohem_few_kept"].item<long>();
        Value(new SegmentationLoss(5, ohem: new OhemOptions(0.7, few)).Pixels(r["main"], r["y"])).Should().BeApproximately(Value(r["ohem_few"]), 1e-6);
        Value(r["ohem"]).Should().NotBeApproximately(Value(r["plain"]), 1e-3, "the OHEM case must differ from plain cross-entropy");
    }

    [Fact]
    public void MismatchedShapesAndClassWeightsAreNamed()
    {
        using var scope = NewDisposeScope();
        var loss = new SegmentationLoss(5);
        var act = () => loss.Pixels(zeros(2, 5, 8, 8), zeros([2, 8, 9], ScalarType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*[2, 5, 8, 8]*[2, 8, 9]*");
        var classes = () => loss.Pixels(zeros(2, 4, 8, 8), zeros([2, 8, 8], ScalarType.Int64));
        classes.Should().Throw<ArgumentException>().WithMessage("*4 classes*5*");
        var weights = () => new SegmentationLoss(5, classWeights: [1, 2]);
        weights.Should().Throw<ArgumentException>().WithMessage("*2 entries*5 classes*");
    }

    [Fact]
    public void PolyScheduleIsGluonCVsWithLinearWarmup()
    {
        var poly = new PolySchedule(0.01, 100, 0.9);
        poly.At(0).Should().Be(0.01);
        poly.At(50).Should().BeApproximately(0.01 * Math.Pow(0.5, 0.9), 1e-15);
        poly.At(99).Should().BeApproximately(0.01 * Math.Pow(0.01, 0.9), 1e-15);
        var warm = new PolySchedule(0.01, 110, 0.9, warmupIterations: 10, warmupFactor: 0.1);
        warm.At(0).Should().BeApproximately(0.001, 1e-15);
        warm.At(5).Should().BeApproximately(0.0055, 1e-15);
        warm.At(10).Should().Be(0.01);
        warm.At(60).Should().BeApproximately(0.01 * Math.Pow(0.5, 0.9), 1e-15);
        var bad = () => new PolySchedule(0.01, 10, warmupIterations: 10);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void CosineStepAndConstantSchedules()
    {
        var cosine = new CosineSchedule(0.1, 100);
        cosine.At(0).Should().Be(0.1);
        cosine.At(50).Should().BeApproximately(0.05, 1e-15);
        cosine.At(25).Should().BeApproximately(0.05 * (1 + Math.Cos(Math.PI / 4)), 1e-15);
        // TI's Adam runs: x0.25 at epochs 100 and 200 (here 10 iterations per epoch).
        var step = LearningRateSchedule.From(new TrainingOptions
        {
            LearningRate = 4e-4, Schedule = ScheduleKind.Step, StepMilestoneEpochs = [100, 200], StepGamma = 0.25,
        }, 2500, 10);
        step.At(999).Should().Be(4e-4);
        step.At(1000).Should().BeApproximately(1e-4, 1e-18);
        step.At(2000).Should().BeApproximately(2.5e-5, 1e-18);
        var constant = LearningRateSchedule.From(new TrainingOptions { LearningRate = 0.1, Schedule = ScheduleKind.Constant }, 16000, 30);
        constant.At(15999).Should().Be(0.1);
    }
}
