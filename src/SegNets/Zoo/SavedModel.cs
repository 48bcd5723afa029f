using System.Globalization;
using System.Text.Json;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;

namespace SegNets.Zoo;

/// <summary>
/// SegNets' own weights file: safetensors whose metadata names the zoo entry, the class count and names and the input
/// normalisation, so that a converted or fine-tuned model reloads with nothing but SegNets:
/// <code>SavedModel.Save(net, "deeplab_resnet101_voc", "mine.safetensors"); var again = SavedModel.Load("mine.safetensors");</code>
/// </summary>
public static class SavedModel
{
    const string NumClassesKey = "segnets.num_classes";

    /// <summary>Writes <paramref name="model"/>'s state dict and metadata (atomically).</summary>
    /// <param name="zooName">The zoo entry whose architecture the model is (its builder rebuilds it on load).</param>
    /// <param name="classNames">Names of the model's classes; the entry's when the count is the entry's.</param>
    public static void Save(SegmentationModel model, string zooName, string path, IReadOnlyList<string>? classNames = null)
    {
        var entry = ModelZoo.Info(zooName);
        classNames ??= model.NumClasses == entry.NumClasses ? entry.Labels?.Classes : null;
        if (classNames is not null && classNames.Count != model.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names for a model with {model.NumClasses} classes", nameof(classNames));
        var metadata = new Dictionary<string, string>
        {
            [PretrainedWeights.ZooKey] = zooName,
            [NumClassesKey] = model.NumClasses.ToString(CultureInfo.InvariantCulture),
            [PretrainedWeights.ClassesKey] = JsonSerializer.Serialize(classNames ?? [], DataJson.Default.IReadOnlyListString),
            [PretrainedWeights.NormalizationKey] = JsonSerializer.Serialize(model.Normalization, DataJson.Default.InputNormalization),
        };
        SafeTensors.Save(path, model.state_dict(), metadata);
    }

    /// <summary>Rebuilds the model a <see cref="Save"/> (or the zoo's converted cache) wrote, strictly, in eval mode.</summary>
    public static SegmentationModel Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            if (!metadata.TryGetValue(PretrainedWeights.ZooKey, out var zooName))
                throw new InvalidDataException($"{path}: no '{PretrainedWeights.ZooKey}' metadata: not a SegNets model file (load plain safetensors with CheckpointFile.LoadInto)");
            var entry = ModelZoo.Info(zooName);
            int classes = metadata.TryGetValue(NumClassesKey, out var n) ? int.Parse(n, CultureInfo.InvariantCulture) : entry.NumClasses;
            var model = ModelZoo.Get(zooName, numClasses: classes);
            if (metadata.TryGetValue(PretrainedWeights.NormalizationKey, out var json))
                model.Normalization = JsonSerializer.Deserialize(json, DataJson.Default.InputNormalization)
                    ?? throw new InvalidDataException($"{path}: '{PretrainedWeights.NormalizationKey}' is empty");
            StateDictLoader.Load(model, tensors, strict: true, source: path);
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
