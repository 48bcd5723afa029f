using System.Diagnostics.CodeAnalysis;
using SegNets.IO;
using SegNets.Sources;

namespace SegNets.Zoo;

/// <summary>
/// The training recipe of every trainable <see cref="ModelZoo"/> entry, read from the original toolkits' scripts,
/// published commands and training logs (each number cites repository@commit:path). Each recipe belongs to its
/// family's <see cref="ModelSource"/> and is also its row's <see cref="ZooEntry.Recipe"/>:
/// <code>var recipe = TrainingRecipes.Get("deeplab_resnet101_voc"); // COCO model -> VOC aug -> VOC trainval</code>
/// The Mask R-CNN entries are not trainable in SegNets yet and have no recipe.
/// </summary>
public static class TrainingRecipes
{
    static readonly Lazy<IReadOnlyList<TrainingRecipe>> Table = new(() =>
    {
        TrainingRecipe[] all = [.. ModelZoo.Sources.SelectMany(s => s.Recipes)];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var recipe in all)
        {
            if (!names.Add(recipe.ZooName)) throw new InvalidOperationException($"two training recipes for {recipe.ZooName}");
            foreach (var stage in recipe.Stages)
                if (stage.Problems() is { Count: > 0 } problems)
                    throw new InvalidOperationException($"recipe {recipe.ZooName}, stage {stage.Name}: {string.Join("; ", problems)}");
        }
        return Array.AsReadOnly(all);
    });

    static readonly Lazy<Dictionary<string, TrainingRecipe>> ByName =
        new(() => Table.Value.ToDictionary(r => r.ZooName, StringComparer.Ordinal));

    /// <summary>All recipes, in zoo order (the sources of <see cref="ModelZoo.Sources"/>, each in table order).</summary>
    public static IReadOnlyList<TrainingRecipe> All => Table.Value;

    /// <summary>The recipe of a zoo entry.</summary>
    /// <exception cref="KeyNotFoundException">No recipe by that name; the message names the closest ones, or says why a
    /// zoo entry has none.</exception>
    public static TrainingRecipe Get(string zooName)
    {
        ArgumentNullException.ThrowIfNull(zooName);
        if (ByName.Value.TryGetValue(zooName, out var recipe)) return recipe;
        if (ModelZoo.List().Contains(zooName, StringComparer.Ordinal) && !ModelZoo.Info(zooName).CanBuild)
            throw new KeyNotFoundException($"{zooName} has no training recipe: SegNets cannot build or train it yet ({ModelZoo.Info(zooName).Architecture}).");
        throw new KeyNotFoundException(ClosestNames.Message("training recipe for", zooName, ByName.Value.Keys, "TrainingRecipes.All"));
    }

    /// <summary>The recipe of a zoo entry, if it has one.</summary>
    public static bool TryGet(string zooName, [NotNullWhen(true)] out TrainingRecipe? recipe)
    {
        ArgumentNullException.ThrowIfNull(zooName);
        return ByName.Value.TryGetValue(zooName, out recipe);
    }
}
