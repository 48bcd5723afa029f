using SegNets.IO;

namespace SegNets.Data;

/// <summary>The readers of every label set SegNets trains and evaluates on, as one table (no name dispatch in code).</summary>
public static class DatasetReaders
{
    /// <summary>Every reader; several may share a label set (VOC: the VOC 2012 layout and SBD's augmented set).</summary>
    public static IReadOnlyList<DatasetReader> All { get; } =
    [
        new("voc", "SBD benchmark_RELEASE (dataset/img, dataset/cls, train.txt / val.txt)", (r, s, o) => new SbdSegmentation(r, s, o), ImageSetPrefix: "SBD"),
        new("voc", "VOCdevkit/VOC2012 (JPEGImages, SegmentationClass, ImageSets/Segmentation)", (r, s, o) => new VocSegmentation(r, s, o)),
        // COCO has only its 2017 train and val; the stage's split names (train2017, val) both mean those.
        new("coco-voc", "COCO 2017 (train2017/, val2017/, annotations/instances_*.json)",
            (r, s, _) => new CocoSegmentation(r, s.StartsWith("val", StringComparison.Ordinal) ? "val" : "train")),
        new("ade20k", "ADEChallengeData2016 (images/, annotations/ training|validation)", (r, s, o) => new Ade20kSegmentation(r, s, o)),
        new("ade20k32", "ADEChallengeData2016, TI's 32 classes", (r, s, o) => new Ade20k32Segmentation(r, s, o)),
        new("cityscapes", "Cityscapes (leftImg8bit/, gtFine/)", (r, s, o) => new CityscapesSegmentation(r, s, o)),
        new("camvid", "SegNet's CamVid (train/, trainannot/, val/, valannot/, test/, testannot/)", (r, s, o) => new CamVidSegmentation(r, s, o)),
        new("pascal-context", "VOC2010 + Pascal Context masks", (r, s, o) => new PascalContextSegmentation(r, s, o)),
    ];

    /// <summary>The reader of <paramref name="labelSet"/>; for training, the one of <paramref name="imageSet"/> where
    /// the label set has several.</summary>
    /// <exception cref="KeyNotFoundException">No reader for the label set; the message names the closest ones.</exception>
    public static DatasetReader For(string labelSet, string? imageSet = null, bool validation = false)
    {
        ArgumentNullException.ThrowIfNull(labelSet);
        var candidates = All.Where(r => r.LabelSet == labelSet).ToList();
        if (candidates.Count == 0)
            throw new KeyNotFoundException(ClosestNames.Message("dataset reader for the label set", labelSet, [.. All.Select(r => r.LabelSet).Distinct()], "DatasetReaders.All"));
        return candidates.FirstOrDefault(r => !validation && r.ImageSetPrefix is { } prefix && imageSet?.StartsWith(prefix, StringComparison.Ordinal) == true)
               ?? candidates.First(r => r.ImageSetPrefix is null);
    }
}
