using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads NumPy's .npy arrays and .npz archives (what `chainer.serializers.save_npz` writes, so every Chainer and
/// ChainerCV checkpoint) into CPU tensors, in managed code and without unpickling anything.
/// Layout: numpy/numpy@006003b5:numpy/lib/format.py (module docstring: magic, versions 1.0/2.0/3.0, header dict,
/// data) and numpy/lib/npyio.py `_savez` (an .npz is a zip of `KEY.npy` members, STORED by `savez`, DEFLATED by
/// `savez_compressed`; chainer/chainer@a8e15cbe:chainer/serializers/npz.py `save_npz` compresses by default).
/// </summary>
/// <remarks>
/// Object arrays (descr `|O`) hold a pickle, not numbers. Chainer writes one for every attribute whose value is None
/// (npz.py `DictionarySerializer.__call__` stores the value as is and `numpy.savez` wraps it with `asanyarray`), so in
/// an .npz they are skipped and their keys reported, never unpickled; a lone .npy object array is an error because
/// there is nothing else to return.
/// Unsigned 16/32-bit arrays widen to int32/int64 (libtorch has no general uint16/uint32 tensors); uint64 becomes int64
/// and is refused if a value exceeds <see cref="long.MaxValue"/>.
/// </remarks>
public static class NumpyArchive
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Reads an .npz archive as member name (without `.npy`) → tensor, in archive order. Object arrays are left out
    /// (see remarks on the class).
    /// </summary>
    public static Dictionary<string, Tensor> LoadNpz(string path) => LoadNpz(path, out _);

    /// <summary>Reads an .npz archive; <paramref name="skippedObjectArrays"/> lists the keys of the object arrays left out.</summary>
    public static Dictionary<string, Tensor> LoadNpz(string path, out IReadOnlyList<string> skippedObjectArrays)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        // "PK\3\4" starts a zip with members; "PK\5\6" is the end record alone, i.e. np.savez() of nothing.
        if (read < 4 || head[0] != 'P' || head[1] != 'K' || !((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
        {
            var hint = read >= 1 && head[0] == Magic[0] ? " (it looks like a single .npy array: use LoadNpy)" : "";
            throw new InvalidDataException($"{path}: not an .npz (zip) archive: it starts with {Convert.ToHexString(head[..read])}{hint}");
        }

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: a damaged zip archive (truncated download?): {e.Message}", e);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (zip)
        {
            try
            {
                foreach (var entry in zip.Entries)
                {
                    var member = entry.FullName;
                    var where = $"{path}: member '{member}'";
                    if (!seen.Add(member))
                        throw new InvalidDataException($"{where} appears twice in the archive; refusing to pick one");
                    if (!member.EndsWith(".npy", StringComparison.Ordinal))
                        throw new InvalidDataException($"{where} is not a .npy array; an .npz holds only KEY.npy members");
                    var key = member[..^".npy".Length];
                    // Lengths come from the zip directory: bound them by the file before trusting them for allocation.
                    // Deflate cannot expand more than 1032:1 (RFC 1951 max match 258 bytes per ~2 bits).
                    if (entry.CompressedLength > file.Length || entry.Length > entry.CompressedLength * 1032 + 1024)
                        throw new InvalidDataException(
                            $"{where}: the zip directory claims {entry.Length} bytes from {entry.CompressedLength} stored in a {file.Length}-byte file");
                    Tensor? tensor;
                    try
                    {
                        using var stream = entry.Open();
                        tensor = ReadNpy(stream, entry.Length, where);
                    }
                    catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
                    {
                        // DeflateStream's own complaints (corrupt data, CRC) name nothing.
                        throw new InvalidDataException($"{where}: damaged compressed data: {e.Message}", e);
                    }
                    if (tensor is null) skipped.Add(key);
                    else result.Add(key, tensor);
                }
            }
            catch
            {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
        }
        skippedObjectArrays = skipped;
        return result;
    }

    /// <summary>Reads one .npy array.</summary>
    public static Tensor LoadNpy(string path)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(path);
        return ReadNpy(file, file.Length, path)
            ?? throw new InvalidDataException($"{path}: an object array (descr '|O', a pickle), not numbers; it has no tensor form");
    }

    static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found", path, e);
        }
    }

    /// <summary>
    /// Reads a .npy image of exactly <paramref name="length"/> bytes from <paramref name="stream"/>; null for an object
    /// array. Checks every length against <paramref name="length"/> before allocating.
    /// </summary>
    static Tensor? ReadNpy(Stream stream, long length, string where)
    {
        // format.py: magic "\x93NUMPY", major, minor; then the header length, u16 LE for 1.0, u32 LE for 2.0 and 3.0.
        Span<byte> preamble = stackalloc byte[12];
        ReadExactly(stream, preamble[..8], where, "the magic and version");
        if (!preamble[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{where}: not a .npy array: it starts with {Convert.ToHexString(preamble[..8])}; expected 934E554D5059 (\"\\x93NUMPY\")");
        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new InvalidDataException($"{where}: .npy format version {major}.{minor}; numpy writes 1.0, 2.0 and 3.0 only");
        int lengthSize = major == 1 ? 2 : 4;
        ReadExactly(stream, preamble.Slice(8, lengthSize), where, "the header length");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long dataOffset = 8 + lengthSize + headerLength;
        if (dataOffset > length)
            throw new InvalidDataException($"{where}: the header claims {headerLength} bytes but only {length - 8 - lengthSize} follow (truncated?)");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, where, "the header");
        // 1.0 and 2.0 headers are latin1; 3.0 exists for UTF-8 (structured field names), format.py `_wrap_header`.
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var header = NpyHeader.Parse(text, where);
        var type = NpyType.Parse(header.Descr, where);
        if (type is null) return null;

        long numel = 1, dataLength;
        try
        {
            foreach (var d in header.Shape) numel = checked(numel * d);
            dataLength = checked(numel * type.Size);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where}: shape ({string.Join(", ", header.Shape)}) x {type.Size} bytes overflows");
        }
        if (dataLength != length - dataOffset)
            throw new InvalidDataException(
                $"{where}: shape ({string.Join(", ", header.Shape)}) of '{header.Descr}' needs {dataLength} data bytes but {length - dataOffset} follow the header" +
                (dataLength > length - dataOffset ? " (truncated?)" : ""));
        if (dataLength > int.MaxValue)
            throw new InvalidDataException($"{where}: a {dataLength}-byte array; arrays over 2 GiB are not supported");

        // Column-major data is the C-order array of the reversed shape; transposing back gives the logical array.
        long[] stored = header.FortranOrder ? [.. header.Shape.Reverse()] : header.Shape;
        var raw = empty(stored, dtype: type.RawType);
        try
        {
            if (dataLength > 0)
            {
                var bytes = raw.bytes;
                ReadExactly(stream, bytes, where, "the data");
                if (type.BigEndian == BitConverter.IsLittleEndian && type.Size > 1)
                    for (int i = 0; i < bytes.Length; i += type.Size) bytes.Slice(i, type.Size).Reverse();
            }
            var result = type.Widen(raw, where);
            if (!header.FortranOrder || header.Shape.Length < 2) return result;
            using (result)
                return result.permute([.. Enumerable.Range(0, header.Shape.Length).Reverse().Select(i => (long)i)]).contiguous();
        }
        finally
        {
            raw.Dispose();
        }
    }

    static void ReadExactly(Stream stream, Span<byte> buffer, string where, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{where}: ends inside {what} (truncated file?)", e);
        }
    }

    /// <summary>A numeric descr such as '&lt;f4': byte order, the tensor type the bytes are read as, and the result.</summary>
    sealed record NpyType(ScalarType RawType, int Size, bool BigEndian, Func<Tensor, string, Tensor> Widen)
    {
        static Tensor Same(Tensor t, string where) => t.alias();

        static readonly Dictionary<string, (ScalarType Raw, Func<Tensor, string, Tensor> Widen)> Kinds = new(StringComparer.Ordinal)
        {
            ["f2"] = (ScalarType.Float16, Same),
            ["f4"] = (ScalarType.Float32, Same),
            ["f8"] = (ScalarType.Float64, Same),
            ["i1"] = (ScalarType.Int8, Same),
            ["i2"] = (ScalarType.Int16, Same),
            ["i4"] = (ScalarType.Int32, Same),
            ["i8"] = (ScalarType.Int64, Same),
            ["u1"] = (ScalarType.Byte, Same),
            // Read as the signed type of the same width, then reinterpret: two's complement & mask = the unsigned value.
            ["u2"] = (ScalarType.Int16, (t, _) => t.to_type(ScalarType.Int32).bitwise_and_(0xFFFF)),
            ["u4"] = (ScalarType.Int32, (t, _) => t.to_type(ScalarType.Int64).bitwise_and_(0xFFFFFFFFL)),
            ["u8"] = (ScalarType.Int64, (t, where) =>
            {
                using (var anyNegative = t.lt(0).any())
                    if (anyNegative.item<bool>())
                        throw new InvalidDataException($"{where}: a uint64 array with values above {long.MaxValue}, which int64 tensors cannot hold");
                return t.alias();
            }),
            // numpy bools are single bytes 0/1; normalising any other byte keeps libtorch's bool invariant.
            ["b1"] = (ScalarType.Byte, (t, _) => t.ne(0)),
        };

        /// <summary>The type of <paramref name="descr"/>, or null for an object array.</summary>
        public static NpyType? Parse(string descr, string where)
        {
            if (descr is "|O" or "|O8" or "O") return null;
            if (descr.Length < 2)
                throw new InvalidDataException($"{where}: unsupported descr '{descr}'");
            char order = descr[0];
            var kind = descr[1..];
            if (order is not ('<' or '>' or '|' or '=') || !Kinds.TryGetValue(kind, out var k))
                throw new InvalidDataException(
                    $"{where}: unsupported descr '{descr}'; supported are [<>|=] + f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, and |O (skipped)");
            int size = kind[1] - '0';
            if (order == '|' && size > 1)
                throw new InvalidDataException($"{where}: descr '{descr}' has no byte order on a {size}-byte type");
            // '=' is native order; numpy itself never writes it (dtype.str spells '<' or '>').
            bool big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
            return new NpyType(k.Raw, size, big, k.Widen);
        }
    }
}
