using SegNets.Imaging;
namespace SegNets.Data;

/// <summary>
/// A custom dataset in a folder: <c>images/</c> (JPEG, PNG, BMP, WebP or GIF, any of these extensions) and
/// <c>masks/</c> (PNG, palette or 8-bit grey: the stored index is the class, 255 ignored) matched by file stem; or a
/// VOC-style split file listing the samples to use, one per line - a stem, or "IMAGE MASK" paths relative to the root.
/// </summary>
public sealed class FolderSegmentation : FileSegmentationDataset
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"];

    /// <param name="root">The folder holding images/ and masks/.</param>
    /// <param name="labels">The label set; masks hold 0..NumClasses-1, 255 (and <see cref="DatasetInfo.IgnoreLabel"/>
    /// when it is a value ≥ NumClasses that a PNG can store) for ignored pixels.</param>
    /// <param name="splitFile">Optional split file (absolute or relative to <paramref name="root"/>); without it every
    /// image of images/ is a sample, in ordinal order of its file name.</param>
    /// <param name="options">Bad-sample handling.</param>
    public FolderSegmentation(string root, DatasetInfo labels, string? splitFile = null, DatasetOptions? options = null)
        : base(labels, List(root, splitFile), Table(labels), options)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>The same with <paramref name="numClasses"/> classes named "class0".. and coloured with the VOC colour
    /// map (the first 21 are VOC's colours).</summary>
    public FolderSegmentation(string root, int numClasses, string? splitFile = null, DatasetOptions? options = null)
        : this(root, Generic(numClasses), splitFile, options)
    {
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    private static DatasetInfo Generic(int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numClasses, 255);
        var names = Enumerable.Range(0, numClasses).Select(i => $"class{i}").ToArray();
        // The VOC devkit colour map (VOClabelcolormap.m), which extends to any index.
        var palette = Enumerable.Range(0, numClasses).Select(label =>
        {
            int r = 0, g = 0, b = 0;
            for (int lab = label, bit = 7; lab > 0; lab >>= 3, bit--)
            {
                r |= (lab & 1) << bit;
                g |= ((lab >> 1) & 1) << bit;
                b |= ((lab >> 2) & 1) << bit;
            }
            return new Rgb((byte)r, (byte)g, (byte)b);
        }).ToArray();
        return new DatasetInfo("folder", names, palette, 255, "SegNets FolderSegmentation (generic names, VOC colour map)");
    }

    private static int[] Table(DatasetInfo labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.NumClasses > 255)
            throw new ArgumentException($"{labels.Name} has {labels.NumClasses} classes; 8-bit masks hold at most 255 plus ignore", nameof(labels));
        int ignore = labels.IgnoreLabel;
        var table = IdentityTable(labels.NumClasses, ignore is > 255 and <= 65535 ? ignore + 1 : 256);
        if (ignore >= labels.NumClasses && ignore < table.Length) table[ignore] = (int)SegmentationSample.IgnoreIndex;
        return table;
    }

    private static List<SampleFiles> List(string root, string? splitFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var dir = Path.GetFullPath(root);
        var images = Path.Combine(dir, "images");
        var masks = Path.Combine(dir, "masks");
        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"{images}: a folder dataset needs images/ and masks/");
        // stem -> image path; two images with one stem are ambiguous
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(images).Order(StringComparer.Ordinal))
        {
            if (!ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant())) continue;
            var stem = Path.GetFileNameWithoutExtension(path);
            if (!byStem.TryAdd(stem, path))
                throw new InvalidDataException($"{path}: two images named '{stem}' ({byStem[stem]} too); stems must be unique");
        }
        SampleFiles ByStem(string stem, string listedIn) => new(
            stem, byStem.TryGetValue(stem, out var image) ? image : Path.Combine(images, stem + ".jpg"),
            Path.Combine(masks, stem + ".png"), listedIn);

        if (splitFile is null) return [.. byStem.Keys.Select(stem => ByStem(stem, images))];
        var file = Path.GetFullPath(Path.Combine(dir, splitFile));
        var samples = new List<SampleFiles>();
        foreach (var line in ReadSplit(file, "folder dataset", SplitsIn(dir)))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            samples.Add(parts.Length switch
            {
                1 => ByStem(parts[0], file),
                2 => new SampleFiles(Path.GetFileNameWithoutExtension(parts[0]),
                    Path.Combine(dir, parts[0].TrimStart('/')), Path.Combine(dir, parts[1].TrimStart('/')), file),
                _ => throw new InvalidDataException($"{file}: line '{line}' is neither 'STEM' nor 'IMAGE MASK'"),
            });
        }
        return samples;
    }
}
