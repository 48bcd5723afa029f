using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using SegNets.Imaging;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// The common part of the datasets that read image + label files: the sample list (checked to exist at
/// construction), decoding, the stored-value → class table, the checks on every sample (image and label the same size,
/// every value a class or ignored) and <see cref="DatasetOptions.SkipBad"/>. <see cref="Get"/> is thread-safe: the
/// only shared mutable state is the concurrent record of skipped samples.
/// </summary>
public abstract class FileSegmentationDataset : ISegmentationDataset
{
    private readonly SampleFiles[] _samples;
    private readonly int[] _table;
    private readonly string _accepted;
    private readonly ConcurrentDictionary<string, SkippedSample> _skipped = new(StringComparer.Ordinal);

    /// <param name="labels">The label set.</param>
    /// <param name="samples">Every listed sample; those whose files are missing fail here (or are skipped).</param>
    /// <param name="labelTable">Stored label value → class index (0..classes-1) or <see cref="SegmentationSample.IgnoreIndex"/>;
    /// -1, or a value past the end, marks a stored value the dataset never holds (an error when met).</param>
    /// <param name="options">Bad-sample handling; null is <see cref="DatasetOptions.Default"/>.</param>
    protected FileSegmentationDataset(DatasetInfo labels, IEnumerable<SampleFiles> samples, int[] labelTable, DatasetOptions? options)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labelTable);
        Labels = labels;
        Options = options ?? DatasetOptions.Default;
        for (int v = 0; v < labelTable.Length; v++)
        {
            int c = labelTable[v];
            if (c != -1 && c != SegmentationSample.IgnoreIndex && (c < 0 || c >= labels.NumClasses))
                throw new ArgumentException($"label table maps {v} to {c}, not a class of {labels.Name} nor ignore", nameof(labelTable));
        }
        _table = (int[])labelTable.Clone();
        _accepted = DescribeAccepted(_table);

        var kept = new List<SampleFiles>();
        foreach (var sample in samples)
        {
            var missing = !File.Exists(sample.ImagePath) ? sample.ImagePath : !File.Exists(sample.LabelPath) ? sample.LabelPath : null;
            if (missing is null)
            {
                kept.Add(sample);
                continue;
            }
            var message = $"{missing}: listed in {sample.ListedIn} (sample '{sample.Id}') but the file does not exist";
            if (!Options.SkipBad) throw new FileNotFoundException(message, missing);
            _skipped[sample.Id] = new SkippedSample(sample.Id, message);
        }
        _samples = [.. kept];
    }

    /// <inheritdoc />
    public DatasetInfo Labels { get; }

    /// <summary>The options the dataset was built with.</summary>
    public DatasetOptions Options { get; }

    /// <inheritdoc />
    public int Count => _samples.Length;

    /// <inheritdoc />
    public string IdOf(int index) => FilesOf(index).Id;

    /// <summary>The image and label files of sample <paramref name="index"/>.</summary>
    public SampleFiles FilesOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _samples.Length);
        return _samples[index];
    }

    /// <summary>Samples skipped so far (with <see cref="DatasetOptions.SkipBad"/>), ordered by id; each once.</summary>
    public IReadOnlyList<SkippedSample> Skipped =>
        [.. _skipped.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">A corrupt image or label, different sizes, or a label value that is not
    /// a class (without <see cref="DatasetOptions.SkipBad"/>); the message names the file.</exception>
    public SegmentationSample Get(int index)
    {
        FilesOf(index);
        if (!Options.SkipBad) return Load(_samples[index]);
        var reasons = new List<string>();
        for (int k = 0; k < _samples.Length; k++)
        {
            var files = _samples[(index + k) % _samples.Length];
            try
            {
                return Load(files);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                _skipped.TryAdd(files.Id, new SkippedSample(files.Id, e.Message));
                if (reasons.Count < 3) reasons.Add(e.Message);
            }
        }
        throw new InvalidDataException($"every sample of this {Labels.Name} dataset is bad, e.g. {string.Join("; ", reasons)}");
    }

    /// <summary>Reads the stored label values of <paramref name="path"/>, row-major, with the map's size. PNG
    /// (palette index or grey value) by default.</summary>
    protected virtual (int[] Values, int Height, int Width) ReadLabelValues(string path) => LabelImage.ReadValues(path);

    private SegmentationSample Load(SampleFiles files)
    {
        var image = ImageFile.ReadRgb(files.ImagePath);
        try
        {
            var (values, height, width) = ReadLabelValues(files.LabelPath);
            long imageHeight = image.shape[1], imageWidth = image.shape[2];
            if (imageHeight != height || imageWidth != width)
                throw new InvalidDataException(
                    $"{files.LabelPath}: label map is {width}x{height} (WxH) but its image {files.ImagePath} is {imageWidth}x{imageHeight}");
            // Written straight into the tensor's native memory: a managed long[] would be a large-object-heap
            // allocation per sample from 103x103 pixels on, and on loader threads those trigger full GCs while the
            // training thread is inside libtorch (docs/benchmarks.md, "Memory soaks").
            var mask = empty([height, width], ScalarType.Int64);
            try
            {
                var classes = MemoryMarshal.Cast<byte, long>(mask.bytes);
                for (int p = 0; p < values.Length; p++)
                {
                    int v = values[p];
                    int c = (uint)v < (uint)_table.Length ? _table[v] : -1;
                    if (c < 0)
                        throw new InvalidDataException(
                            $"{files.LabelPath}: label value {v} at row {p / width}, column {p % width} is out of range for "
                            + $"{Labels.Name} ({Labels.NumClasses} classes; stored values accepted: {_accepted})");
                    classes[p] = c;
                }
            }
            catch
            {
                mask.Dispose();
                throw;
            }
            return new SegmentationSample(files.Id, image, mask);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private static string DescribeAccepted(int[] table)
    {
        var text = new StringBuilder();
        for (int v = 0; v < table.Length; v++)
        {
            if (table[v] < 0) continue;
            int end = v;
            while (end + 1 < table.Length && table[end + 1] >= 0) end++;
            if (text.Length > 0) text.Append(", ");
            text.Append(end == v ? $"{v}" : $"{v}..{end}");
            v = end;
        }
        return text.ToString();
    }

    // --- helpers for the layouts ------------------------------------------------------------------------------

    /// <summary>The first of <paramref name="candidates"/> (relative to <paramref name="root"/>) that contains
    /// <paramref name="marker"/>, so that a dataset accepts its folder or a parent of it.</summary>
    internal static string FindRoot(string root, string dataset, string marker, params string[] candidates)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        foreach (var candidate in candidates)
        {
            var dir = Path.GetFullPath(Path.Combine(root, candidate));
            if (Directory.Exists(Path.Combine(dir, marker)) || File.Exists(Path.Combine(dir, marker))) return dir;
        }
        throw new DirectoryNotFoundException(
            $"{root}: not a {dataset} folder: none of {string.Join(", ", candidates.Select(c => Path.Combine(c, marker)))} exists under it");
    }

    /// <summary>The non-empty lines of a split file, trimmed.</summary>
    internal static IReadOnlyList<string> ReadSplit(string splitFile, string dataset, IEnumerable<string> known)
    {
        if (!File.Exists(splitFile))
            throw new FileNotFoundException(
                $"{splitFile}: no such split file for {dataset} (splits here: {string.Join(", ", known)})", splitFile);
        return [.. File.ReadAllLines(splitFile).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    /// <summary>The names (without .txt) of the split files in <paramref name="dir"/>.</summary>
    internal static IEnumerable<string> SplitsIn(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.txt").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    /// <summary>A table that keeps 0..classes-1, keeps 255 as ignore and rejects every other value.</summary>
    internal static int[] IdentityTable(int classes, int size = 256)
    {
        var table = new int[Math.Max(size, 256)];
        Array.Fill(table, -1);
        for (int c = 0; c < classes; c++) table[c] = c;
        table[255] = (int)SegmentationSample.IgnoreIndex;
        return table;
    }
}
