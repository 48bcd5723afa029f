namespace SegNets.Data;

/// <summary>
/// Reading or transforming one sample failed in <see cref="SegmentationLoader"/>. It names the sample, because the
/// original exception was thrown on a worker thread and rarely says which file of thousands it was reading.
/// </summary>
public sealed class SampleLoadException : Exception
{
    public SampleLoadException(string sampleId, int index, Exception innerException)
        : base($"sample '{sampleId}' (dataset index {index}): {innerException.Message}", innerException)
    {
        SampleId = sampleId;
        Index = index;
    }

    public SampleLoadException(string sampleId, int index, string message)
        : base($"sample '{sampleId}' (dataset index {index}): {message}")
    {
        SampleId = sampleId;
        Index = index;
    }

    /// <summary>The id the dataset gives the sample (<see cref="ISegmentationDataset.IdOf"/>).</summary>
    public string SampleId { get; }

    /// <summary>The sample's index in the dataset.</summary>
    public int Index { get; }
}
