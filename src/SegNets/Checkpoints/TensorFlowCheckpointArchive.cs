using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads the TF V2 checkpoint inside a model-zoo tarball (.tar.gz), as TF DeepLab publishes its models: a folder with
/// <c>model.ckpt.index</c>, <c>model.ckpt.data-00000-of-00001</c> and <c>frozen_inference_graph.pb</c>
/// (research/deeplab/g3doc/model_zoo.md @d318246c "Un-tar'ed directory includes"; local_test.sh @21ac7b8b extracts
/// deeplabv3_pascal_train_aug/model.ckpt.*). Only the members of one checkpoint (<c>PREFIX.index</c> and its
/// <c>PREFIX.data-NNNNN-of-MMMMM</c> shards) are extracted, to a private temporary folder that is deleted afterwards;
/// everything else (the frozen graph) is skipped unread. Members whose names leave the archive (absolute, "..") or
/// that are links are refused, as are absurd sizes; errors name the archive and the member.
/// </summary>
public static class TensorFlowCheckpointArchive
{
    /// <summary>The largest member extracted (the largest TF DeepLab checkpoint is ~440 MB).</summary>
    public const long MaxMemberBytes = 8L << 30;

    static readonly Regex DataShard = new(@"^(?<prefix>.+)\.data-\d{5}-of-\d{5}$", RegexOptions.CultureInvariant);

    /// <summary>Reads every numeric tensor of the checkpoint in <paramref name="archive"/> (see <see cref="TensorFlowCheckpoint.Load(string)"/>).</summary>
    public static Dictionary<string, Tensor> Load(string archive)
    {
        var folder = Path.Combine(Path.GetTempPath(), "segnets-tf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var prefix = Extract(archive, folder);
            try
            {
                return TensorFlowCheckpoint.Load(prefix);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{archive}: the checkpoint {Path.GetFileName(prefix)} inside it is unreadable: {e.Message}", e);
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Extracts the checkpoint's members of <paramref name="archive"/> into <paramref name="folder"/> (flat,
    /// under their file names) and returns the checkpoint prefix there.</summary>
    public static string Extract(string archive, string folder)
    {
        var indexes = new List<string>();
        var shards = new List<(string Member, string Prefix)>();
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = entry.Name;
                bool isIndex = name.EndsWith(".index", StringComparison.Ordinal);
                var shard = DataShard.Match(name);
                if (!isIndex && !shard.Success) continue;
                if (Path.IsPathRooted(name) || name.Replace('\\', '/').Split('/').Any(part => part == ".."))
                    throw new InvalidDataException($"{archive}: member '{name}' points outside the archive's folder; refusing to extract it");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                    throw new InvalidDataException($"{archive}: member '{name}' is a {entry.EntryType}, not a regular file; refusing to extract it");
                if (entry.Length < 0 || entry.Length > MaxMemberBytes)
                    throw new InvalidDataException($"{archive}: member '{name}' claims {entry.Length} bytes (at most {MaxMemberBytes} are accepted)");
                var local = Path.GetFileName(name);
                if (!seen.Add(local))
                    throw new InvalidDataException($"{archive}: two members are named {local}; which checkpoint is meant is ambiguous");
                var target = Path.Combine(folder, local);
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                {
                    if (entry.DataStream is { } data) data.CopyTo(output);
                    if (output.Length != entry.Length)
                        throw new InvalidDataException($"{archive}: member '{name}' ends after {output.Length} of its {entry.Length} bytes (truncated archive)");
                }
                if (isIndex) indexes.Add(name[..^".index".Length]);
                else shards.Add((name, shard.Groups["prefix"].Value));
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            if (e is InvalidDataException && e.Message.StartsWith(archive, StringComparison.Ordinal)) throw;
            throw new InvalidDataException($"{archive}: not a readable .tar.gz ({e.GetType().Name}: {e.Message})", e);
        }
        if (indexes.Count == 0)
            throw new InvalidDataException($"{archive}: holds no TF checkpoint (no *.index member)");
        if (indexes.Count > 1)
            throw new InvalidDataException($"{archive}: holds {indexes.Count} checkpoints ({string.Join(", ", indexes)}); expected one");
        var prefix = indexes[0];
        if (!shards.Any(s => s.Prefix == prefix))
            throw new InvalidDataException($"{archive}: {prefix}.index has no {Path.GetFileName(prefix)}.data-NNNNN-of-MMMMM member");
        return Path.Combine(folder, Path.GetFileName(prefix));
    }
}
