using System.Diagnostics.CodeAnalysis;
using SegNets.Zoo;

namespace SegNets.Training;

/// <summary>
/// The training recipe of every trainable <see cref="ModelZoo"/> entry, read from the original toolkits' scripts,
/// published commands and training logs (each number cites repository@commit:path):
/// <code>var recipe = TrainingRecipes.Get("deeplab_resnet101_voc"); // COCO model -> VOC aug -> VOC trainval</code>
/// The Mask R-CNN entries are not trainable in SegNets yet and have no recipe.
/// </summary>
public static partial class TrainingRecipes
{
    static readonly Lazy<IReadOnlyList<TrainingRecipe>> Table = new(() =>
    {
        TrainingRecipe[] all = [.. GluonCV(), .. Torchvision(), .. ChainerCV(), .. EdgeAI(), .. HfSegFormer(), .. TfDeepLabXceptionRecipes(),
            .. TfDeepLabMobileNetRecipes(), .. EncodingRecipes()];
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

    /// <summary>All recipes, in zoo order (GluonCV, torchvision, ChainerCV, TI edgeai, TF DeepLab).</summary>
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
        var closest = ByName.Value.Keys
            .Select(k => (Name: k, Distance: Levenshtein(zooName.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(5).Select(x => x.Name);
        throw new KeyNotFoundException(
            $"no training recipe for '{zooName}'; closest: {string.Join(", ", closest)} (TrainingRecipes.All has all {ByName.Value.Count})");
    }

    /// <summary>The recipe of a zoo entry, if it has one.</summary>
    public static bool TryGet(string zooName, [NotNullWhen(true)] out TrainingRecipe? recipe)
    {
        ArgumentNullException.ThrowIfNull(zooName);
        return ByName.Value.TryGetValue(zooName, out recipe);
    }

    // Edit distance over characters, for the "closest names" of an unknown name.
    static int Levenshtein(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    // Field names, for citing several fields at once.
    const string Split = nameof(TrainingStage.TrainSplit), Opt = nameof(TrainingStage.Optimizer), Lr = nameof(TrainingStage.LearningRate),
        Mom = nameof(TrainingStage.Momentum), Beta2 = nameof(TrainingStage.AdamBeta2), Wd = nameof(TrainingStage.WeightDecay),
        Ep = nameof(TrainingStage.Epochs), It = nameof(TrainingStage.Iterations), Batch = nameof(TrainingStage.BatchSize),
        Gpus = nameof(TrainingStage.Gpus), Sched = nameof(TrainingStage.LrSchedule), Power = nameof(TrainingStage.PolyPower),
        Milestones = nameof(TrainingStage.StepMilestones), Gamma = nameof(TrainingStage.StepGamma), Warmup = nameof(TrainingStage.WarmupEpochs),
        HeadMult = nameof(TrainingStage.HeadLrMultiplier), AuxW = nameof(TrainingStage.AuxWeight), AuxMult = nameof(TrainingStage.AuxLrMultiplier),
        Base = nameof(TrainingStage.BaseSize), ResizeH = nameof(TrainingStage.ResizeHeight), ResizeW = nameof(TrainingStage.ResizeWidth),
        CropH = nameof(TrainingStage.CropHeight), CropW = nameof(TrainingStage.CropWidth), ScaleLo = nameof(TrainingStage.ScaleMin),
        ScaleHi = nameof(TrainingStage.ScaleMax), ScaleStep = nameof(TrainingStage.ScaleStep), Flip = nameof(TrainingStage.FlipProbability),
        Rotation = nameof(TrainingStage.RotationDegrees), Blur = nameof(TrainingStage.GaussianBlurProbability),
        Weights = nameof(TrainingStage.ClassWeights), Init = nameof(TrainingStage.InitFrom);

    const RecipeEvidence Log = RecipeEvidence.TrainingLog, Cmd = RecipeEvidence.Command, Default = RecipeEvidence.ScriptDefault,
        Doc = RecipeEvidence.Documentation, Assumed = RecipeEvidence.Assumed;
}
