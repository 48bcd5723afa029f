using System.Globalization;
using System.Text.Json;
using System.Text;

namespace SegNets.Evaluation;

/// <summary>
/// The standard semantic-segmentation scores of one confusion matrix (<see cref="ConfusionMatrix.Compute()"/>).
/// </summary>
/// <remarks>
/// <para>Two mean IoUs are given because the zoos disagree on classes that occur in neither the labels nor the
/// predictions of the whole evaluation set:</para>
/// <list type="table">
/// <listheader><term>member</term><description>definition</description></listheader>
/// <item><term><see cref="MeanIou"/> (GluonCV)</term><description>
/// dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52 gluoncv/utils/metrics/segmentation.py,
/// <c>SegmentationMetric.get</c>: <c>IoU = 1.0 * total_inter / (np.spacing(1) + total_union)</c>,
/// <c>mIoU = IoU.mean()</c> over ALL classes, so an absent class (union 0) counts as IoU 0 and lowers the mean. The
/// epsilon is <c>np.spacing(1)</c> = 2^-52 = 2.220446049250313e-16 and is reproduced bit for bit (it changes the
/// result only where a union is exactly 1 pixel). <c>total_inter</c>/<c>total_union</c> are the running sums of
/// <c>batch_intersection_union</c>, whose histograms count, per class k and over non-ignored pixels only, the pixels
/// with prediction = label = k (intersection), prediction = k (area_pred) and label = k (area_lab);
/// union = area_pred + area_lab - intersection. These equal the diagonal, column and row sums of the confusion matrix.
/// </description></item>
/// <item><term><see cref="MeanIouPresent"/> (mmsegmentation)</term><description>
/// open-mmlab/mmsegmentation@3d50cc3c5be3709f387fb66268890d81b2154c2d mmseg/evaluation/metrics/iou_metric.py,
/// <c>total_area_to_metrics</c> + <c>compute_metrics</c>: <c>iou = intersect / union</c> with no epsilon (NaN for an
/// absent class), reported as <c>np.nanmean(iou)</c>: the mean over classes present in the labels or the predictions.
/// torchvision's reference (pytorch/vision@058f331c references/segmentation/utils.py, ConfusionMatrix.compute) has the
/// same per-class IoU but prints <c>iu.mean()</c>, which is NaN as soon as one class is absent; on a set where every
/// class occurs all three agree (up to GluonCV's epsilon).
/// </description></item>
/// </list>
/// <para><see cref="PixelAccuracy"/> is GluonCV's <c>pixAcc = 1.0 * total_correct / (np.spacing(1) + total_label)</c>
/// (<c>batch_pix_accuracy</c>: correct = prediction equals a non-ignored label, labeled = non-ignored pixels).
/// <see cref="MeanAccuracy"/> is mmsegmentation's mAcc and FCN's "mean accuracy": <c>np.nanmean(diag / row sums)</c>,
/// the mean recall over classes that have labelled pixels. <see cref="FrequencyWeightedIou"/> is FCN's fwavacc
/// (shelhamer/fcn.berkeleyvision.org score.py; Long et al. 2015, section 5):
/// <c>freq = hist.sum(1) / hist.sum()</c>, <c>(freq[freq &gt; 0] * iu[freq &gt; 0]).sum()</c>.</para>
/// <para>Ratios are fractions (0..1), not percentages. Where no pixel was labelled at all, the means that need one
/// (<see cref="MeanAccuracy"/>, <see cref="MeanIouPresent"/>, <see cref="FrequencyWeightedIou"/>) are NaN;
/// GluonCV's two are 0.</para>
/// </remarks>
public sealed record SegmentationMetrics
{
    /// <summary>np.spacing(1): GluonCV's guard against division by zero.</summary>
    public const double GluonCVEpsilon = 2.220446049250313e-16;

    public required int NumClasses { get; init; }

    /// <summary>Correct non-ignored pixels / non-ignored pixels (GluonCV pixAcc, with its epsilon).</summary>
    public required double PixelAccuracy { get; init; }

    /// <summary>Mean per-class recall over classes with labelled pixels (mmsegmentation mAcc, FCN mean accuracy).</summary>
    public required double MeanAccuracy { get; init; }

    /// <summary>Per-class recall (diagonal / row sum); NaN for a class without labelled pixels.</summary>
    public required double[] Accuracy { get; init; }

    /// <summary>Per-class IoU as GluonCV computes it: intersection / (2^-52 + union), 0 for an absent class.</summary>
    public required double[] Iou { get; init; }

    /// <summary>GluonCV's mIoU: the mean of <see cref="Iou"/> over ALL classes (absent classes count as 0).</summary>
    public required double MeanIou { get; init; }

    /// <summary>The nan-mean variant (mmsegmentation): mean of intersection / union over the classes that occur in
    /// the labels or the predictions.</summary>
    public required double MeanIouPresent { get; init; }

    /// <summary>FCN's frequency-weighted IoU: per-class IoU weighted by the class's share of labelled pixels.</summary>
    public required double FrequencyWeightedIou { get; init; }

    /// <summary>Labelled (non-ignored) pixels per true class: the row sums.</summary>
    public required long[] PixelsPerClass { get; init; }

    /// <summary>Pixels predicted as each class among labelled pixels: the column sums.</summary>
    public required long[] PredictedPixelsPerClass { get; init; }

    /// <summary>Correctly classified pixels per class: the diagonal.</summary>
    public required long[] IntersectionPerClass { get; init; }

    /// <summary>Prediction ∪ label per class: row + column - diagonal.</summary>
    public required long[] UnionPerClass { get; init; }

    /// <summary>Correct labelled pixels (GluonCV total_correct).</summary>
    public required long CorrectPixels { get; init; }

    /// <summary>Labelled pixels (GluonCV total_label).</summary>
    public required long LabeledPixels { get; init; }

    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Whether class <paramref name="k"/> occurs in the labels or the predictions (counted by
    /// <see cref="MeanIouPresent"/>).</summary>
    public bool IsPresent(int k) => UnionPerClass[k] > 0;

    /// <summary>The metrics of a C x C confusion matrix, row-major (rows = ground truth, columns = prediction).</summary>
    public static SegmentationMetrics FromCounts(long[] counts, int numClasses, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "at least 1 class");
        if (counts.LongLength != (long)numClasses * numClasses)
            throw new ArgumentException($"expected {numClasses}x{numClasses} = {(long)numClasses * numClasses} counts, got {counts.LongLength}", nameof(counts));
        if (classNames is not null && classNames.Count != numClasses)
            throw new ArgumentException($"expected {numClasses} class names, got {classNames.Count}", nameof(classNames));
        int c = numClasses;
        var rows = new long[c];
        var cols = new long[c];
        var diag = new long[c];
        for (int i = 0; i < c; i++)
        for (int j = 0; j < c; j++)
        {
            long n = counts[(long)i * c + j];
            if (n < 0) throw new ArgumentException($"count [{i}, {j}] is negative ({n})", nameof(counts));
            rows[i] += n;
            cols[j] += n;
        }
        for (int k = 0; k < c; k++) diag[k] = counts[(long)k * c + k];
        var union = new long[c];
        for (int k = 0; k < c; k++) union[k] = rows[k] + cols[k] - diag[k];
        long correct = diag.Sum();
        long labeled = rows.Sum();

        // GluonCV SegmentationMetric.get: the same float64 operations in the same order.
        var iou = new double[c];
        for (int k = 0; k < c; k++) iou[k] = 1.0 * diag[k] / (GluonCVEpsilon + union[k]);
        double pixAcc = 1.0 * correct / (GluonCVEpsilon + labeled);

        // mmsegmentation / FCN: plain ratios, NaN where undefined, nan-means.
        var accuracy = new double[c];
        var iouPresent = new double[c];
        for (int k = 0; k < c; k++)
        {
            accuracy[k] = rows[k] == 0 ? double.NaN : (double)diag[k] / rows[k];
            iouPresent[k] = union[k] == 0 ? double.NaN : (double)diag[k] / union[k];
        }
        double fw = double.NaN;
        if (labeled > 0)
        {
            fw = 0;
            for (int k = 0; k < c; k++)
                if (rows[k] > 0) fw += (double)rows[k] / labeled * iouPresent[k];
        }

        return new SegmentationMetrics
        {
            NumClasses = c,
            PixelAccuracy = pixAcc,
            MeanAccuracy = NanMean(accuracy),
            Accuracy = accuracy,
            Iou = iou,
            MeanIou = iou.Sum() / c,
            MeanIouPresent = NanMean(iouPresent),
            FrequencyWeightedIou = fw,
            PixelsPerClass = rows,
            PredictedPixelsPerClass = cols,
            IntersectionPerClass = diag,
            UnionPerClass = union,
            CorrectPixels = correct,
            LabeledPixels = labeled,
            ClassNames = classNames,
        };
    }

    /// <summary>The name of class <paramref name="k"/>, or its index when there are no names.</summary>
    public string NameOf(int k) => ClassNames is { } names ? names[k] : k.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A per-class table (class, IoU, accuracy, labelled and predicted pixels; percentages) followed by pixAcc, mIoU,
    /// mIoU(present) and fwIoU, for a console or a log. Absent values print as "-".
    /// </summary>
    public string ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        int nameWidth = Math.Max(5, Enumerable.Range(0, NumClasses).Max(k => NameOf(k).Length));
        int indexWidth = Math.Max(1, (NumClasses - 1).ToString(inv).Length);
        var sb = new StringBuilder();
        string header = string.Format(inv, "{0} {1}  {2,7}  {3,7}  {4,12}  {5,12}",
            "#".PadLeft(indexWidth), "class".PadRight(nameWidth), "IoU %", "acc %", "pixels", "predicted");
        sb.AppendLine(header);
        sb.AppendLine(new string('-', header.Length));
        for (int k = 0; k < NumClasses; k++)
        {
            sb.AppendLine(string.Format(inv, "{0} {1}  {2,7}  {3,7}  {4,12}  {5,12}",
                k.ToString(inv).PadLeft(indexWidth), NameOf(k).PadRight(nameWidth),
                Percent(IsPresent(k) ? Iou[k] : double.NaN), Percent(Accuracy[k]), PixelsPerClass[k], PredictedPixelsPerClass[k]));
        }
        sb.AppendLine(new string('-', header.Length));
        sb.AppendLine(string.Format(inv, "pixAcc {0}  mIoU {1}  mIoU(present) {2}  mAcc {3}  fwIoU {4}",
            Percent(PixelAccuracy).Trim(), Percent(MeanIou).Trim(), Percent(MeanIouPresent).Trim(),
            Percent(MeanAccuracy).Trim(), Percent(FrequencyWeightedIou).Trim()));
        int absent = Enumerable.Range(0, NumClasses).Count(k => !IsPresent(k));
        if (absent > 0)
            sb.AppendLine(string.Format(inv, "({0} of {1} classes absent from labels and predictions: mIoU counts them as 0, mIoU(present) leaves them out)",
                absent, NumClasses));
        return sb.ToString();
    }

    /// <summary>
    /// The metrics as JSON (System.Text.Json, indented): the summary numbers, then one object per class. Ratios are
    /// fractions written round-trip exact; undefined values (NaN) are null.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            WriteJsonProperties(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes this record's properties into an object the caller has opened (so that results can add
    /// theirs beside them).</summary>
    internal void WriteJsonProperties(Utf8JsonWriter writer)
    {
        writer.WriteNumber("numClasses", NumClasses);
        WriteDouble(writer, "pixAcc", PixelAccuracy);
        WriteDouble(writer, "mIoU", MeanIou);
        WriteDouble(writer, "mIoUPresent", MeanIouPresent);
        WriteDouble(writer, "meanAccuracy", MeanAccuracy);
        WriteDouble(writer, "fwIoU", FrequencyWeightedIou);
        writer.WriteNumber("correctPixels", CorrectPixels);
        writer.WriteNumber("labeledPixels", LabeledPixels);
        writer.WriteStartArray("classes");
        for (int k = 0; k < NumClasses; k++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", k);
            if (ClassNames is not null) writer.WriteString("name", ClassNames[k]);
            WriteDouble(writer, "iou", Iou[k]);
            WriteDouble(writer, "accuracy", Accuracy[k]);
            writer.WriteBoolean("present", IsPresent(k));
            writer.WriteNumber("pixels", PixelsPerClass[k]);
            writer.WriteNumber("predictedPixels", PredictedPixelsPerClass[k]);
            writer.WriteNumber("intersection", IntersectionPerClass[k]);
            writer.WriteNumber("union", UnionPerClass[k]);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>
    /// The metrics as CSV (invariant culture, round-trip numbers, empty field for NaN): header
    /// <c>kind,index,name,iou,accuracy,pixels,predicted_pixels,value</c>, one <c>class</c> row per class (iou is
    /// GluonCV's per-class IoU), then <c>summary</c> rows whose name is the metric (pixAcc, mIoU, mIoU_present,
    /// mean_accuracy, fwIoU) and whose number is in the value column.
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append("kind,index,name,iou,accuracy,pixels,predicted_pixels,value\n");
        for (int k = 0; k < NumClasses; k++)
        {
            sb.Append("class,").Append(k.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(CsvField(NameOf(k))).Append(',')
                .Append(Number(Iou[k])).Append(',')
                .Append(Number(Accuracy[k])).Append(',')
                .Append(PixelsPerClass[k].ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(PredictedPixelsPerClass[k].ToString(CultureInfo.InvariantCulture)).Append(",\n");
        }
        foreach (var (name, value) in new[]
                 {
                     ("pixAcc", PixelAccuracy), ("mIoU", MeanIou), ("mIoU_present", MeanIouPresent),
                     ("mean_accuracy", MeanAccuracy), ("fwIoU", FrequencyWeightedIou),
                 })
            sb.Append("summary,,").Append(name).Append(",,,,,").Append(Number(value)).Append('\n');
        return sb.ToString();
    }

    private static double NanMean(double[] values)
    {
        double sum = 0;
        int n = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    private static string Percent(double v) => double.IsNaN(v) ? "-" : (100 * v).ToString("F2", CultureInfo.InvariantCulture);

    private static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteDouble(Utf8JsonWriter writer, string name, double v)
    {
        if (double.IsNaN(v)) writer.WriteNull(name);
        else writer.WriteNumber(name, v);
    }

    private static string CsvField(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
