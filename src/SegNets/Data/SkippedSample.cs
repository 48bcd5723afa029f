namespace SegNets.Data;

/// <summary>A sample a dataset skipped (see <see cref="DatasetOptions.SkipBad"/>) and why.</summary>
/// <param name="Id">The sample's id.</param>
/// <param name="Reason">The error that would have been thrown; it names the file.</param>
public sealed record SkippedSample(string Id, string Reason);
