using FluentAssertions;
using SegNets.Evaluation;
using static TorchSharp.torch;

namespace SegNets.Tests.Evaluation;

/// <summary>Hand-computed confusion matrices and metrics, ignore handling, merging and bad input.</summary>
public class ConfusionMatrixTests
{
    // 3 classes, 4x4; the two 255s in the last row are ignored, so 14 pixels count.
    static readonly long[,] Target =
    {
        { 0, 0, 1, 1 },
        { 0, 0, 1, 1 },
        { 2, 2, 2, 2 },
        { 2, 2, 255, 255 },
    };

    static readonly long[,] Prediction =
    {
        { 0, 0, 1, 0 },
        { 0, 1, 1, 1 },
        { 2, 2, 1, 2 },
        { 2, 0, 0, 1 },
    };

    // rows = truth, columns = prediction, counted by hand from the maps above
    static readonly long[] ExpectedCounts = [3, 1, 0, 1, 3, 0, 1, 1, 4];

    static Tensor Map(long[,] values) => tensor(values);

    [Fact]
    public void CountsAndMetricsOfASmallExampleAreTheHandComputedOnes()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(3);
        matrix.Update(Map(Prediction), Map(Target));
        var counts = matrix.Counts;
        counts.shape.Should().Equal(3, 3);
        counts.dtype.Should().Be(ScalarType.Int64);
        counts.data<long>().ToArray().Should().Equal(ExpectedCounts);

        var m = matrix.Compute();
        m.LabeledPixels.Should().Be(14);
        m.CorrectPixels.Should().Be(10);
        m.PixelsPerClass.Should().Equal(4, 4, 6);
        m.PredictedPixelsPerClass.Should().Equal(5, 5, 4);
        m.IntersectionPerClass.Should().Equal(3, 3, 4);
        m.UnionPerClass.Should().Equal(6, 6, 6);
        // IoU 3/6, 3/6, 4/6; GluonCV's epsilon vanishes against unions of 6 pixels.
        m.Iou.Should().Equal(0.5, 0.5, 4.0 / 6);
        m.PixelAccuracy.Should().Be(10.0 / 14);
        m.MeanIou.Should().BeApproximately(5.0 / 9, 1e-15);
        m.MeanIouPresent.Should().BeApproximately(5.0 / 9, 1e-15);
        m.Accuracy.Should().Equal(0.75, 0.75, 4.0 / 6);
        m.MeanAccuracy.Should().BeApproximately(13.0 / 18, 1e-15);
        // (4/14)(1/2) + (4/14)(1/2) + (6/14)(2/3) = 8/14
        m.FrequencyWeightedIou.Should().BeApproximately(8.0 / 14, 1e-15);
    }

    [Fact]
    public void IgnoredPixelsDoNotCountWhateverIsPredictedThere()
    {
        using var scope = NewDisposeScope();
        using var a = new ConfusionMatrix(3);
        using var b = new ConfusionMatrix(3);
        a.Update(Map(Prediction), Map(Target));
        var other = Map(Prediction).clone();
        other[3, 2] = tensor(2L);
        other[3, 3] = tensor(2L);
        b.Update(other, Map(Target));
        b.Counts.data<long>().ToArray().Should().Equal(a.Counts.data<long>().ToArray());

        // all-ignored input changes nothing
        a.Update(Map(Prediction), full(4, 4, 255L));
        a.Counts.data<long>().ToArray().Should().Equal(ExpectedCounts);
    }

    [Fact]
    public void AnotherIgnoreIndexWorksLikeGluonCVsMinusOne()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(3, ignoreIndex: -1);
        matrix.Update(Map(Prediction), Map(Target).masked_fill(Map(Target).eq(255), -1));
        matrix.Counts.data<long>().ToArray().Should().Equal(ExpectedCounts);
    }

    [Fact]
    public void AnAbsentClassCountsAsZeroInGluonCVsMeanButNotInThePresentMean()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(4);
        matrix.Update(Map(Prediction), Map(Target));
        var m = matrix.Compute();
        m.Iou.Should().Equal(0.5, 0.5, 4.0 / 6, 0.0);
        m.IsPresent(3).Should().BeFalse();
        m.MeanIou.Should().BeApproximately(5.0 / 12, 1e-15, "GluonCV averages over all 4 classes");
        m.MeanIouPresent.Should().BeApproximately(5.0 / 9, 1e-15, "the nan-mean leaves the absent class out");
        double.IsNaN(m.Accuracy[3]).Should().BeTrue();
        m.MeanAccuracy.Should().BeApproximately(13.0 / 18, 1e-15);
        m.FrequencyWeightedIou.Should().BeApproximately(8.0 / 14, 1e-15);
    }

    [Fact]
    public void GluonCVsEpsilonIsReproducedBitForBit()
    {
        // A class whose union is exactly one pixel: GluonCV's 1 / (np.spacing(1) + 1) is the double just below 1.
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(2);
        matrix.Update(tensor(new long[,] { { 0, 1, 1 } }), tensor(new long[,] { { 0, 1, 1 } }));
        var m = matrix.Compute();
        m.Iou[0].Should().Be(1.0 / (2.220446049250313e-16 + 1.0));
        m.Iou[0].Should().BeLessThan(1.0);
        m.Iou[1].Should().Be(1.0);
        m.MeanIouPresent.Should().Be(1.0);
        m.PixelAccuracy.Should().Be(1.0, "3 / (eps + 3) rounds to exactly 1");
    }

    [Fact]
    public void MergingTwoMatricesEqualsOneMatrixOverBoth()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var (p1, t1) = RandomMaps(generator, 2, 13, 17, 6);
        var (p2, t2) = RandomMaps(generator, 1, 9, 30, 6);
        using var first = new ConfusionMatrix(6);
        using var second = new ConfusionMatrix(6);
        using var both = new ConfusionMatrix(6);
        first.Update(p1, t1);
        second.Update(p2, t2);
        both.Update(p1, t1);
        both.Update(p2, t2);
        first.Add(second);
        first.Counts.data<long>().ToArray().Should().Equal(both.Counts.data<long>().ToArray());
        first.Compute().Should().BeEquivalentTo(both.Compute());
        // the merged-in matrix is unchanged
        using var alone = new ConfusionMatrix(6);
        alone.Update(p2, t2);
        second.Counts.data<long>().ToArray().Should().Equal(alone.Counts.data<long>().ToArray());

        // a batch (N, H, W) counts like its images one by one
        using var perImage = new ConfusionMatrix(6);
        perImage.Update(p1[0], t1[0]);
        perImage.Update(p1[1], t1[1]);
        perImage.Update(p2[0], t2[0]);
        perImage.Counts.data<long>().ToArray().Should().Equal(both.Counts.data<long>().ToArray());
    }

    [Fact]
    public void ResetZeroesAndTheMatrixOutlivesTheScopeItWasMadeIn()
    {
        ConfusionMatrix matrix;
        using (NewDisposeScope())
        {
            matrix = new ConfusionMatrix(3);
            matrix.Update(Map(Prediction), Map(Target));
        }
        using (matrix)
        using (NewDisposeScope())
        {
            matrix.Counts.data<long>().ToArray().Should().Equal(ExpectedCounts);
            matrix.Reset();
            matrix.Counts.data<long>().ToArray().Should().OnlyContain(v => v == 0);
            var m = matrix.Compute();
            m.PixelAccuracy.Should().Be(0, "GluonCV: 0 / (eps + 0)");
            m.MeanIou.Should().Be(0);
            double.IsNaN(m.MeanIouPresent).Should().BeTrue();
        }
        var act = () => matrix.Update(Map(Prediction), Map(Target));
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void LeavesNoTensorBehindButWhatItHandsOut()
    {
        using var prediction = Map(Prediction);
        using var target = Map(Target);
        using var matrix = new ConfusionMatrix(3);
        using var other = new ConfusionMatrix(3);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        matrix.Update(prediction, target);
        other.Update(prediction, target);
        matrix.Add(other);
        matrix.Add(matrix);
        matrix.Compute();
        using (var counts = matrix.Counts)
            counts.data<long>().ToArray().Should().Equal(ExpectedCounts.Select(v => 4 * v));
        matrix.Reset();
        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void ClassNamesGoIntoTheMetrics()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(3) { ClassNames = ["sky", "road", "car"] };
        matrix.Update(Map(Prediction), Map(Target));
        matrix.Compute().ClassNames.Should().Equal("sky", "road", "car");
        matrix.Compute(null).ClassNames.Should().BeNull();
    }

    [Fact]
    public void BadInputIsRefusedNamingTheValueOrShape()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(5);
        var ok = zeros(4, 4, ScalarType.Int64);

        var target = ok.clone();
        target[1, 2] = tensor(7L);
        var act = () => matrix.Update(ok, target);
        act.Should().Throw<ArgumentException>().WithMessage("*target value 7*[0, 5)*ignore index 255*");

        target[1, 2] = tensor(-3L);
        act.Should().Throw<ArgumentException>().WithMessage("*target value -3*");

        var prediction = ok.clone();
        prediction[0, 0] = tensor(5L);
        act = () => matrix.Update(prediction, ok);
        act.Should().Throw<ArgumentException>().WithMessage("*prediction value 5*[0, 5)*");

        act = () => matrix.Update(ok, zeros(4, 5, ScalarType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*[4, 4]*[4, 5]*");

        act = () => matrix.Update(ok.to_type(ScalarType.Float32), ok);
        act.Should().Throw<ArgumentException>().WithMessage("*integer*Float32*");

        act = () => matrix.Update(zeros(2, 1, 4, 4, ScalarType.Int64), zeros(2, 1, 4, 4, ScalarType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*(H, W) or (N, H, W)*[2, 1, 4, 4]*");

        using var other = new ConfusionMatrix(4);
        var merge = () => matrix.Add(other);
        merge.Should().Throw<ArgumentException>().WithMessage("*4-class*5-class*");

        var make = () => new ConfusionMatrix(5, ignoreIndex: 3);
        make.Should().Throw<ArgumentException>().WithMessage("*ignoreIndex 3*");

        // nothing was counted by the refused updates
        matrix.Counts.sum().item<long>().Should().Be(0);
    }

    internal static (Tensor Prediction, Tensor Target) RandomMaps(Generator generator, long n, long h, long w, int classes)
    {
        var target = randint(0, classes, [n, h, w], generator: generator, dtype: ScalarType.Int64);
        var prediction = randint(0, classes, [n, h, w], generator: generator, dtype: ScalarType.Int64);
        var ignore = rand([n, h, w], generator: generator).lt(0.1);
        return (prediction, target.masked_fill(ignore, 255));
    }
}
