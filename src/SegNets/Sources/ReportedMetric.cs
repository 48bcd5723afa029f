namespace SegNets.Sources;

/// <summary>A number the original zoo table reports for a model, e.g. mIoU 86.2 on the VOC 2012 test server.</summary>
/// <param name="Metric">"mIoU", "pixAcc", "box AP", "mask AP", "score" (the seed table's ADE20K figure: the mean of pixAcc and
/// mIoU) (percent).</param>
/// <param name="Split">Where it was measured, as the table says.</param>
public sealed record ReportedMetric(string Metric, double Value, string Split);
