namespace SegNets.Data;

/// <summary>
/// Cityscapes fine annotations in the official layout: <c>leftImg8bit/{split}/{city}/{stem}_leftImg8bit.png</c> and
/// <c>gtFine/{split}/{city}/{stem}_gtFine_labelIds.png</c> (8-bit grey label ids 0..33), mapped to the 19 train ids
/// by <see cref="Datasets.CityscapesTrainIds"/> (every other id → 255, ignored). Ids are the stems
/// (e.g. "aachen_000000_000019").
/// </summary>
/// <remarks>
/// gluon-cv@5677756:gluoncv/data/cityscapes.py: <c>_get_city_pairs</c> (each *.png under leftImg8bit/{split}/{city},
/// its gtFine_labelIds twin; "trainval" is train + val) and <c>_class_to_index</c> (ids outside -1..33 are an
/// assertion error; here stored values other than 0..33 and 255 are errors). The mapping is
/// mcordts/cityscapesScripts cityscapesscripts/helpers/labels.py trainId. Other gtFine files (_color,
/// _instanceIds, _polygons.json) are not read.
/// </remarks>
public sealed class CityscapesSegmentation : FileSegmentationDataset
{
    /// <param name="root">The folder holding leftImg8bit and gtFine, or its parent "cityscapes".</param>
    /// <param name="split">"train", "val", "test" or "trainval".</param>
    /// <param name="options">Bad-sample handling.</param>
    public CityscapesSegmentation(string root, string split, DatasetOptions? options = null)
        : base(Datasets.Cityscapes, List(root, split), Table(), options)
    {
        Split = split;
    }

    /// <summary>The split's name.</summary>
    public string Split { get; }

    private static int[] Table()
    {
        var table = new int[256];
        Array.Fill(table, -1);
        for (int id = 0; id <= 33; id++) table[id] = Datasets.CityscapesTrainIds[id];
        table[255] = (int)SegmentationSample.IgnoreIndex;
        return table;
    }

    private static List<SampleFiles> List(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindRoot(root, "Cityscapes", "leftImg8bit", ".", "cityscapes");
        string[] parts = split == "trainval" ? ["train", "val"] : [split];
        var samples = new List<SampleFiles>();
        foreach (var part in parts)
        {
            var images = Path.Combine(dir, "leftImg8bit", part);
            if (!Directory.Exists(images))
                throw new DirectoryNotFoundException($"{images}: no Cityscapes split '{part}' (expected leftImg8bit/{part}/<city>/)");
            const string suffix = "_leftImg8bit.png";
            foreach (var path in Directory.EnumerateFiles(images, "*" + suffix, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var city = Path.GetFileName(Path.GetDirectoryName(path))!;
                var stem = Path.GetFileName(path)[..^suffix.Length];
                samples.Add(new SampleFiles(stem, path,
                    Path.Combine(dir, "gtFine", part, city, stem + "_gtFine_labelIds.png"), images));
            }
        }
        return samples;
    }
}
