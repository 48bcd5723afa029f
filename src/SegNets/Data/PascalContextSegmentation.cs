namespace SegNets.Data;

/// <summary>
/// Pascal Context (59 classes) in the layout its standard conversion writes into the VOC 2010 devkit:
/// <c>VOC2010/JPEGImages/{id}.jpg</c>, <c>VOC2010/SegmentationClassContext/{id}.png</c> (8-bit grey: 0 background,
/// 1..59 the classes in <see cref="Datasets.PascalContext"/>'s order) and
/// <c>VOC2010/ImageSets/SegmentationContext/{split}.txt</c> (the Detail API's train and val splits of the VOC 2010
/// trainval images). The root may be the VOC2010 folder, the VOCdevkit folder, or the folder holding VOCdevkit or
/// VOC2010.
/// </summary>
/// <remarks>
/// <para>The layout is what open-mmlab/mmsegmentation@2b6a1aa:tools/dataset_converters/pascal_context.py writes from
/// VOC 2010 and the Detail API's trainval_merged.json: each image's class mask (<c>Detail.getMask</c>: the Detail
/// category id per pixel, 0 where nothing is annotated) with the 59 classes' ids numbered 1..59 in increasing id order
/// and 0 kept for background, saved as <c>{id}.png</c>; train.txt / val.txt are the Detail API's splits, sorted.
/// PyTorch-Encoding (zhanghang1989/PyTorch-Encoding@ac74841:encoding/datasets/pcontext.py) builds the same masks with
/// the same id table and caches them in train.pth / val.pth instead. SegNets reads the PNGs and does not need the
/// Detail API.</para>
/// <para>Labels follow <see cref="PascalContextClasses"/>: by default the 59-class convention (stored 0 → 255, k →
/// k-1, as PyTorch-Encoding's <c>_mask_transform</c> and mmsegmentation's <c>reduce_zero_label</c>), or 60 classes
/// with background 0. Stored 255 stays ignored in both (as mmsegmentation's <c>reduce_zero_label</c> keeps it);
/// values 60..254 are errors naming the file. The raw annotations of the official release (trainval/*.mat, 459
/// labels) are read by <see cref="PascalContextMatSegmentation"/>.</para>
/// <para>GluonCV (dmlc/gluon-cv@5677756) has no Pascal Context dataset; its model zoo has no Pascal Context models.</para>
/// </remarks>
public sealed class PascalContextSegmentation : FileSegmentationDataset
{
    /// <param name="root">VOC2010, VOCdevkit or their parent.</param>
    /// <param name="split">"train" or "val" (any ImageSets/SegmentationContext/*.txt).</param>
    /// <param name="options">Bad-sample handling.</param>
    /// <param name="classes">59 classes with background ignored (default) or 60 with background as class 0.</param>
    public PascalContextSegmentation(string root, string split, DatasetOptions? options = null,
        PascalContextClasses classes = PascalContextClasses.Classes59)
        : base(LabelsOf(classes), List(root, split), TableOf(classes), options)
    {
        Split = split;
        Classes = classes;
    }

    /// <summary>The split file's name.</summary>
    public string Split { get; }

    /// <summary>The label convention.</summary>
    public PascalContextClasses Classes { get; }

    internal const string Name = "Pascal Context (VOC2010 with SegmentationClassContext)";

    /// <summary>The label set of a convention.</summary>
    internal static DatasetInfo LabelsOf(PascalContextClasses classes) => classes switch
    {
        PascalContextClasses.Classes59 => Datasets.PascalContext,
        PascalContextClasses.Classes60 => Datasets.PascalContext60,
        _ => throw new ArgumentOutOfRangeException(nameof(classes), classes, "use PascalContextClasses.Classes59 or Classes60"),
    };

    /// <summary>Stored value (0 background, 1..59, 255) → class index under a convention.</summary>
    internal static int[] TableOf(PascalContextClasses classes)
    {
        if (classes == PascalContextClasses.Classes60) return IdentityTable(60);
        LabelsOf(classes);
        var table = new int[256];
        Array.Fill(table, -1);
        table[0] = (int)SegmentationSample.IgnoreIndex;
        for (int v = 1; v <= 59; v++) table[v] = v - 1;
        table[255] = (int)SegmentationSample.IgnoreIndex;
        return table;
    }

    /// <summary>The VOC2010 folder under <paramref name="root"/> that holds <paramref name="marker"/>.</summary>
    internal static string FindVoc2010(string root, string marker, string dataset) =>
        FindRoot(root, dataset, marker, ".", "VOC2010", Path.Combine("VOCdevkit", "VOC2010"));

    /// <summary>The ids of ImageSets/SegmentationContext/{split}.txt under <paramref name="voc2010"/>, with the file.</summary>
    internal static (IReadOnlyList<string> Ids, string File) ReadContextSplit(string voc2010, string split, string dataset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var splits = Path.Combine(voc2010, "ImageSets", "SegmentationContext");
        var file = Path.Combine(splits, split + ".txt");
        return (ReadSplit(file, dataset, SplitsIn(splits)), file);
    }

    private static List<SampleFiles> List(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindVoc2010(root, "SegmentationClassContext", Name);
        var (ids, file) = ReadContextSplit(dir, split, Name);
        return [.. ids.Select(id => new SampleFiles(
            id, Path.Combine(dir, "JPEGImages", id + ".jpg"), Path.Combine(dir, "SegmentationClassContext", id + ".png"), file))];
    }
}
