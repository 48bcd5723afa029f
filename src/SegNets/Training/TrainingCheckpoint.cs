using System.Text.Json;
using SegNets.Checkpoints;
using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Training;

/// <summary>
/// A resumable training state: a folder <c>epoch-NNNN</c> holding <c>model.safetensors</c> (float32 state dict, loads
/// into the model with <see cref="StateDictLoader"/> like any SegNets weights), <c>optimizer.bin</c> (TorchSharp's
/// optimizer state: momentum buffers and group settings) and <c>trainer.json</c> (epoch, iteration, torch's generator
/// state, the run's length and history). The folder is written under a temporary name and renamed when complete, so
/// a crash mid-write leaves the previous checkpoint as the newest.
/// </summary>
public sealed class TrainingCheckpoint
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.bin";
    public const string StateFile = "trainer.json";
    const string Prefix = "epoch-";

    /// <summary>Completed epochs.</summary>
    public required int Epoch { get; init; }

    /// <summary>Iterations done over the whole run.</summary>
    public required long Iteration { get; init; }

    /// <summary>Iterations of the whole run (the poly schedule depends on it).</summary>
    public required long TotalIterations { get; init; }

    /// <summary>torch's CPU generator state (byte tensor), base64.</summary>
    public required string RngState { get; init; }

    public required List<EpochRecord> History { get; init; }

    /// <summary>Best validation score so far and its epoch; null without validation.</summary>
    public double? BestScore { get; init; }

    public int? BestEpoch { get; init; }

    /// <summary>The folder name of the checkpoint after <paramref name="epoch"/> epochs.</summary>
    public static string FolderName(int epoch) => $"{Prefix}{epoch:D4}";

    /// <summary>Writes the checkpoint folder <paramref name="folder"/> (replacing one of that name) atomically.</summary>
    public void Save(string folder, IReadOnlyDictionary<string, Tensor> modelState, Action<BinaryWriter> writeOptimizer)
    {
        var full = Path.GetFullPath(folder);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var old = temp + ".old";
        Directory.CreateDirectory(temp);
        try
        {
            SafeTensors.Save(Path.Combine(temp, ModelFile), modelState);
            using (var stream = new FileStream(Path.Combine(temp, OptimizerFile), FileMode.CreateNew))
            using (var writer = new BinaryWriter(stream))
            {
                writeOptimizer(writer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            using (var stream = new FileStream(Path.Combine(temp, StateFile), FileMode.CreateNew))
            {
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                    JsonSerializer.Serialize(json, this, TrainingJson.Default.TrainingCheckpoint);
                stream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>Reads the trainer.json of a checkpoint folder.</summary>
    public static TrainingCheckpoint Load(string folder)
    {
        var path = Path.Combine(folder, StateFile);
        foreach (var file in new[] { path, Path.Combine(folder, ModelFile), Path.Combine(folder, OptimizerFile) })
            if (!File.Exists(file)) throw new FileNotFoundException($"{folder} is not a complete training checkpoint: {Path.GetFileName(file)} is missing", file);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, TrainingJson.Default.TrainingCheckpoint)
                   ?? throw new InvalidDataException($"{path}: empty training state");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a SegNets training state ({e.Message})", e);
        }
    }

    /// <summary>Epoch checkpoint folders under <paramref name="directory"/>, oldest first (temporaries excluded).</summary>
    public static IReadOnlyList<(int Epoch, string Folder)> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateDirectories(directory, Prefix + "*")
            .Select(d => (Name: Path.GetFileName(d), Folder: d))
            .Where(d => d.Name.Length == Prefix.Length + 4 && int.TryParse(d.Name[Prefix.Length..], out _))
            .Select(d => (int.Parse(d.Name[Prefix.Length..]), d.Folder))
            .OrderBy(d => d.Item1)
            .ToList();
    }

    /// <summary>The newest epoch checkpoint folder under <paramref name="directory"/>, or null.</summary>
    public static string? Latest(string directory) => List(directory).Select(d => d.Folder).LastOrDefault();
}
