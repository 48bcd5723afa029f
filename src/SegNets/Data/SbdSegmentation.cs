using SegNets.Backbones;
using SegNets.Imaging;

namespace SegNets.Data;

/// <summary>
/// The Semantic Boundaries Dataset's VOC segmentations ("VOC aug", 10582 training images together with VOC 2012) in
/// the layout of its benchmark.tgz: <c>benchmark_RELEASE/dataset/img/{id}.jpg</c>, <c>cls/{id}.mat</c> (MATLAB struct
/// <c>GTcls</c>, field <c>Segmentation</c>: uint8 class map) and <c>train.txt</c> / <c>val.txt</c>.
/// the root may be the <c>dataset</c> folder, <c>benchmark_RELEASE</c>, its parent, or GluonCV's
/// <c>VOCaug</c> parent.
/// </summary>
/// <remarks>
/// As gluon-cv@5677756:gluoncv/data/pascal_aug/segmentation.py <c>VOCAugSegmentation</c> (<c>_load_mat</c>:
/// <c>scipy.io.loadmat(...)['GTcls'].Segmentation</c>); GluonCV's setup script (scripts/datasets/pascal_voc.py) moves
/// benchmark_RELEASE to VOCaug and writes trainval.txt = train.txt + val.txt, which its <c>split='train'</c> reads.
/// Here <c>"trainval"</c> reads trainval.txt when present, else train.txt then val.txt. Values as VOC: 0..20, 255.
/// </remarks>
public sealed class SbdSegmentation : FileSegmentationDataset
{
    /// <param name="root">The SBD dataset folder or a parent (see the class remarks).</param>
    /// <param name="split">"train", "val" or "trainval".</param>
    /// <param name="options">Bad-sample handling.</param>
    public SbdSegmentation(string root, string split, DatasetOptions? options = null)
        : base(Datasets.Voc, List(root, split), IdentityTable(21), options)
    {
        Split = split;
    }

    /// <summary>The split's name.</summary>
    public string Split { get; }

    /// <summary>Reads <c>GTcls.Segmentation</c>; MATLAB stores it column-major, the result is row-major.</summary>
    protected override (int[] Values, int Height, int Width) ReadLabelValues(string path)
    {
        var variables = MatFile.Read(path);
        if (!variables.TryGetValue("GTcls", out var gt) || !gt.IsStruct || gt.Fields is null
            || !gt.Fields.TryGetValue("Segmentation", out var segs) || segs.Length == 0)
            throw new InvalidDataException($"{path}: no struct GTcls with a field Segmentation (variables: {string.Join(", ", variables.Keys)})");
        var seg = segs[0];
        if (seg.Data is null || seg.Dims.Length != 2)
            throw new InvalidDataException($"{path}: GTcls.Segmentation is not a numeric matrix (class {seg.Class}, dims [{string.Join(", ", seg.Dims)}])");
        int height = seg.Dims[0], width = seg.Dims[1];
        var values = new int[seg.Data.Length];
        for (int c = 0; c < width; c++)
            for (int r = 0; r < height; r++)
            {
                double v = seg.Data[(long)c * height + r];
                values[r * width + c] = v == Math.Floor(v) && v >= 0 && v <= int.MaxValue ? (int)v : -1;
            }
        return (values, height, width);
    }

    private static IEnumerable<SampleFiles> List(string root, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var dir = FindRoot(root, "SBD", "cls", ".", "dataset", Path.Combine("benchmark_RELEASE", "dataset"), Path.Combine("VOCaug", "dataset"));
        var file = Path.Combine(dir, split + ".txt");
        IEnumerable<(string Id, string File)> ids;
        if (split == "trainval" && !File.Exists(file))
        {
            var train = Path.Combine(dir, "train.txt");
            var val = Path.Combine(dir, "val.txt");
            ids = ReadSplit(train, "SBD", SplitsIn(dir)).Select(id => (id, train))
                .Concat(ReadSplit(val, "SBD", SplitsIn(dir)).Select(id => (id, val)));
        }
        else
        {
            ids = ReadSplit(file, "SBD", SplitsIn(dir)).Select(id => (id, file));
        }
        return ids.Select(x => new SampleFiles(
            x.Id, Path.Combine(dir, "img", x.Id + ".jpg"), Path.Combine(dir, "cls", x.Id + ".mat"), x.File)).ToList();
    }
}
