using SegNets.Imaging;

namespace SegNets.Data;

/// <summary>
/// Multi-Human Parsing V1 as GluonCV reads it (LV-MHP-v1: <c>images/NAME.jpg</c>, one grey label PNG per person in
/// <c>annotations/NAME_NN_KK.png</c>, <c>train_list.txt</c> / <c>test_list.txt</c>): the persons' maps are merged into
/// one, 19 classes (<see cref="Datasets.MhpV1"/>).
/// </summary>
/// <remarks>
/// gluon-cv@5677756:gluoncv/data/mhp.py. Splits as <c>_get_mhp_pairs</c>: "train" = the first 3000 entries of
/// train_list.txt, "val" = entries 3001..3999 (GluonCV's slice [3001:4000] leaves entry 3000 out; kept so), "test" =
/// test_list.txt. Merging as <c>_get_mask</c>: its numpy masked arrays add a person's labels only where every earlier
/// person's map is 0, so a pixel gets the first non-zero label in file order. Two deliberate differences, both where
/// GluonCV is not well defined: the person files are taken in name order (GluonCV takes os.listdir's order, which the
/// file system decides), and they are matched by "NAME_" (GluonCV's bare prefix test also matches NAME10_... for NAME1).
/// </remarks>
public sealed class MhpV1Segmentation : FileSegmentationDataset
{
    readonly IReadOnlyDictionary<string, string[]> persons;

    /// <param name="root">The LV-MHP-v1 folder (holding train_list.txt) or its parent.</param>
    /// <param name="split">"train", "val" or "test".</param>
    public MhpV1Segmentation(string root, string split, DatasetOptions? options = null)
        : base(Datasets.MhpV1, List(root, split, out var persons), IdentityTable(19), options)
    {
        Split = split;
        this.persons = persons;
    }

    public string Split { get; }

    /// <summary>The label files of every person in sample <paramref name="index"/>, in merge order.</summary>
    public IReadOnlyList<string> PersonLabelsOf(int index) => persons[FilesOf(index).LabelPath];

    protected override (int[] Values, int Height, int Width) ReadLabelValues(string path)
    {
        var files = persons[path];
        var (merged, height, width) = LabelImage.ReadValues(files[0]);
        foreach (var file in files.Skip(1))
        {
            var (values, h, w) = LabelImage.ReadValues(file);
            if (h != height || w != width)
                throw new InvalidDataException($"{file}: person map is {w}x{h} (WxH) but {files[0]} is {width}x{height}");
            for (int p = 0; p < merged.Length; p++)
                if (merged[p] == 0) merged[p] = values[p];
        }
        return (merged, height, width);
    }

    static List<SampleFiles> List(string root, string split, out IReadOnlyDictionary<string, string[]> persons)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindRoot(root, "LV-MHP-v1", "train_list.txt", ".", "LV-MHP-v1", Path.Combine("mhp", "LV-MHP-v1"));
        var listFile = Path.Combine(dir, split == "test" ? "test_list.txt" : "train_list.txt");
        if (split is not ("train" or "val" or "test"))
            throw new ArgumentException($"MHP-V1 splits are train, val and test (GluonCV's), not '{split}'", nameof(split));
        var lines = ReadSplit(listFile, "LV-MHP-v1", ["train_list", "test_list"]);
        var selected = split switch
        {
            "train" => lines.Take(3000),
            "val" => lines.Skip(3001).Take(999),
            _ => lines,
        };
        var annotations = Path.Combine(dir, "annotations");
        var byImage = Directory.Exists(annotations)
            ? Directory.EnumerateFiles(annotations).Select(Path.GetFileName).OfType<string>()
                .GroupBy(f => f.Contains('_', StringComparison.Ordinal) ? f[..f.IndexOf('_', StringComparison.Ordinal)] : f, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).Select(f => Path.Combine(annotations, f)).ToArray(), StringComparer.Ordinal)
            : [];
        var samples = new List<SampleFiles>();
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in selected)
        {
            var stem = Path.GetFileNameWithoutExtension(line);
            var image = Path.Combine(dir, "images", line);
            if (!byImage.TryGetValue(stem, out var files))
            {
                // A sample without labels cannot be trained on; the base class reports (or skips) the missing file.
                files = [Path.Combine(annotations, stem + "_NN_KK.png")];
            }
            samples.Add(new SampleFiles(stem, image, files[0], listFile));
            map[files[0]] = files;
        }
        persons = map;
        return samples;
    }
}
