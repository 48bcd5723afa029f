using System.IO.Compression;
using SegNets.Checkpoints.Pickle;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads PyTorch checkpoints (`torch.save`): the zip format (torch 1.6+) and the legacy stream format, without Python
/// and without running code: the pickle inside may only build containers and tensors
/// (see <see cref="PickleReader"/>). Layout facts: torch/serialization.py, caffe2/serialize/inline_container.cc.
/// </summary>
public static class PyTorchCheckpoint
{
    static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19];

    /// <summary>
    /// Reads the tensors of a checkpoint as a flat, ordered name -> tensor map (CPU): a `{'state_dict': ...}` or
    /// `{'model': ...}` wrapper is unwrapped, nested dicts are joined with '.', a `module.` prefix that every key
    /// carries (DataParallel) is removed, and values that are not tensors (epoch counters, ...) are left out.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        var root = Load(path);
        if (root is PickleDict wrapper)
            foreach (var key in new[] { "state_dict", "model", "model_state_dict", "net" })
                if (wrapper.TryGetValue(key, out var inner) && inner is PickleDict innerDict && ContainsTensors(innerDict))
                {
                    root = innerDict;
                    break;
                }
        if (root is not PickleDict dict)
            throw new InvalidDataException($"{path}: holds {PickleReader.Describe(root)}; expected a dict of tensors (a state dict)");

        var flat = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Flatten(dict, "", flat, path);
        if (flat.Count > 0 && flat.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)))
            flat = flat.ToDictionary(kv => kv.Key["module.".Length..], kv => kv.Value, StringComparer.Ordinal);
        return flat;
    }

    /// <summary>Reads the whole pickled object with its tensors materialised on the CPU.</summary>
    public static object? Load(string path)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(path);
        Span<byte> head = stackalloc byte[LegacyMagic.Length];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (read >= 4 && head[..4].SequenceEqual(ZipMagic)) return LoadZip(file, path);
        if (read == LegacyMagic.Length && head.SequenceEqual(LegacyMagic)) return LoadLegacy(file, path);
        throw new InvalidDataException(
            $"{path}: not a PyTorch checkpoint: it starts with {Convert.ToHexString(head[..read])}; expected a zip archive " +
            "(torch.save since 1.6) or the legacy pickle magic 80028A0A6CFC9C46F9206AA85019");
    }

    static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: checkpoint file not found", path, e);
        }
    }

    static object? LoadZip(FileStream file, string path)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: a damaged zip archive (truncated download?): {e.Message}", e);
        }
        using (zip)
        {
            if (zip.Entries.Count == 0) throw new InvalidDataException($"{path}: the zip archive is empty");
            // torch's reader takes everything before the first '/' of the first entry as the record prefix.
            var first = zip.Entries[0].FullName;
            var prefix = first.Contains('/') ? first[..(first.IndexOf('/') + 1)] : "";
            var entries = zip.Entries.ToDictionary(e => e.FullName, StringComparer.Ordinal);
            if (entries.ContainsKey(prefix + "constants.pkl") || entries.ContainsKey(prefix + "code/"))
                throw new InvalidDataException($"{path}: a TorchScript archive, not a state dict; save the model's state_dict() instead");
            if (!entries.TryGetValue(prefix + "data.pkl", out var pickleEntry))
                throw new InvalidDataException($"{path}: zip archive without {prefix}data.pkl; not a torch.save file");

            bool bigEndian = false;
            if (entries.TryGetValue(prefix + "byteorder", out var order))
            {
                using var reader = new StreamReader(order.Open());
                bigEndian = reader.ReadToEnd().Trim() == "big";
            }

            var calls = new TorchPickleCalls(path, legacy: false);
            object? root;
            using (var pickle = new MemoryStream())
            {
                using (var s = pickleEntry.Open()) s.CopyTo(pickle);
                pickle.Position = 0;
                root = PickleReader.Load(pickle, $"{path}:{pickleEntry.FullName}", calls);
            }

            foreach (var storage in calls.Storages.Values)
            {
                var name = prefix + "data/" + storage.Key;
                if (!entries.TryGetValue(name, out var entry))
                    throw new InvalidDataException($"{path}: storage record {name} is missing from the archive");
                long expected = storage.ByteLength;
                if (entry.Length != expected)
                    throw new InvalidDataException(
                        $"{path}: storage record {name} holds {entry.Length} bytes; expected {expected} ({storage.Numel} x {storage.DType})");
                using var data = entry.Open();
                storage.Fill(data, bigEndian, path);
            }
            return calls.MaterializeAll(root);
        }
    }

    static object? LoadLegacy(FileStream file, string path)
    {
        var meta = new TorchPickleCalls(path, legacy: true);
        var magic = PickleReader.Load(file, $"{path} (magic)", meta);
        var protocol = PickleReader.Load(file, $"{path} (protocol)", meta);
        if (protocol is not 1001L)
            throw new InvalidDataException($"{path}: legacy checkpoint protocol {PickleReader.Describe(protocol)}; expected 1001 (magic {magic})");
        var sysInfo = PickleReader.Load(file, $"{path} (sys_info)", meta) as PickleDict;
        bool bigEndian = sysInfo is not null && sysInfo.TryGetValue("little_endian", out var little) && little is false;

        var calls = new TorchPickleCalls(path, legacy: true);
        var root = PickleReader.Load(file, $"{path} (object)", calls);
        if (PickleReader.Load(file, $"{path} (storage keys)", meta) is not List<object?> keys)
            throw new InvalidDataException($"{path}: the legacy storage key list is missing");

        Span<byte> count = stackalloc byte[8];
        foreach (var keyObject in keys)
        {
            var key = keyObject as string ?? throw new InvalidDataException($"{path}: storage key {PickleReader.Describe(keyObject)} is not a string");
            if (!calls.Storages.TryGetValue(key, out var storage))
                throw new InvalidDataException($"{path}: storage {key} is listed but no tensor uses it");
            if (file.ReadAtLeast(count, count.Length, throwOnEndOfStream: false) < count.Length)
                throw new InvalidDataException($"{path}: storage {key} ends early: its element count is cut off (truncated file?)");
            long numel = BitConverter.ToInt64(count);
            if (numel != storage.Numel)
                throw new InvalidDataException($"{path}: storage {key} holds {numel} elements; the tensors expect {storage.Numel}");
            storage.Fill(file, bigEndian, path);
        }
        return calls.MaterializeAll(root);
    }

    static bool ContainsTensors(PickleDict dict) =>
        dict.Values.Any(v => v is Tensor || (v is PickleDict d && ContainsTensors(d)));

    static void Flatten(PickleDict dict, string prefix, Dictionary<string, Tensor> into, string path)
    {
        foreach (var (key, value) in dict)
        {
            var name = prefix + (key as string ?? Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture));
            switch (value)
            {
                case Tensor t:
                    if (!into.TryAdd(name, t)) throw new InvalidDataException($"{path}: key '{name}' appears twice");
                    break;
                case PickleDict nested:
                    Flatten(nested, name + ".", into, path);
                    break;
            }
        }
    }
}
