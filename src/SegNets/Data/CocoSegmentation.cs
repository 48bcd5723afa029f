using SegNets.Imaging;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// MS COCO as a 21-class semantic segmentation set (<see cref="Datasets.CocoVoc"/>: VOC's 20 categories cut out of
/// COCO's instance annotations), the way GluonCV builds it to pre-train its VOC models:
/// dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52:gluoncv/data/mscoco/segmentation.py
/// <c>COCOSegmentation</c>.
/// </summary>
/// <remarks>
/// <para>Layout (COCO's own): <c>root/annotations/instances_{split}{year}.json</c> and the images in
/// <c>root/{split}{year}/</c>, e.g. <c>coco/annotations/instances_val2017.json</c> + <c>coco/val2017/*.jpg</c>.</para>
/// <para>Masks (<c>_gen_seg_mask</c>): every annotation of the image, in the file's order (pycocotools'
/// <c>getAnnIds</c>; crowd regions included, as GluonCV passes no <c>iscrowd</c> filter), whose category is in
/// <see cref="Datasets.CocoVocCategoryIds"/> paints its class index on the pixels that are still 0 — so where
/// instances overlap the first one wins. Other categories are background. Polygons, uncompressed RLE and compressed RLE
/// are rasterised exactly as pycocotools (<see cref="CocoMask"/>); a polygon list is the union of its parts, and as in
/// pycocotools' <c>frPyObjects</c> a list whose first entry has exactly 4 numbers is a list of boxes (x, y, w, h).
/// GluonCV cannot read compressed RLE (its <c>frPyObjects</c> call fails on a string); it is decoded here as
/// pycocotools' <c>annToRLE</c> does. No pixel is 255: torchvision's variant (ignore where instances overlap) is not
/// this class.</para>
/// <para>Images (<c>_preprocess</c>): GluonCV keeps an image when more than 1000 of its mask pixels are non-zero, in
/// the order of the file's <c>images</c> list; that filter runs here when the dataset is opened (all masks are built
/// once, on all cores; no JPEG is decoded). <c>moreThanPixels: null</c> keeps every image.</para>
/// </remarks>
public sealed class CocoSegmentation : ISegmentationDataset
{
    /// <summary>GluonCV's threshold: an image is used when more than this many pixels are labelled.</summary>
    public const int GluonCvMinPixels = 1000;

    readonly string _imageDir;
    readonly string _annotationFile;
    readonly Entry[] _entries;
    readonly Dictionary<int, int> _classOfCategory;

    sealed record Entry(CocoImageEntry Image, CocoAnnotationEntry[] Annotations);

    /// <param name="root">The COCO folder (holding <c>annotations/</c> and <c>train2017/</c> or <c>val2017/</c>).</param>
    /// <param name="split">"train" or "val".</param>
    /// <param name="year">The release, "2017" (GluonCV's) or e.g. "2014".</param>
    /// <param name="moreThanPixels">Keep an image only when more than this many of its mask pixels are a class
    /// (GluonCV: 1000); null keeps every image of the annotation file.</param>
    /// <exception cref="FileNotFoundException">No annotation file.</exception>
    /// <exception cref="InvalidDataException">The annotation file is not COCO's format, or an annotation's
    /// segmentation is malformed (the message names the file and the annotation id).</exception>
    public CocoSegmentation(string root, string split = "train", string year = "2017", int? moreThanPixels = GluonCvMinPixels)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (split is not ("train" or "val"))
            throw new ArgumentException($"split is \"train\" or \"val\", not \"{split}\"", nameof(split));
        _imageDir = Path.Combine(root, split + year);
        _annotationFile = Path.Combine(root, "annotations", $"instances_{split}{year}.json");
        var file = CocoAnnotationFile.Read(_annotationFile);

        _classOfCategory = [];
        for (var c = 1; c < Datasets.CocoVocCategoryIds.Count; c++) _classOfCategory[Datasets.CocoVocCategoryIds[c]] = c;

        // pycocotools' createIndex: imgToAnns in annotation file order; images in the order of the images list.
        var byImage = new Dictionary<long, List<CocoAnnotationEntry>>();
        foreach (var a in file.Annotations)
        {
            if (!byImage.TryGetValue(a.ImageId, out var list)) byImage[a.ImageId] = list = [];
            list.Add(a);
        }
        var seen = new HashSet<long>();
        var entries = new List<Entry>(file.Images.Count);
        foreach (var image in file.Images)
        {
            if (!seen.Add(image.Id))
                throw new InvalidDataException($"{_annotationFile}: image id {image.Id} is listed twice");
            if (image.Height <= 0 || image.Width <= 0 || string.IsNullOrEmpty(image.FileName))
                throw new InvalidDataException(
                    $"{_annotationFile}: image id {image.Id} needs a file_name and a positive height and width");
            entries.Add(new Entry(image, byImage.TryGetValue(image.Id, out var anns) ? [.. anns] : []));
        }

        if (moreThanPixels is { } threshold)
        {
            var keep = new bool[entries.Count];
            Parallel.For(0, entries.Count, i =>
            {
                var mask = BuildMask(entries[i]);
                var labelled = 0;
                foreach (var v in mask) if (v != 0) labelled++;
                keep[i] = labelled > threshold;
            });
            entries = entries.Where((_, i) => keep[i]).ToList();
        }
        _entries = [.. entries];
    }

    public DatasetInfo Labels => Datasets.CocoVoc;

    public int Count => _entries.Length;

    /// <summary>The image's file name without extension (e.g. "000000000139").</summary>
    public string IdOf(int index) => Path.GetFileNameWithoutExtension(At(index).Image.FileName);

    /// <summary>The COCO image id of sample <paramref name="index"/>.</summary>
    public long ImageIdOf(int index) => At(index).Image.Id;

    public SegmentationSample Get(int index)
    {
        var entry = At(index);
        var path = Path.Combine(_imageDir, entry.Image.FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"COCO image id {entry.Image.Id}: no image file at {path}", path);
        var image = ImageFile.ReadRgb(path);
        if (image.shape[1] != entry.Image.Height || image.shape[2] != entry.Image.Width)
        {
            var shape = $"{image.shape[2]}x{image.shape[1]}";
            image.Dispose();
            throw new InvalidDataException(
                $"{path}: the image is {shape} (WxH), {_annotationFile} says {entry.Image.Width}x{entry.Image.Height}");
        }
        var mask = BuildMask(entry);
        var labels = tensor(mask, dtype: ScalarType.Byte).view(entry.Image.Height, entry.Image.Width);
        var mask64 = labels.to_type(ScalarType.Int64);
        labels.Dispose();
        return new SegmentationSample(IdOf(index), image, mask64);
    }

    /// <summary>The class map of sample <paramref name="index"/> (H × W bytes, row-major) without decoding its image.</summary>
    public byte[] MaskOf(int index) => BuildMask(At(index));

    Entry At(int index) =>
        index >= 0 && index < _entries.Length
            ? _entries[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"the dataset has {_entries.Length} samples");

    // gluon-cv@5677756:gluoncv/data/mscoco/segmentation.py _gen_seg_mask: mask[:, :] += (mask == 0) * (m * c).
    byte[] BuildMask(Entry entry)
    {
        int h = entry.Image.Height, w = entry.Image.Width;
        var mask = new byte[h * w];
        var instance = new byte[h * w];
        foreach (var ann in entry.Annotations)
        {
            // GluonCV decodes every annotation, then skips the categories outside CAT_LIST; skipping first gives the
            // same mask. Category 0 is CAT_LIST's background entry: it paints 0, i.e. nothing.
            if (!_classOfCategory.TryGetValue(ann.CategoryId, out var c)) continue;
            Array.Clear(instance);
            Rasterize(ann, h, w, instance);
            for (var i = 0; i < mask.Length; i++)
                if (instance[i] != 0 && mask[i] == 0) mask[i] = (byte)c;
        }
        return mask;
    }

    void Rasterize(CocoAnnotationEntry ann, int h, int w, byte[] instance)
    {
        var shape = ann.Segmentation ?? throw Bad(ann, "has no segmentation");
        if (shape.Error is not null) throw Bad(ann, shape.Error);
        try
        {
            if (shape.Polygons is { } polygons)
            {
                // pycocotools _mask.pyx frPyObjects: the first entry's length picks boxes (== 4) or polygons (> 4).
                if (polygons.Length == 0) throw Bad(ann, "has an empty polygon list");
                if (polygons[0].Length == 4)
                {
                    foreach (var box in polygons)
                    {
                        if (box.Length != 4)
                            throw Bad(ann, $"mixes a box (4 numbers, first entry) with a {box.Length}-number entry");
                        CocoMask.DecodeInto(CocoMask.FromBox(box[0], box[1], box[2], box[3], h, w), h, w, instance);
                    }
                }
                else if (polygons[0].Length > 4)
                {
                    foreach (var polygon in polygons)
                        CocoMask.DecodeInto(CocoMask.FromPolygon(polygon, h, w), h, w, instance);
                }
                else
                {
                    throw Bad(ann, $"has a first polygon of {polygons[0].Length} numbers; a polygon needs at least 3 points");
                }
                return;
            }
            if (shape.Height != h || shape.Width != w)
                throw Bad(ann, $"has an RLE of size [{shape.Height}, {shape.Width}] on a {h}x{w} (HxW) image");
            var counts = shape.Counts ?? CocoMask.FromString(shape.CompressedCounts!);
            CocoMask.DecodeInto(counts, h, w, instance);
        }
        catch (FormatException e)
        {
            throw Bad(ann, e.Message, e);
        }
    }

    InvalidDataException Bad(CocoAnnotationEntry ann, string what, Exception? inner = null) =>
        new($"{_annotationFile}: annotation id {ann.Id} (image id {ann.ImageId}): segmentation {what}", inner);
}
