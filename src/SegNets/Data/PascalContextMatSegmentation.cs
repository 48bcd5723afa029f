using System.Globalization;

namespace SegNets.Data;

/// <summary>
/// Pascal Context read from the official release's raw annotations instead of converted PNGs:
/// <c>VOC2010/JPEGImages/{id}.jpg</c>, <c>VOC2010/trainval/{id}.mat</c> (from trainval.tar.gz: a uint16 matrix
/// <c>LabelMap</c> holding one of the 459 full-set labels per pixel), the full set's <c>labels.txt</c>
/// ("<c>N: name</c>" per line, N the LabelMap value) and <c>59_labels.txt</c> (the names of the 59 frequent classes),
/// with the ids of a split in <c>VOC2010/ImageSets/SegmentationContext/{split}.txt</c> as
/// <see cref="PascalContextSegmentation"/> reads them. The labels are the same as that class gives for the converted
/// PNGs.
/// </summary>
/// <remarks>
/// <para>The 459 → 59 mapping is taken from the two name files, not from a built-in table: a LabelMap value N whose
/// name in labels.txt is one of the names in 59_labels.txt becomes that class; every other value (the other 400
/// labels, and 0) becomes background. The classes are numbered in <see cref="Datasets.PascalContext"/>'s order, which is
/// the order of the converted PNGs, whatever order 59_labels.txt lists them in: mmsegmentation's converter
/// (open-mmlab/mmsegmentation@2b6a1aa:tools/dataset_converters/pascal_context.py) and PyTorch-Encoding
/// (zhanghang1989/PyTorch-Encoding@ac74841:encoding/datasets/pcontext.py) number the 59 Detail category ids in
/// increasing order, and those ids are the labels.txt numbers of the same names (aeroplane 2, bag 9, ..., wood 458),
/// which labels.txt lists alphabetically. 59_labels.txt must name exactly the 59 classes of
/// <see cref="Datasets.PascalContext"/>, else the constructor fails naming the file and the names.</para>
/// <para>Those two originals read masks made by the Detail API from trainval_merged.json, not these .mat files; that
/// both give the same pixels was not checked here (neither file is available to this project's tests). A split file
/// is needed (the raw release has none): mmsegmentation's converter writes the Detail API's train.txt and val.txt, or
/// write your own, one id per line. Values in LabelMap above the largest number in labels.txt are errors naming the
/// file.</para>
/// </remarks>
public sealed class PascalContextMatSegmentation : FileSegmentationDataset
{
    private const string Dataset = "Pascal Context (VOC2010 with the raw trainval/*.mat)";
    private readonly int[] _labelToStored;

    /// <param name="root">VOC2010, VOCdevkit or their parent.</param>
    /// <param name="split">"train" or "val" (any ImageSets/SegmentationContext/*.txt).</param>
    /// <param name="options">Bad-sample handling.</param>
    /// <param name="classes">59 classes with background ignored (default) or 60 with background as class 0.</param>
    /// <param name="labelsFile">The full set's labels.txt; null looks for VOC2010/labels.txt, then
    /// VOC2010/trainval/labels.txt.</param>
    /// <param name="classesFile">59_labels.txt; null looks for it where <paramref name="labelsFile"/> is looked for.</param>
    public PascalContextMatSegmentation(string root, string split, DatasetOptions? options = null,
        PascalContextClasses classes = PascalContextClasses.Classes59, string? labelsFile = null, string? classesFile = null)
        : this(Layout.Open(root, split, labelsFile, classesFile), options, classes)
    {
    }

    private PascalContextMatSegmentation(Layout layout, DatasetOptions? options, PascalContextClasses classes)
        : base(PascalContextSegmentation.LabelsOf(classes), layout.Samples, PascalContextSegmentation.TableOf(classes), options)
    {
        _labelToStored = layout.LabelToStored;
        Split = layout.Split;
        Classes = classes;
        LabelsFile = layout.LabelsFile;
        ClassesFile = layout.ClassesFile;
    }

    /// <summary>The split file's name.</summary>
    public string Split { get; }

    /// <summary>The label convention.</summary>
    public PascalContextClasses Classes { get; }

    /// <summary>The labels.txt that was read.</summary>
    public string LabelsFile { get; }

    /// <summary>The 59_labels.txt that was read.</summary>
    public string ClassesFile { get; }

    /// <summary>Reads <c>LabelMap</c> and maps each full-set label to 0 (background) or 1..59, the values of the
    /// converted PNGs; the base class then applies the convention.</summary>
    protected override (int[] Values, int Height, int Width) ReadLabelValues(string path)
    {
        var variables = MatFile.Read(path);
        if (!variables.TryGetValue("LabelMap", out var map))
            throw new InvalidDataException($"{path}: no variable LabelMap (variables: {string.Join(", ", variables.Keys)})");
        int[] values;
        int height, width;
        try
        {
            (values, height, width) = MatFile.RowMajorIntegers(map);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        for (int p = 0; p < values.Length; p++)
        {
            int v = values[p];
            if ((uint)v >= (uint)_labelToStored.Length)
                throw new InvalidDataException(
                    $"{path}: LabelMap value {(v < 0 ? "that is not a non-negative integer" : v.ToString(CultureInfo.InvariantCulture))} "
                    + $"at row {p / width}, column {p % width} is not a label of {LabelsFile} (0..{_labelToStored.Length - 1})");
            values[p] = _labelToStored[v];
        }
        return (values, height, width);
    }

    private sealed record Layout(string Split, List<SampleFiles> Samples, int[] LabelToStored, string LabelsFile, string ClassesFile)
    {
        public static Layout Open(string root, string split, string? labelsFile, string? classesFile)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(split);
            var dir = PascalContextSegmentation.FindVoc2010(root, "trainval", Dataset);
            labelsFile = labelsFile is null ? Find(dir, "labels.txt") : Path.GetFullPath(labelsFile);
            classesFile = classesFile is null ? Find(dir, "59_labels.txt") : Path.GetFullPath(classesFile);
            var table = Mapping(labelsFile, classesFile);
            var (ids, file) = PascalContextSegmentation.ReadContextSplit(dir, split, Dataset);
            var samples = ids.Select(id => new SampleFiles(
                id, Path.Combine(dir, "JPEGImages", id + ".jpg"), Path.Combine(dir, "trainval", id + ".mat"), file)).ToList();
            return new Layout(split, samples, table, labelsFile, classesFile);
        }

        private static string Find(string voc2010, string name)
        {
            string[] candidates = [Path.Combine(voc2010, name), Path.Combine(voc2010, "trainval", name)];
            return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
                $"{string.Join(" or ", candidates)}: no {name} (it comes with Pascal Context's annotations; pass its path)", candidates[0]);
        }

        // labels.txt number -> 0 (background) or 1 + the class's index in Datasets.PascalContext.
        private static int[] Mapping(string labelsFile, string classesFile)
        {
            var labels = ReadNumbered(labelsFile, requireNumbers: true);
            var classes = Datasets.PascalContext.Classes;
            var index = classes.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
            var wanted = ReadNumbered(classesFile, requireNumbers: false).Select(x => x.Name).ToList();
            var unknown = wanted.Where(n => !index.ContainsKey(n)).ToList();
            var missing = classes.Where(n => !wanted.Contains(n)).ToList();
            var repeated = wanted.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (unknown.Count > 0 || missing.Count > 0 || repeated.Count > 0)
                throw new InvalidDataException(
                    $"{classesFile}: expected the 59 class names of {Datasets.PascalContext.Name} once each"
                    + (unknown.Count > 0 ? $"; not among them: {string.Join(", ", unknown)}" : "")
                    + (missing.Count > 0 ? $"; missing: {string.Join(", ", missing)}" : "")
                    + (repeated.Count > 0 ? $"; repeated: {string.Join(", ", repeated)}" : ""));

            var table = new int[labels.Max(x => x.Number) + 1];
            foreach (var name in wanted)
            {
                var numbers = labels.Where(x => x.Name == name).Select(x => x.Number).ToList();
                if (numbers.Count != 1)
                    throw new InvalidDataException(numbers.Count == 0
                        ? $"{labelsFile}: no label named '{name}' (a class of {classesFile})"
                        : $"{labelsFile}: '{name}' is label {string.Join(" and ", numbers)}; expected once");
                table[numbers[0]] = 1 + index[name];
            }
            return table;
        }

        // Lines "N: name" (or just "name" where numbers are not required); blank lines are skipped.
        private static List<(int Number, string Name)> ReadNumbered(string path, bool requireNumbers)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
            var entries = new List<(int Number, string Name)>();
            var seen = new HashSet<int>();
            var lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0) continue;
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && int.TryParse(line[..colon].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    && line[(colon + 1)..].Trim().Length > 0)
                {
                    if (number < 1 || !seen.Add(number))
                        throw new InvalidDataException($"{path}, line {i + 1}: label number {number} is {(number < 1 ? "below 1" : "repeated")}");
                    entries.Add((number, line[(colon + 1)..].Trim()));
                }
                else if (!requireNumbers)
                {
                    entries.Add((0, line));
                }
                else
                {
                    throw new InvalidDataException($"{path}, line {i + 1}: '{line}' is not 'NUMBER: NAME'");
                }
            }
            if (entries.Count == 0) throw new InvalidDataException($"{path}: no labels");
            return entries;
        }
    }
}
