using SegNets.Models;

namespace SegNets.Zoo;

/// <summary>
/// Every model of the tables SegNets reproduces, by the name its table gives it:
/// <code>var net = ModelZoo.Get("deeplab_resnet101_voc");</code>
/// </summary>
public static class ModelZoo
{
    static readonly Lazy<IReadOnlyDictionary<string, ZooEntry>> All = new(() =>
    {
        var entries = new Dictionary<string, ZooEntry>(StringComparer.Ordinal);
        foreach (var entry in GluonCVZoo.Entries().Concat(TorchvisionZoo.Entries()).Concat(ChainerCVZoo.Entries()).Concat(EdgeAIZoo.Entries()))
            if (!entries.TryAdd(entry.Name, entry)) throw new InvalidOperationException($"two zoo entries are named {entry.Name}");
        return entries;
    });

    /// <summary>The names of all entries, in table order.</summary>
    public static IReadOnlyList<string> List() => [.. All.Value.Keys];

    /// <summary>All entries with their metadata.</summary>
    public static IReadOnlyList<ZooEntry> Entries() => [.. All.Value.Values];

    /// <summary>The metadata of one entry; an unknown name throws, naming the closest known names.</summary>
    public static ZooEntry Info(string name) =>
        All.Value.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException(UnknownName(name));

    /// <summary>
    /// Builds the network of <paramref name="name"/> with its input normalisation set, in eval mode.
    /// </summary>
    /// <param name="pretrained">Load the original weights. Downloading and converting them is the checkpoint issue's
    /// work and not available yet: true throws, naming the file to load by hand.</param>
    /// <param name="numClasses">Another class count (for fine-tuning); the entry's by default.</param>
    public static SegmentationModel Get(string name, bool pretrained = false, int? numClasses = null)
    {
        var entry = Info(name);
        if (entry.Builder is null)
            throw new NotSupportedException($"{name}: {entry.Notes}");
        if (pretrained)
            throw new NotSupportedException(
                $"{name}: downloading and converting the original weights is not implemented yet. " +
                (entry.Checkpoint is { } c
                    ? $"Its weights are {c.Url} ({c.Format}); a PyTorch state dict can be loaded with StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(path)). "
                    : "The original publishes no weights for it. ") +
                "Use pretrained: false to build it untrained.");
        var model = entry.Builder(numClasses ?? entry.NumClasses);
        model.Normalization = entry.Normalization;
        model.eval();
        return model;
    }

    static string UnknownName(string name)
    {
        var closest = All.Value.Keys
            .Select(k => (Name: k, Distance: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(5).Select(x => x.Name);
        return $"no model named '{name}' in the zoo; closest: {string.Join(", ", closest)} (ModelZoo.List() has all {All.Value.Count})";
    }

    // Levenshtein distance: enough to suggest deeplab_resnet101_voc for deeplabv3_resnet101_voc.
    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
