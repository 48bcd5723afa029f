namespace SegNets.Data;

/// <summary>
/// A random-access set of (image, label map) samples. Implementations read the official on-disk layout of their
/// dataset; reading is thread-safe so that a loader can decode on several threads.
/// </summary>
public interface ISegmentationDataset
{
    /// <summary>Class names, palette and the dataset's own ignore convention.</summary>
    DatasetInfo Labels { get; }

    /// <summary>Number of samples in the chosen split.</summary>
    int Count { get; }

    /// <summary>The id of sample <paramref name="index"/> (no decoding).</summary>
    string IdOf(int index);

    /// <summary>Decodes sample <paramref name="index"/>; a missing or corrupt file is an exception naming it.</summary>
    SegmentationSample Get(int index);
}
