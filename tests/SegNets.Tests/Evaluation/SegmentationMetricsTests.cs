using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Evaluation;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Evaluation;

/// <summary>
/// Metrics against tools/reference/segmentation_metrics.py: GluonCV's own functions (transcribed to NumPy) and the
/// mmsegmentation nan-mean variant, on seeded random maps with ignore pixels; and the table, JSON and CSV forms.
/// </summary>
public class SegmentationMetricsTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-12;

    static (SegmentationMetrics Metrics, long[] Counts, Dictionary<string, Tensor> Expected) FromReference()
    {
        var dir = PythonReference.Run("segmentation_metrics.py");
        var expected = NumpyArchive.LoadNpz(Path.Combine(dir, "expected.npz"));
        int classes = (int)expected["num_classes"].item<long>();
        using var matrix = new ConfusionMatrix(classes);
        for (int b = 0; b < expected["batches"].item<long>(); b++)
        {
            using var scope = NewDisposeScope();
            matrix.Update(NumpyArchive.LoadNpy(Path.Combine(dir, $"pred_{b}.npy")), NumpyArchive.LoadNpy(Path.Combine(dir, $"target_{b}.npy")));
        }
        using var counts = matrix.Counts;
        return (matrix.Compute(), counts.data<long>().ToArray(), expected);
    }

    static double[] Doubles(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    static double MaxDiff(double[] actual, double[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double.IsNaN(actual[i]).Should().Be(double.IsNaN(expected[i]), $"element {i} is NaN on both sides or neither");
            if (!double.IsNaN(actual[i])) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        }
        return max;
    }

    [Fact]
    public void MatchesGluonCVAndTheNanMeanVariantComputedByNumpy()
    {
        var (m, counts, e) = FromReference();
        counts.Should().Equal(e["hist"].data<long>().ToArray(), "the confusion matrix equals NumPy's bincount");
        m.CorrectPixels.Should().Be(e["total_correct"].item<long>());
        m.LabeledPixels.Should().Be(e["total_label"].item<long>());
        m.IntersectionPerClass.Should().Equal(e["total_inter"].data<long>().ToArray(), "GluonCV's histogram intersections");
        m.UnionPerClass.Should().Equal(e["total_union"].data<long>().ToArray(), "GluonCV's histogram unions");

        var diffs = new Dictionary<string, double>
        {
            ["pixAcc"] = Math.Abs(m.PixelAccuracy - e["pixAcc"].item<double>()),
            ["mIoU"] = Math.Abs(m.MeanIou - e["mIoU"].item<double>()),
            ["IoU"] = MaxDiff(m.Iou, Doubles(e["IoU"])),
            ["mIoU present"] = Math.Abs(m.MeanIouPresent - e["miou_present"].item<double>()),
            ["acc"] = MaxDiff(m.Accuracy, Doubles(e["acc"])),
            ["mean acc"] = Math.Abs(m.MeanAccuracy - e["mean_acc"].item<double>()),
            ["fwIoU"] = Math.Abs(m.FrequencyWeightedIou - e["fwiou"].item<double>()),
        };
        output.WriteLine(string.Join(", ", diffs.Select(d => $"{d.Key} {d.Value:E1}")));
        diffs.Should().OnlyContain(d => d.Value <= Tolerance);

        // The reference data has one class predicted but never labelled and one in neither: the two means differ.
        m.IsPresent(6).Should().BeFalse();
        m.MeanIou.Should().BeLessThan(m.MeanIouPresent);
        double.IsNaN(m.Accuracy[5]).Should().BeTrue();
    }

    [Fact]
    public void TableJsonAndCsvCarryTheNumbersInInvariantCulture()
    {
        var (m, _, _) = FromReference();
        m = m with { ClassNames = ["background", "sky", "road", "car, parked", "tree", "person", "bird"] };
        var culture = CultureInfo.CurrentCulture;
        // A culture with a decimal comma (built by hand: the tests may run in globalization-invariant mode).
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = comma;
        try
        {
            var table = m.ToTable();
            output.WriteLine(table);
            table.Should().Contain("background").And.Contain("mIoU(present)").And.Contain("fwIoU")
                .And.Contain((100 * m.MeanIou).ToString("F2", CultureInfo.InvariantCulture))
                .And.Contain((100 * m.MeanIouPresent).ToString("F2", CultureInfo.InvariantCulture))
                .And.Contain("1 of 7 classes absent");

            using var json = JsonDocument.Parse(m.ToJson());
            var root = json.RootElement;
            root.GetProperty("pixAcc").GetDouble().Should().Be(m.PixelAccuracy, "JSON numbers round-trip exactly");
            root.GetProperty("mIoU").GetDouble().Should().Be(m.MeanIou);
            root.GetProperty("mIoUPresent").GetDouble().Should().Be(m.MeanIouPresent);
            root.GetProperty("fwIoU").GetDouble().Should().Be(m.FrequencyWeightedIou);
            var classes = root.GetProperty("classes");
            classes.GetArrayLength().Should().Be(7);
            classes[3].GetProperty("name").GetString().Should().Be("car, parked");
            classes[2].GetProperty("iou").GetDouble().Should().Be(m.Iou[2]);
            classes[6].GetProperty("accuracy").ValueKind.Should().Be(JsonValueKind.Null, "an undefined recall is null, not NaN");
            classes[6].GetProperty("present").GetBoolean().Should().BeFalse();
            classes[0].GetProperty("pixels").GetInt64().Should().Be(m.PixelsPerClass[0]);

            var lines = m.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines[0].Should().Be("kind,index,name,iou,accuracy,pixels,predicted_pixels,value");
            lines.Should().HaveCount(1 + 7 + 5);
            lines[4].Should().StartWith("class,3,\"car, parked\",");
            var row2 = lines[3].Split(',');
            double.Parse(row2[3], CultureInfo.InvariantCulture).Should().Be(m.Iou[2]);
            long.Parse(row2[5], CultureInfo.InvariantCulture).Should().Be(m.PixelsPerClass[2]);
            lines[7].Split(',')[4].Should().BeEmpty("NaN is an empty field");
            var summary = lines.Skip(8).Select(l => l.Split(',')).ToDictionary(f => f[2], f => double.Parse(f[7], CultureInfo.InvariantCulture));
            summary["pixAcc"].Should().Be(m.PixelAccuracy);
            summary["mIoU"].Should().Be(m.MeanIou);
            summary["mIoU_present"].Should().Be(m.MeanIouPresent);
            summary["mean_accuracy"].Should().Be(m.MeanAccuracy);
            summary["fwIoU"].Should().Be(m.FrequencyWeightedIou);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void FromCountsChecksItsInput()
    {
        var act = () => SegmentationMetrics.FromCounts([1, 2, 3], 2);
        act.Should().Throw<ArgumentException>().WithMessage("*2x2 = 4 counts, got 3*");
        act = () => SegmentationMetrics.FromCounts([1, 0, 0, 1], 2, ["one"]);
        act.Should().Throw<ArgumentException>().WithMessage("*2 class names, got 1*");
        act = () => SegmentationMetrics.FromCounts([1, -1, 0, 1], 2);
        act.Should().Throw<ArgumentException>().WithMessage("*[0, 1] is negative*");
    }
}
