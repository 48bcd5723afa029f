using System.Buffers.Binary;
using System.Text.RegularExpressions;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SegNets.Checkpoints.TensorFlow;
using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads TensorFlow V2 checkpoints (tensor bundles: `PREFIX.index` + `PREFIX.data-NNNNN-of-MMMMM`, as written by
/// tf.train.Saver V2, tf.train.Checkpoint and TF DeepLab's model zoo) without TensorFlow.
/// <para>
/// `PREFIX.index` is a LevelDB-format table (see <c>LevelDbTable</c>) mapping each variable name to a
/// BundleEntryProto (dtype, shape, shard, offset, size, masked CRC32C); key "" holds the BundleHeaderProto
/// (number of shards, endianness, version). The tensor bytes are raw, row-major, at [offset, offset + size) of their
/// shard (tensorflow/tensorflow@00f0938a tensorflow/core/util/tensor_bundle/tensor_bundle.cc: BundleWriter::Add,
/// BundleReader::GetValue). Every block CRC and every tensor CRC is verified, as TF does.
/// </para>
/// <para>
/// Not read: DT_STRING and DT_VARIANT entries (TF 2's `_CHECKPOINTABLE_OBJECT_GRAPH`, saved Python state, iterator
/// state) are skipped and listed (<see cref="Load(string, out IReadOnlyList{string})"/>); partitioned variables
/// (entries with `slices`) and Snappy-compressed index tables are refused with an explanation. TF's convolution
/// kernels are [kh, kw, in, out] (HWIO): see <see cref="Converters.Transforms.HwioToOihw"/>.
/// </para>
/// </summary>
public static class TensorFlowCheckpoint
{
    // naming.cc DataFilename's suffix, so that a data shard's path may be passed as the prefix.
    static readonly Regex DataSuffix = new(@"\.data-\d{5}-of-\d{5}$", RegexOptions.CultureInvariant);

    /// <summary>Reads every numeric tensor of the checkpoint as name -> CPU tensor, in key order.</summary>
    /// <param name="prefix">The checkpoint prefix (`model.ckpt-30000`); the path of its `.index` or a data shard also works.</param>
    public static Dictionary<string, Tensor> Load(string prefix) => Load(prefix, out _);

    /// <summary>As <see cref="Load(string)"/>; <paramref name="skipped"/> names the entries that hold no numeric tensor.</summary>
    public static Dictionary<string, Tensor> Load(string prefix, out IReadOnlyList<string> skipped)
    {
        Runtime.TorchBackend.EnsureLoaded();
        prefix = NormalizePrefix(prefix);
        var (indexPath, header, entries) = ReadIndex(prefix);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var skippedKeys = new List<string>();
        var shards = new Dictionary<int, (SafeFileHandle Handle, long Length, string Path)>();
        try
        {
            foreach (var entry in entries)
            {
                if (TfDataType.IsSkipped(entry.DType))
                {
                    skippedKeys.Add(entry.Key);
                    continue;
                }
                result.Add(entry.Key, ReadTensor(prefix, header, entry, shards));
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var shard in shards.Values) shard.Handle.Dispose();
        }
        skipped = skippedKeys;
        return result;
    }

    /// <summary>Name, dtype and shape of every entry (skipped ones included), read from the index alone.</summary>
    public static IReadOnlyList<TensorFlowVariable> ListVariables(string prefix)
    {
        var (_, _, entries) = ReadIndex(NormalizePrefix(prefix));
        return entries.Select(e => new TensorFlowVariable(
            e.Key, TfDataType.Name(e.DType), e.Shape,
            TfDataType.TryGet(e.DType, out var info) ? info.Torch : null)).ToList();
    }

    static string NormalizePrefix(string prefix)
    {
        if (prefix.EndsWith(".index", StringComparison.Ordinal)) return prefix[..^".index".Length];
        var m = DataSuffix.Match(prefix);
        return m.Success ? prefix[..m.Index] : prefix;
    }

    /// <summary>Reads and checks the whole index: header first, then every entry parsed and its dtype checked.</summary>
    static (string Path, BundleHeader Header, List<BundleEntry> Entries) ReadIndex(string prefix)
    {
        // naming.cc MetaFilename: "%s.index". tensor_bundle.cc kHeaderEntryKey = "": the header is the first key.
        string path = prefix + ".index";
        var table = LevelDbTable.ReadAll(path);
        if (table.Count == 0 || table[0].Key.Length != 0)
            throw new InvalidDataException(
                $"{path}: no bundle header: the first key is {(table.Count == 0 ? "missing (empty table)" : $"'{LevelDbTable.Show(table[0].Key)}'")}; " +
                "expected the empty key \"\" holding a BundleHeaderProto");
        var header = BundleHeader.Parse(table[0].Value, $"{path}: header entry (key \"\")");

        var entries = new List<BundleEntry>(table.Count - 1);
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var (keyBytes, value) in table.Skip(1))
        {
            string key;
            try { key = utf8.GetString(keyBytes); }
            catch (DecoderFallbackException) { key = LevelDbTable.Show(keyBytes); }
            string where = $"{path}: entry '{key}'";
            var entry = BundleEntry.Parse(key, value, where);
            if (entry.HasSlices)
                throw new InvalidDataException(
                    $"{where}: a partitioned variable (BundleEntryProto.slices is set); partitioned variables are not " +
                    "supported: restore it in TensorFlow and save it unpartitioned");
            if (!TfDataType.IsSkipped(entry.DType) && !TfDataType.TryGet(entry.DType, out _))
                throw new InvalidDataException(
                    $"{where}: unsupported dtype {TfDataType.Name(entry.DType)} ({entry.DType}); SegNets reads DT_FLOAT, DT_DOUBLE, " +
                    "DT_HALF, DT_BFLOAT16, DT_INT8/16/32/64, DT_UINT8/16, DT_BOOL, DT_COMPLEX64/128 and skips DT_STRING/DT_VARIANT");
            if (!TfDataType.IsSkipped(entry.DType) && entry.ShardId >= header.NumShards)
                throw new InvalidDataException($"{where}: shard_id {entry.ShardId}, but the header says there are {header.NumShards} shards");
            entries.Add(entry);
        }
        return (path, header, entries);
    }

    static Tensor ReadTensor(string prefix, BundleHeader header, BundleEntry entry,
        Dictionary<int, (SafeFileHandle Handle, long Length, string Path)> shards)
    {
        TfDataType.TryGet(entry.DType, out var info);
        // naming.cc DataFilename: "%s.data-%05d-of-%05d".
        string path = $"{prefix}.data-{entry.ShardId:D5}-of-{header.NumShards:D5}";
        string where = $"{path}: entry '{entry.Key}' ({TfDataType.Name(entry.DType)} [{string.Join(", ", entry.Shape)}])";
        long count = entry.Count(where);
        // BundleReader::GetValue: "Invalid size in bundle entry" unless size == the tensor's TotalBytes().
        if (count > long.MaxValue / info.Size || entry.Size != count * info.Size)
            throw new InvalidDataException($"{where}: stored size {entry.Size} bytes; expected {count} elements x {info.Size} bytes");
        if (!shards.TryGetValue(entry.ShardId, out var shard))
        {
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new FileNotFoundException(
                    $"{path}: data shard {entry.ShardId} of {header.NumShards} not found; entry '{entry.Key}' lies in it", path, e);
            }
            shard = (handle, RandomAccess.GetLength(handle), path);
            shards[entry.ShardId] = shard;
        }
        if (entry.Offset > shard.Length || entry.Size > shard.Length - entry.Offset)
            throw new InvalidDataException(
                $"{where}: bytes [{entry.Offset}, {entry.Offset + entry.Size}) reach past the end of the {shard.Length}-byte shard (truncated file?)");
        if (entry.Size > Array.MaxLength)
            throw new InvalidDataException($"{where}: a tensor of {entry.Size} bytes; tensors over 2 GiB are not supported");

        bool widen = entry.DType == TfDataType.UInt16;
        var tensor = empty(entry.Shape, dtype: info.Torch);
        try
        {
            if (entry.Size == 0)
            {
                CheckCrc(entry, [], where);
                return tensor;
            }
            // uint16 is read into a managed buffer and widened; everything else lands in the tensor's memory directly.
            byte[]? staging = widen ? new byte[entry.Size] : null;
            Span<byte> bytes = widen ? staging : tensor.bytes;
            ReadExactly(shard.Handle, bytes, entry.Offset, where);
            // GetValue: "we compute the checksum *before* byte-swapping", on the bytes as the file holds them.
            CheckCrc(entry, bytes, where);
            if (header.BigEndian == BitConverter.IsLittleEndian && info.SwapUnit > 1)
                for (int i = 0; i < bytes.Length; i += info.SwapUnit) bytes.Slice(i, info.SwapUnit).Reverse();
            if (widen)
            {
                var values = new int[count];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadUInt16LittleEndian(staging.AsSpan(2 * i));
                tensor.Dispose();
                tensor = TorchSharp.torch.tensor(values, dtype: ScalarType.Int32).reshape(entry.Shape);
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    static void CheckCrc(BundleEntry entry, ReadOnlySpan<byte> bytes, string where)
    {
        // BundleWriter::Add stores crc32c::Mask(crc of the bytes); GetValue compares Unmask(stored) with the computed CRC.
        uint stored = Crc32C.Unmask(entry.MaskedCrc);
        uint actual = Crc32C.Compute(bytes);
        if (stored != actual)
            throw new InvalidDataException(
                $"{where}: checksum mismatch: stored CRC32C {stored:x8}, computed {actual:x8} over bytes [{entry.Offset}, {entry.Offset + entry.Size}) (corrupt file?)");
    }

    static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string where)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n == 0) throw new InvalidDataException($"{where}: the shard ends at byte {offset + done} (truncated file?)");
            done += n;
        }
    }
}
