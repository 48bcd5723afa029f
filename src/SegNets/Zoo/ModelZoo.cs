using SegNets.Checkpoints;
using SegNets.IO;
using SegNets.Models;
using SegNets.Sources.ChainerCV;
using SegNets.Sources.EdgeAI;
using SegNets.Sources.Encoding;
using SegNets.Sources.GluonCV;
using SegNets.Sources.SegFormer;
using SegNets.Sources.TfDeepLab;
using SegNets.Sources.Torchvision;
using SegNets.Sources;

namespace SegNets.Zoo;

/// <summary>
/// Every model of the tables SegNets reproduces, by the name its table gives it:
/// <code>var net = ModelZoo.Get("deeplab_resnet101_voc");</code>
/// </summary>
public static class ModelZoo
{
    static readonly Lock Registering = new();

    /// <summary>Every source family SegNets reproduces, in the order the zoo lists them: the one list that the zoo and
    /// <see cref="TrainingRecipes"/> are built from. A new family is one more <see cref="ModelSource"/> here.</summary>
    public static IReadOnlyList<ModelSource> Sources { get; } =
    [
        GluonCVSource.Instance, TorchvisionSource.Instance, ChainerCVSource.Instance, EdgeAISource.Instance,
        TfDeepLabSource.Instance, EncodingSource.Instance, SegFormerSource.Instance,
    ];

    static readonly Lazy<Dictionary<string, ZooEntry>> All = new(() =>
    {
        var entries = new Dictionary<string, ZooEntry>(StringComparer.Ordinal);
        foreach (var entry in Sources.SelectMany(s => s.Entries))
            if (!entries.TryAdd(entry.Name, entry)) throw new InvalidOperationException($"two zoo entries are named {entry.Name}");
        return entries;
    });

    /// <summary>The names of all entries, in table order.</summary>
    public static IReadOnlyList<string> List()
    {
        lock (Registering) return [.. All.Value.Keys];
    }

    /// <summary>All entries with their metadata.</summary>
    public static IReadOnlyList<ZooEntry> Entries()
    {
        lock (Registering) return [.. All.Value.Values];
    }

    /// <summary>The metadata of one entry; an unknown name throws, naming the closest known names.</summary>
    public static ZooEntry Info(string name)
    {
        lock (Registering)
            return All.Value.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException(UnknownName(name));
    }

    /// <summary>Adds an entry (your own fine-tuned model, a mirror of an original), as timm's register_model does.
    /// A name that exists already is an error.</summary>
    public static void Register(ZooEntry entry)
    {
        lock (Registering)
            if (!All.Value.TryAdd(entry.Name, entry)) throw new ArgumentException($"the zoo already has an entry named {entry.Name}", nameof(entry));
    }

    /// <summary>
    /// Builds the network of <paramref name="name"/> with its input normalisation set, in eval mode.
    /// </summary>
    /// <param name="pretrained">Load the original weights: downloaded once into the cache, converted once to
    /// safetensors (see <see cref="PretrainedWeights"/>).</param>
    /// <param name="numClasses">Another class count (for fine-tuning): with pretrained weights, the classifiers of the
    /// other size stay freshly initialised (<see cref="GetPretrained"/> reports which).</param>
    /// <param name="cache">Where weights are cached; <c>new WeightsCache()</c> ($SEGNETS_HOME) by default.</param>
    public static SegmentationModel Get(string name, bool pretrained = false, int? numClasses = null, WeightsCache? cache = null) =>
        pretrained ? GetPretrained(name, numClasses, cache).Model : Build(Info(name), numClasses);

    /// <summary>Builds <paramref name="name"/> with its original weights and says what was loaded.</summary>
    public static (SegmentationModel Model, LoadReport Report) GetPretrained(string name, int? numClasses = null, WeightsCache? cache = null)
    {
        var entry = Info(name);
        var model = Build(entry, numClasses);
        try
        {
            var report = PretrainedWeights.Load(entry, model, cache ?? new WeightsCache());
            return (model, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static SegmentationModel Build(ZooEntry entry, int? numClasses)
    {
        if (entry.Builder is null)
            throw new NotSupportedException($"{entry.Name}: {entry.Notes}");
        var model = entry.Builder(numClasses ?? entry.NumClasses);
        model.Normalization = entry.Normalization;
        model.eval();
        return model;
    }

    static string UnknownName(string name) => ClosestNames.Message("model in the zoo named", name, All.Value.Keys, "ModelZoo.List()");
}
