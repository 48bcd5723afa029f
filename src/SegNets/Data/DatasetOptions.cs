namespace SegNets.Data;

/// <summary>How a dataset treats bad samples.</summary>
public sealed record DatasetOptions
{
    /// <summary>
    /// false (default): a corrupt or truncated image or label, an image/label size mismatch, or a label value that is
    /// neither a class nor the ignore value is an exception naming the file; a split listing a missing file fails the
    /// constructor. true: such samples are skipped and recorded in <see cref="FileSegmentationDataset.Skipped"/> with
    /// their reason - missing files at construction (they do not count), bad content when <c>Get</c> meets it (Get then
    /// returns the next good sample, so an epoch still sees <c>Count</c> samples).
    /// </summary>
    public bool SkipBad { get; init; }

    /// <summary>The default: strict.</summary>
    public static DatasetOptions Default { get; } = new();
}
