using System.Text.Json;
using SegNets.Checkpoints.Converters;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Layers;
using SegNets.Sources;
using static TorchSharp.torch;

namespace SegNets.Zoo;

/// <summary>
/// Puts a zoo entry's original weights into a model: the converted copy in the cache (converted/NAME.safetensors) when
/// there is one; otherwise the original checkpoint is fetched (<see cref="WeightsCache"/>), read in its format, mapped
/// with its family's conversion table, saved as SegNets safetensors with the entry's metadata, and loaded.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>Metadata keys of SegNets' converted files.</summary>
    public const string ZooKey = "segnets.zoo", SourceKey = "segnets.source", ClassesKey = "segnets.classes", NormalizationKey = "segnets.normalization";

    /// <summary>
    /// Loads the weights of <paramref name="entry"/> into <paramref name="model"/>: strictly when the model has the
    /// entry's class count; otherwise what fits, leaving the differently-sized classifiers to be trained (the report
    /// names them).
    /// </summary>
    public static LoadReport Load(ZooEntry entry, Models.SegmentationModel model, WeightsCache cache)
    {
        var checkpoint = entry.Checkpoint ?? throw new NotSupportedException($"{entry.Name}: the original publishes no weights ({entry.Notes})");
        var converted = ConvertedPath(cache, entry);
        Dictionary<string, Tensor> state;
        if (File.Exists(converted))
        {
            (state, _) = SafeTensors.Load(converted);
        }
        else
        {
            var file = cache.Fetch(checkpoint);
            state = Convert(checkpoint, file);
            Directory.CreateDirectory(cache.ConvertedFolder);
            SafeTensors.Save(converted, state, Metadata(entry));
        }
        try
        {
            bool strict = model.NumClasses == entry.NumClasses;
            return StateDictLoader.Load(model, state, strict, source: $"{entry.Name} ({checkpoint.Url})");
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>Where the converted copy of <paramref name="entry"/>'s weights is kept: converted/NAME.safetensors, with
    /// the '/' of hub-style names (nvidia/segformer-b0-finetuned-ade-512-512) written as "--".</summary>
    public static string ConvertedPath(WeightsCache cache, ZooEntry entry) =>
        Path.Combine(cache.ConvertedFolder, entry.Name.Replace("/", "--", StringComparison.Ordinal).Replace("\\", "--", StringComparison.Ordinal) + ".safetensors");

    /// <summary>Reads an original checkpoint (format recognised by <see cref="CheckpointFile"/>) and maps it onto
    /// SegNets' keys with the entry's conversion table.</summary>
    public static Dictionary<string, Tensor> Convert(CheckpointSource checkpoint, string file)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var tensors = CheckpointFile.Read(file);
        return checkpoint.Converter == CheckpointConverter.Identity ? tensors : checkpoint.Converter.Convert(tensors, file);
    }

    static Dictionary<string, string> Metadata(ZooEntry entry) => new()
    {
        [ZooKey] = entry.Name,
        [SourceKey] = entry.Checkpoint!.Url,
        [ClassesKey] = JsonSerializer.Serialize(entry.Labels?.Classes ?? [], DataJson.Default.IReadOnlyListString),
        [NormalizationKey] = JsonSerializer.Serialize(entry.Normalization, DataJson.Default.InputNormalization),
    };
}
