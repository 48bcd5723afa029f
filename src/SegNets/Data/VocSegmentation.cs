namespace SegNets.Data;

/// <summary>
/// Pascal VOC 2012 segmentation in the devkit's layout: <c>VOC2012/JPEGImages/{id}.jpg</c>,
/// <c>VOC2012/SegmentationClass/{id}.png</c> (palette PNGs: the palette INDEX is the class, 255 the border/void) and
/// <c>VOC2012/ImageSets/Segmentation/{split}.txt</c>. the root may be the VOC2012 folder, the
/// VOCdevkit folder, or the folder holding VOCdevkit or VOC2012 (GluonCV's root).
/// </summary>
/// <remarks>
/// As gluon-cv@5677756:gluoncv/data/pascal_voc/segmentation.py <c>VOCSegmentation</c>, which reads the same files.
/// Here the split is the file name: GluonCV's <c>split='train'</c> reads trainval.txt, which is <c>"trainval"</c> here.
/// Values: 0..20 are the classes, 255 is ignored, any other value is an error (the devkit PNGs hold no other).
/// </remarks>
public sealed class VocSegmentation : FileSegmentationDataset
{
    /// <param name="root">VOC2012, VOCdevkit or their parent.</param>
    /// <param name="split">"train", "val" or "trainval" (any ImageSets/Segmentation/*.txt).</param>
    /// <param name="options">Bad-sample handling.</param>
    /// <param name="labels">Another label set in VOC's layout (e.g. <c>Datasets.FashionScenes</c>, or your own data
    /// written as VOC): its classes 0..N-1 and 255 are accepted. VOC's 21 classes when null.</param>
    public VocSegmentation(string root, string split, DatasetOptions? options = null, DatasetInfo? labels = null)
        : base(labels ?? Datasets.Voc, List(root, split), IdentityTable((labels ?? Datasets.Voc).NumClasses), options)
    {
        Split = split;
    }

    /// <summary>The split file's name.</summary>
    public string Split { get; }

    private static IEnumerable<SampleFiles> List(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindRoot(root, "Pascal VOC 2012", Path.Combine("ImageSets", "Segmentation"), ".", "VOC2012", Path.Combine("VOCdevkit", "VOC2012"));
        var splits = Path.Combine(dir, "ImageSets", "Segmentation");
        var file = Path.Combine(splits, split + ".txt");
        return ReadSplit(file, "Pascal VOC 2012", SplitsIn(splits)).Select(id => new SampleFiles(
            id, Path.Combine(dir, "JPEGImages", id + ".jpg"), Path.Combine(dir, "SegmentationClass", id + ".png"), file));
    }
}
