using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads MXNet / Gluon `.params` files (`mx.nd.save`, Gluon `save_parameters`, symbolic `export`) and GluonCV's model
/// store zips, without MXNet. Layout read in apache/mxnet@b84609d3 (same as 1.9.0): src/ndarray/ndarray.cc
/// L2128-2147 (list format), L1855-1863 (array magics), L1865-1940 (`NDArray::Save`), L1942-1996 (`LegacyLoad`),
/// L1998-2125 (`NDArray::Load`); include/mxnet/tuple.h L738-766 (shapes); include/mxnet/base.h L147-164 (context);
/// dmlc/dmlc-core@5295de94:include/dmlc/serializer.h L154-197 (u64-counted vectors and strings).
/// Every count and length is checked against the bytes that remain before anything is allocated, so a truncated or
/// hostile file gives an <see cref="InvalidDataException"/> naming the file, the array and what was expected.
/// </summary>
public static class MxNetParams
{
    // ndarray.cc L2128 kMXAPINDArrayListMagic; L1856/1859/1863 the per-array magics
    const ulong ListMagic = 0x112;
    const uint V1Magic = 0xF993FAC8, V2Magic = 0xF993FAC9, V3Magic = 0xF993FACA;
    // far above any real network (mshadow tensors have at most a handful of dims); bounds a hostile ndim
    const int MaxDims = 32;
    // the smallest array record: a pre-V1 unset array is just its u32 ndim 0 (LegacyTShapeLoad, ndarray.cc L1946-1953)
    const int MinArrayBytes = 4;

    /// <summary>
    /// Reads every array of a `.params` file as name -> tensor (CPU), in file order. `arg:`/`aux:` prefixes (symbolic
    /// export) are stripped, as Gluon's `load_parameters` does; a file saved from a list has no names and gets keys
    /// "0", "1", .... Dense arrays only. MXNet's unsigned u16/u32 arrays, which TorchSharp has no dtype for, are
    /// widened losslessly to int32/int64, and u64 to int64 (values of 2^63 and above are an error). An unset (none)
    /// array reads as an empty float32 tensor of shape [0].
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(path);
        return Read(file, file.Length, path);
    }

    /// <summary>
    /// Reads a GluonCV model-store download, `{name}-{sha1[:8]}.zip` holding `{name}-{sha1[:8]}.params`
    /// (dmlc/gluon-cv@56777561:gluoncv/model_zoo/model_store.py `get_model_file` L245-312). When the member's name
    /// carries the 8-hex-digit SHA-1 prefix, the member's SHA-1 is checked against it, as GluonCV does after extracting.
    /// </summary>
    public static Dictionary<string, Tensor> LoadGluonModelStoreZip(string zipPath)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(zipPath);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zipPath}: not a readable zip archive (truncated download?): {e.Message}", e);
        }
        using (zip)
        {
            var candidates = zip.Entries.Where(e => e.FullName.EndsWith(".params", StringComparison.OrdinalIgnoreCase)).ToList();
            var expectedName = Path.GetFileNameWithoutExtension(zipPath) + ".params";
            var entry = candidates.FirstOrDefault(e => Path.GetFileName(e.FullName) == expectedName)
                ?? (candidates.Count == 1 ? candidates[0] : null);
            if (entry is null)
                throw new InvalidDataException(
                    $"{zipPath}: expected one .params member ({expectedName}, as GluonCV's model store packs it); the archive holds " +
                    (zip.Entries.Count == 0 ? "nothing" : string.Join(", ", zip.Entries.Select(e => e.FullName))));
            var source = $"{zipPath}:{entry.FullName}";
            var match = Regex.Match(Path.GetFileName(entry.FullName), "-([0-9a-f]{8})\\.params$", RegexOptions.CultureInvariant);
            try
            {
                if (match.Success)
                {
                    // a first pass for the hash: a damaged download is reported as such, before parsing its bytes
                    string actual;
                    using (var data = entry.Open()) actual = Convert.ToHexStringLower(SHA1.HashData(data));
                    if (!actual.StartsWith(match.Groups[1].Value, StringComparison.Ordinal))
                        throw new InvalidDataException(
                            $"{source}: SHA-1 {actual} does not start with {match.Groups[1].Value}, the hash prefix in its name (damaged download?)");
                }
                using var stream = entry.Open();
                return Read(stream, entry.Length, source);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                // thrown by the deflate stream itself
                throw new InvalidDataException($"{source}: the compressed data is damaged: {e.Message}", e);
            }
        }
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

    static Dictionary<string, Tensor> Read(Stream stream, long length, string source)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("MXNet .params files are little-endian; reading them on a big-endian host is not supported");
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var cursor = new Cursor(reader, length, source);
        var arrays = new List<Tensor>();
        try
        {
            ReadHeader(cursor, out ulong count);
            for (ulong i = 0; i < count; i++)
                arrays.Add(ReadArray(cursor, (long)i, (long)count));
            var names = ReadNames(cursor, arrays.Count);
            if (cursor.Remaining != 0)
                throw cursor.Error($"{cursor.Remaining} bytes follow the names list; an MXNet .params file ends there (not a .params file, or two files joined?)");

            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var original = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < arrays.Count; i++)
            {
                string raw = names is null ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : names[i];
                // Gluon's load_parameters / ParameterDict.load strip the symbolic `arg:` / `aux:` prefixes
                string key = raw.StartsWith("arg:", StringComparison.Ordinal) || raw.StartsWith("aux:", StringComparison.Ordinal) ? raw[4..] : raw;
                if (!original.TryAdd(key, raw))
                    throw cursor.Error($"array {i} is named '{raw}', and '{original[key]}' (array {Array.IndexOf(names!, original[key])}) already gave key '{key}'; duplicate key");
                result[key] = arrays[i];
            }
            return result;
        }
        catch (Exception e)
        {
            foreach (var t in arrays) t.Dispose();
            // only a zip member can end before its declared length: every other read was checked against Remaining
            if (e is EndOfStreamException)
                throw new InvalidDataException($"{source}: ends early (the archive member is shorter than it claims)", e);
            throw;
        }
    }

    static void ReadHeader(Cursor c, out ulong count)
    {
        if (c.Remaining < 24)
            throw c.Error($"{c.Remaining} bytes; an MXNet .params file starts with a 24-byte header (magic 0x112, reserved, array count)");
        ulong magic = c.Reader.ReadUInt64();
        if (magic != ListMagic)
        {
            var start = BitConverter.GetBytes(magic);
            string hint = start[0] == 0x50 && start[1] == 0x4B ? " It is a zip archive: an MXNet 2.x numpy .npz parameter file, which is not supported yet (load it in MXNet and save with mx.nd.save), or a GluonCV model-store zip (use LoadGluonModelStoreZip)." : "";
            throw c.Error($"not an MXNet .params file: it starts with {Convert.ToHexString(start)}; expected the list magic 1201000000000000.{hint}");
        }
        c.Reader.ReadUInt64(); // reserved: written as 0 and never checked by MXNet (ndarray.cc L2133, L2142-2143)
        count = c.Reader.ReadUInt64();
        c.Consumed(24);
        if (count > (ulong)(c.Remaining / MinArrayBytes))
            throw c.Error($"the header counts {count} arrays, but only {c.Remaining} bytes follow (at least {MinArrayBytes} per array; truncated or not a .params file)");
    }

    static Tensor ReadArray(Cursor c, long index, long count)
    {
        string at = $"array {index} of {count}";
        uint magic = c.U32(at, "its magic");
        int version; // 0 pre-V1, 1, 2, 3
        switch (magic)
        {
            case V1Magic: version = 1; break;
            case V2Magic: version = 2; break;
            case V3Magic: version = 3; break;
            default:
                // LegacyTShapeLoad (ndarray.cc L1946-1953): without a magic the first u32 is the ndim of a u32 shape
                if (magic > MaxDims)
                    throw c.Error($"{at}: starts with 0x{magic:X8}, neither an NDArray magic (V1 F993FAC8, V2 F993FAC9, V3 F993FACA) nor the ndim of a pre-V1 array");
                version = 0;
                break;
        }
        if (version >= 2)
        {
            // NDArray::Load L2018-2033: storage type; sparse arrays add a storage shape, aux types/shapes and aux data
            int stype = c.I32(at, "its storage type");
            if (stype != 0)
            {
                string name = stype switch { 1 => "row_sparse", 2 => "csr", _ => "an unknown storage type" };
                throw c.Error($"{at}: storage type {stype} ({name}); only dense arrays (storage type 0) are supported — convert it with .tostype('default') in MXNet and save again");
            }
        }

        long[]? shape = ReadShape(c, at, version, magic);
        if (shape is null) return empty(0, dtype: ScalarType.Float32);

        // Context::Load (base.h L156-164): device type and id; MXNet loads everything to the CPU first anyway
        int devType = c.I32(at, "its device type");
        c.I32(at, "its device id");
        if (devType is not (1 or 2 or 3 or 5))
            throw c.Error($"{at}: device type {devType}; expected 1 (cpu), 2 (gpu), 3 (cpu pinned) or 5 (cpu shared) — damaged file?");
        int typeFlag = c.I32(at, "its type flag");
        var (storage, elementSize, widen) = DType(typeFlag)
            ?? throw c.Error($"{at}: unknown type flag {typeFlag}; expected 0..12 (mshadow/base.h L351-365: f32 f64 f16 u8 i32 i8 i64 bool i16 u16 u32 u64 bf16)");

        long numel = 1;
        foreach (var d in shape)
            if (d != 0 && numel > long.MaxValue / elementSize / d)
                throw c.Error($"{at}: shape [{string.Join(", ", shape)}] has more elements than any file can hold");
            else numel *= d;
        long bytes = numel * elementSize;
        if (bytes > c.Remaining)
            throw c.Error($"{at}: shape [{string.Join(", ", shape)}] of type flag {typeFlag} needs {bytes} bytes of data; only {c.Remaining} remain (truncated file?)");

        var tensor = empty(shape, dtype: storage);
        try
        {
            if (bytes > 0) c.Fill(tensor.bytes);
            return widen is null ? tensor : Widen(tensor, widen.Value, c, at);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>The shape of one array, or null for an unset (none) array, whose record ends with its shape.</summary>
    static long[]? ReadShape(Cursor c, string at, int version, uint legacyNdim)
    {
        if (version == 0)
        {
            // pre-V1: u32 dims. ndim 0 was "none" when such files were written (Save returned right after the shape).
            int n = (int)legacyNdim;
            if (n == 0) return null;
            c.Need(4L * n, at, $"its {n} u32 dims");
            var dims = new long[n];
            for (int i = 0; i < n; i++) dims[i] = c.Reader.ReadUInt32();
            c.Consumed(4L * n);
            return dims;
        }
        // Tuple::Load (tuple.h L752-766): i32 ndim, then int64 dims
        int ndim = c.I32(at, "its ndim");
        // V3 (np shape): ndim -1 = unknown = none (ndarray.cc L2039-2043); V2: ndim 0 = none (L2044-2047). V1 and pre-V1 files
        // were written when ndim 0 meant none and Save returned right after the shape, so ndim 0 ends their record too.
        if (version == 3 ? ndim == -1 : ndim == 0) return null;
        if (ndim < 0 || ndim > MaxDims)
            throw c.Error($"{at}: ndim {ndim}; expected 0..{MaxDims}");
        c.Need(8L * ndim, at, $"its {ndim} int64 dims");
        var shape = new long[ndim];
        bool unknown = false;
        for (int i = 0; i < ndim; i++)
        {
            shape[i] = c.Reader.ReadInt64();
            if (shape[i] == -1 && version == 3) unknown = true;
            else if (shape[i] < 0) throw c.Error($"{at}: dimension {i} is {shape[i]}; expected a size >= 0");
        }
        c.Consumed(8L * ndim);
        // np shape semantics: a shape with an unknown dim is a none array too (shape_is_known, L2039-2043; tuple.h L699-707)
        return unknown ? null : shape;
    }

    enum Widening { UInt16, UInt32, UInt64 }

    // mshadow/base.h L351-365. TorchSharp 0.107 has no unsigned 16/32/64-bit dtype: those read as the signed type of
    // the same width and are widened afterwards.
    static (ScalarType Storage, int ElementSize, Widening? Widen)? DType(int typeFlag) => typeFlag switch
    {
        0 => (ScalarType.Float32, 4, null),
        1 => (ScalarType.Float64, 8, null),
        2 => (ScalarType.Float16, 2, null),
        3 => (ScalarType.Byte, 1, null),
        4 => (ScalarType.Int32, 4, null),
        5 => (ScalarType.Int8, 1, null),
        6 => (ScalarType.Int64, 8, null),
        7 => (ScalarType.Bool, 1, null),
        8 => (ScalarType.Int16, 2, null),
        9 => (ScalarType.Int16, 2, Widening.UInt16),
        10 => (ScalarType.Int32, 4, Widening.UInt32),
        11 => (ScalarType.Int64, 8, Widening.UInt64),
        12 => (ScalarType.BFloat16, 2, null),
        _ => null,
    };

    static Tensor Widen(Tensor raw, Widening widening, Cursor c, string at)
    {
        switch (widening)
        {
            case Widening.UInt64:
                if (raw.numel() > 0 && raw.lt(0).any().item<bool>())
                    throw c.Error($"{at}: a uint64 value of 2^63 or more, which int64 (TorchSharp has no uint64) cannot hold");
                return raw;
            default:
                // one extra copy at a time: the widened tensor, then the raw one is freed
                using (raw)
                {
                    var wide = raw.to_type(widening == Widening.UInt16 ? ScalarType.Int32 : ScalarType.Int64);
                    return wide.bitwise_and_(widening == Widening.UInt16 ? 0xFFFFL : 0xFFFFFFFFL);
                }
        }
    }

    static string[]? ReadNames(Cursor c, int count)
    {
        const string what = "the names list";
        c.Need(8, what, "its count");
        ulong n = c.Reader.ReadUInt64();
        c.Consumed(8);
        if (n == 0) return null;
        // NDArray::Load (list) L2146: no names, or one per array
        if (n != (ulong)count)
            throw c.Error($"{what} holds {n} names for {count} arrays; expected 0 or {count}");
        var names = new string[count];
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (int i = 0; i < count; i++)
        {
            string at = $"name {i} of {count}";
            c.Need(8, at, "its length");
            ulong length = c.Reader.ReadUInt64();
            c.Consumed(8);
            if (length > (ulong)c.Remaining)
                throw c.Error($"{at}: length {length}, but only {c.Remaining} bytes remain (truncated file?)");
            var raw = c.Reader.ReadBytes((int)length);
            if (raw.Length != (int)length) throw c.Error($"{at}: ends early (truncated file?)");
            c.Consumed((long)length);
            try
            {
                names[i] = strict.GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                throw c.Error($"{at} (of array {i}) is not valid UTF-8: {Convert.ToHexString(raw.AsSpan(0, Math.Min(raw.Length, 32)))}");
            }
        }
        return names;
    }

    /// <summary>A reader that knows how many bytes are left, so every length is checked before it is trusted.</summary>
    sealed class Cursor(BinaryReader reader, long length, string source)
    {
        long position;

        public BinaryReader Reader { get; } = reader;
        public long Remaining => length - position;

        public void Consumed(long bytes) => position += bytes;

        public InvalidDataException Error(string message) => new($"{source}: {message}");

        public void Need(long bytes, string at, string what)
        {
            if (bytes > Remaining)
                throw Error($"{at}: ends early at byte {position}: {what} needs {bytes} bytes, {Remaining} remain (truncated file?)");
        }

        public uint U32(string at, string what)
        {
            Need(4, at, what);
            position += 4;
            return Reader.ReadUInt32();
        }

        public int I32(string at, string what)
        {
            Need(4, at, what);
            position += 4;
            return Reader.ReadInt32();
        }

        public void Fill(Span<byte> destination)
        {
            Reader.BaseStream.ReadExactly(destination);
            position += destination.Length;
        }
    }
}
