using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// A TF model-zoo tarball (.tar.gz) holding a V2 checkpoint, as TF DeepLab publishes its models
/// (tensorflow/models research/deeplab/g3doc/model_zoo.md; e.g. deeplabv3_mnv2_pascal_train_aug/model.ckpt-30000.index,
/// .data-00000-of-00001 and frozen_inference_graph.pb). Only the checkpoint's .index and data shards are taken out, to a
/// temporary folder under SegNets' own file names (member names never become paths), read with
/// <see cref="TensorFlowCheckpoint"/>, and deleted. A checkpoint member whose name leaves the archive's folders
/// (<c>../</c>, an absolute path) is refused: no published tarball has one.
/// </summary>
public static partial class TensorFlowTarball
{
    /// <summary>Members larger than this are refused rather than extracted (TF DeepLab's largest shard is ~0.2 GB).</summary>
    public const long MaxMemberBytes = 8L << 30;

    [GeneratedRegex(@"^(?<prefix>.+)\.(?<suffix>index|data-\d{5}-of-\d{5})$", RegexOptions.CultureInvariant)]
    private static partial Regex CheckpointMember();

    /// <summary>Whether a file starting with <paramref name="head"/> is a gzip stream (RFC 1952 ID1 ID2).</summary>
    public static bool LooksLikeGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>Every numeric tensor of the one checkpoint inside <paramref name="archive"/>, under its TF names.</summary>
    public static Dictionary<string, Tensor> Load(string archive)
    {
        var folder = Path.Combine(Path.GetTempPath(), "segnets-tf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            return TensorFlowCheckpoint.Load(Extract(archive, folder));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Extracts the checkpoint's .index and data shards into <paramref name="folder"/> (as <c>ckpt.index</c>,
    /// <c>ckpt.data-…</c>) and returns the prefix to read them with.</summary>
    public static string Extract(string archive, string folder)
    {
        var prefixes = new SortedSet<string>(StringComparer.Ordinal);
        var written = new List<string>();
        try
        {
            using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var match = CheckpointMember().Match(entry.Name);
                if (!match.Success) continue; // frozen_inference_graph.pb, folders, READMEs
                if (entry.Name.StartsWith('/') || entry.Name.Split('/', '\\').Contains(".."))
                    throw new InvalidDataException($"{archive}: member '{entry.Name}' points outside the archive's folders");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new InvalidDataException($"{archive}: member '{entry.Name}' is a {entry.EntryType}, not a regular file; a checkpoint's files must be stored in the archive");
                if (entry.Length > MaxMemberBytes)
                    throw new InvalidDataException($"{archive}: member '{entry.Name}' claims {entry.Length} bytes, more than the {MaxMemberBytes} SegNets accepts");
                prefixes.Add(match.Groups["prefix"].Value);
                if (prefixes.Count > 1)
                    throw new InvalidDataException($"{archive}: holds more than one checkpoint ({string.Join(", ", prefixes)}); expected one");
                var target = Path.Combine(folder, "ckpt." + match.Groups["suffix"].Value);
                if (File.Exists(target)) throw new InvalidDataException($"{archive}: member '{entry.Name}' appears twice");
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                {
                    if (entry.DataStream is { } data) data.CopyTo(output);
                    if (output.Length != entry.Length)
                        throw new InvalidDataException($"{archive}: member '{entry.Name}' ends after {output.Length} of its {entry.Length} bytes");
                }
                written.Add(target);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            if (e is InvalidDataException && e.Message.StartsWith(archive, StringComparison.Ordinal)) throw;
            throw new InvalidDataException($"{archive}: not a readable .tar.gz ({e.Message})", e);
        }
        if (prefixes.Count == 0)
            throw new InvalidDataException($"{archive}: holds no TensorFlow checkpoint (no *.index member); expected a model-zoo tarball with model.ckpt*.index and .data-* files");
        var prefix = Path.Combine(folder, "ckpt");
        if (!File.Exists(prefix + ".index"))
            throw new InvalidDataException($"{archive}: has data shards of '{prefixes.Min}' but no '{prefixes.Min}.index'");
        if (written.Count < 2)
            throw new InvalidDataException($"{archive}: '{prefixes.Min}.index' has no '{prefixes.Min}.data-NNNNN-of-NNNNN' member");
        return prefix;
    }
}
