namespace SegNets.Data;

/// <summary>
/// ADE20K SceneParsing (ADEChallengeData2016): <c>images/{training,validation}/*.jpg</c> and
/// <c>annotations/{training,validation}/*.png</c> (8-bit grey: 0 "other", 1..150 the classes). Labels are shifted as
/// GluonCV does: stored 0 → ignore (255), k → class k-1. the root may be ADEChallengeData2016 or its
/// parent.
/// </summary>
/// <remarks>
/// gluon-cv@5677756:gluoncv/data/ade20k/segmentation.py: <c>_get_ade20k_pairs</c> lists the .jpg files of the split
/// folder and pairs each with the .png of the same stem; <c>_mask_transform</c> subtracts 1 (so "other" becomes -1,
/// ignored). GluonCV prints and drops an image without annotation; here that is an error naming the file (or a skipped
/// sample with <see cref="DatasetOptions.SkipBad"/>). Stored values above 150 are errors.
/// </remarks>
public class Ade20kSegmentation : FileSegmentationDataset
{
    /// <param name="root">ADEChallengeData2016 or its parent.</param>
    /// <param name="split">"train" (images/training) or "val" (images/validation).</param>
    /// <param name="options">Bad-sample handling.</param>
    public Ade20kSegmentation(string root, string split, DatasetOptions? options = null)
        : this(root, split, options, Datasets.Ade20k, ShiftTable())
    {
    }

    /// <summary>For label sets derived from ADE20K's annotations (<see cref="Ade20k32Segmentation"/>).</summary>
    protected Ade20kSegmentation(string root, string split, DatasetOptions? options, DatasetInfo labels, int[] storedToClass)
        : base(labels, List(root, split), storedToClass, options)
    {
        Split = split;
    }

    /// <summary>"train" or "val".</summary>
    public string Split { get; }

    private static int[] ShiftTable()
    {
        var table = new int[151];
        table[0] = (int)SegmentationSample.IgnoreIndex;
        for (int v = 1; v <= 150; v++) table[v] = v - 1;
        return table;
    }

    private static List<SampleFiles> List(string root, string split)
    {
        var folder = split switch
        {
            "train" or "training" => "training",
            "val" or "validation" => "validation",
            _ => throw new ArgumentException($"unknown ADE20K split '{split}'; use \"train\" or \"val\"", nameof(split)),
        };
        var dir = FindRoot(root, "ADE20K (ADEChallengeData2016)", "images", ".", "ADEChallengeData2016");
        var images = Path.Combine(dir, "images", folder);
        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"{images}: no ADE20K {split} images");
        return [.. Directory.EnumerateFiles(images, "*.jpg").Order(StringComparer.Ordinal).Select(path =>
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            return new SampleFiles(stem, path, Path.Combine(dir, "annotations", folder, stem + ".png"), images);
        })];
    }
}
