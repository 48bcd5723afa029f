namespace SegNets.Data;

/// <summary>
/// How to open one label set's images in its official layout: the row of <see cref="DatasetReaders"/> that a training
/// stage or an evaluation picks by its label set (and, for VOC, by the image set: SBD's augmented set has its own
/// layout).
/// </summary>
/// <param name="LabelSet">The <see cref="Datasets.Get"/> name the reader produces labels for ("voc", "ade20k", ...).</param>
/// <param name="Layout">The folder layout it reads, in words (for errors and docs).</param>
/// <param name="Open">Opens (root, split, options).</param>
/// <param name="ImageSetPrefix">When set, the reader is for training image sets whose name starts with it (e.g. "SBD");
/// validation always uses the label set's own reader.</param>
public sealed record DatasetReader(string LabelSet, string Layout, Func<string, string, DatasetOptions?, ISegmentationDataset> Open,
    string? ImageSetPrefix = null);
