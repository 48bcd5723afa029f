using SegNets.Checkpoints.Converters;

namespace SegNets.Sources;

/// <summary>
/// One source family (GluonCV, torchvision, ChainerCV, TI edgeai, TF DeepLab, PyTorch-Encoding, SegFormer): everything
/// SegNets reproduces of it in one place, as timm keeps a family's builders, pretrained configs and checkpoint filters
/// together. Its folder Sources/&lt;Family&gt;/ holds the family's own modules, its zoo rows, its recipes and its rename
/// tables; this object joins them: each row refers back to its source and to its recipe.
/// </summary>
/// <remarks>
/// A family overrides <see cref="BuildEntries"/>, <see cref="BuildRecipes"/> and <see cref="BuildConverters"/>; the
/// zoo (SegNets.Zoo.ModelZoo) and its recipes (SegNets.Zoo.TrainingRecipes) are built from the one list of sources.
/// </remarks>
public abstract class ModelSource
{
    readonly Lazy<(IReadOnlyList<ZooEntry> Entries, IReadOnlyList<TrainingRecipe> Recipes)> table;
    readonly Lazy<IReadOnlyList<CheckpointConverter>> converters;

    protected ModelSource(string id, string displayName, string citation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        DisplayName = displayName;
        Citation = citation;
        table = new(Assemble);
        converters = new(() => [.. BuildConverters()]);
    }

    /// <summary>Short lower-case key ("gluoncv", "edgeai", ...): the spelling of the family in file names and CLI flags.</summary>
    public string Id { get; }

    /// <summary>The family as its authors write it ("GluonCV", "TI edgeai", "PyTorch-Encoding").</summary>
    public string DisplayName { get; }

    /// <summary>The code SegNets reproduces (repository@commit) and the paper or table it comes from.</summary>
    public string Citation { get; }

    /// <summary>The family's zoo rows, each with <see cref="ZooEntry.Source"/> = this and its recipe attached.</summary>
    public IReadOnlyList<ZooEntry> Entries => table.Value.Entries;

    /// <summary>The training recipes of the family's rows, each with <see cref="TrainingRecipe.Source"/> = this.</summary>
    public IReadOnlyList<TrainingRecipe> Recipes => table.Value.Recipes;

    /// <summary>The rename tables that put the family's published checkpoints onto SegNets' keys.</summary>
    public IReadOnlyList<CheckpointConverter> Converters => converters.Value;

    /// <summary>The rows of the family's published tables, in table order.</summary>
    protected abstract IEnumerable<ZooEntry> BuildEntries();

    /// <summary>How the rows' released weights were trained; every recipe names one of the family's rows.</summary>
    protected abstract IEnumerable<TrainingRecipe> BuildRecipes();

    /// <summary>The family's conversion tables (none where its files need no conversion).</summary>
    protected abstract IEnumerable<CheckpointConverter> BuildConverters();

    public override string ToString() => DisplayName;

    (IReadOnlyList<ZooEntry>, IReadOnlyList<TrainingRecipe>) Assemble()
    {
        var recipes = new Dictionary<string, TrainingRecipe>(StringComparer.Ordinal);
        foreach (var recipe in BuildRecipes())
            if (!recipes.TryAdd(recipe.ZooName, recipe with { Source = this }))
                throw new InvalidOperationException($"{DisplayName}: two training recipes for {recipe.ZooName}");
        var entries = new List<ZooEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in BuildEntries())
        {
            if (!names.Add(entry.Name)) throw new InvalidOperationException($"{DisplayName}: two zoo entries are named {entry.Name}");
            entries.Add(entry with { Source = this, Recipe = recipes.GetValueOrDefault(entry.Name) });
        }
        foreach (var name in recipes.Keys)
            if (!names.Contains(name))
                throw new InvalidOperationException($"{DisplayName}: the recipe {name} trains no row of this source");
        return (entries.AsReadOnly(), [.. entries.Select(e => e.Recipe).OfType<TrainingRecipe>()]);
    }
}
