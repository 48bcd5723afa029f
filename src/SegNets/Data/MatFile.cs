using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegNets.Backbones;
using SegNets.Imaging;

namespace SegNets.Data;

/// <summary>
/// A minimal reader of MATLAB level-5 MAT-files (MathWorks, "MAT-File Format", R2024: 128-byte header, tagged data
/// elements, miCOMPRESSED zlib elements, miMATRIX arrays) - just enough for SBD's cls/*.mat ground truth, a struct
/// <c>GTcls</c> whose field <c>Segmentation</c> is a uint8 matrix, and Pascal Context's trainval/*.mat, a uint16
/// matrix <c>LabelMap</c>. Numeric arrays (any class, real part) and structs
/// are decoded; other classes (cell, sparse, char, object) are skipped by their element size and read as
/// <see cref="MatArray"/> without data. Little-endian files only (what MATLAB and scipy.io.savemat write on x86).
/// </summary>
internal static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7,
        MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    private const int MxStructClass = 2;

    /// <summary>One array: its MATLAB class (mxCLASS id), dimensions, and either numeric data (column-major, as
    /// MATLAB stores it) or struct fields (one value per struct element).</summary>
    internal sealed record MatArray(string Name, int Class, int[] Dims, double[]? Data,
        IReadOnlyDictionary<string, MatArray[]>? Fields)
    {
        public bool IsStruct => Class == MxStructClass;
    }

    /// <summary>
    /// A 2-D numeric array's values in row-major order (MATLAB stores them column by column) with its height (rows)
    /// and width (columns). A value that is not an integer in 0..int.MaxValue becomes -1.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a 2-D numeric array (the message names it and its class and
    /// dimensions; the caller adds the file).</exception>
    public static (int[] Values, int Height, int Width) RowMajorIntegers(MatArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Data is null || array.Dims.Length != 2)
            throw new InvalidDataException(
                $"{array.Name} is not a 2-D numeric matrix (class {array.Class}, dims [{string.Join(", ", array.Dims)}])");
        int height = array.Dims[0], width = array.Dims[1];
        var values = new int[array.Data.Length];
        for (int c = 0; c < width; c++)
            for (int r = 0; r < height; r++)
            {
                double v = array.Data[(long)c * height + r];
                values[r * width + c] = v == Math.Floor(v) && v >= 0 && v <= int.MaxValue ? (int)v : -1;
            }
        return (values, height, width);
    }

    /// <summary>The file's top-level variables by name.</summary>
    public static Dictionary<string, MatArray> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no MAT-file at {path}", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            if (bytes.Length < 128) throw new InvalidDataException("truncated MAT-file (shorter than its 128-byte header)");
            if (bytes[126] == 'M' && bytes[127] == 'I')
                throw new InvalidDataException("a big-endian MAT-file; only little-endian files are read");
            if (bytes[126] != 'I' || bytes[127] != 'M' || BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(124)) != 0x0100)
                throw new InvalidDataException("not a level-5 MAT-file (no version 0x0100 / 'IM' endian mark at byte 124; "
                    + "MATLAB v4 and v7.3/HDF5 files are not read)");
            var variables = new Dictionary<string, MatArray>(StringComparer.Ordinal);
            int pos = 128;
            while (pos < bytes.Length)
            {
                var array = ReadElement(bytes, ref pos, topLevel: true);
                if (array is not null) variables[array.Name] = array;
            }
            return variables;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException or EndOfStreamException or OverflowException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    // One data element at pos (advanced past it). Returns the array of a miMATRIX (or of the miMATRIX inside a
    // miCOMPRESSED element); other element types at top level are skipped.
    private static MatArray? ReadElement(byte[] buffer, ref int pos, bool topLevel)
    {
        var (type, size, dataStart, next) = Tag(buffer, pos);
        pos = next;
        if (type == MiCompressed)
        {
            var inflated = Inflate(buffer.AsSpan(dataStart, size));
            int inner = 0;
            return ReadElement(inflated, ref inner, topLevel);
        }
        if (type != MiMatrix) return null;
        return size == 0 ? new MatArray("", 0, [0, 0], [], null) : ReadMatrix(buffer, dataStart, dataStart + size);
    }

    private static MatArray ReadMatrix(byte[] b, int pos, int end)
    {
        var flags = Element(b, ref pos, end);
        int mxClass = flags.Data.Length >= 1 ? flags.Data[0] : throw new InvalidDataException("miMATRIX without array flags");
        bool complex = flags.Data.Length >= 2 && (flags.Data[1] & 0x08) != 0;
        var dimsEl = Element(b, ref pos, end);
        var dims = new int[dimsEl.Data.Length / 4];
        for (int i = 0; i < dims.Length; i++) dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsEl.Data.AsSpan(4 * i));
        var name = Encoding.ASCII.GetString(Element(b, ref pos, end).Data);
        long count = 1;
        foreach (var d in dims) count *= d;

        if (mxClass == MxStructClass)
        {
            var lengthEl = Element(b, ref pos, end);
            int nameLength = BinaryPrimitives.ReadInt32LittleEndian(lengthEl.Data);
            var namesEl = Element(b, ref pos, end);
            if (nameLength <= 0) throw new InvalidDataException($"struct {name}: field name length {nameLength}");
            int fieldCount = namesEl.Data.Length / nameLength;
            var fieldNames = new string[fieldCount];
            for (int f = 0; f < fieldCount; f++)
                fieldNames[f] = Encoding.ASCII.GetString(namesEl.Data, f * nameLength, nameLength).TrimEnd('\0');
            var fields = fieldNames.ToDictionary(n => n, _ => new MatArray[count], StringComparer.Ordinal);
            // Field values are stored element by element, field by field within an element.
            for (long e = 0; e < count; e++)
                foreach (var field in fieldNames)
                {
                    var value = ReadElement(b, ref pos, topLevel: false)
                        ?? throw new InvalidDataException($"struct {name}: field {field} is not a miMATRIX element");
                    fields[field][e] = value with { Name = field };
                }
            return new MatArray(name, mxClass, dims, null, fields);
        }
        if (mxClass is >= 6 and <= 15 && !complex)
        {
            // Numeric classes (double, single, int8..uint64). The stored type may be narrower than the class
            // (MATLAB saves a double array of small integers as miUINT8); values are converted.
            var real = Element(b, ref pos, end);
            var data = ToDoubles(real.Type, real.Data, name);
            if (data.Length != count)
                throw new InvalidDataException($"array {name}: {data.Length} values for dimensions [{string.Join(", ", dims)}]");
            return new MatArray(name, mxClass, dims, data, null);
        }
        return new MatArray(name, mxClass, dims, null, null); // cell, sparse, char, logical/complex...: not decoded
    }

    private static (int Type, byte[] Data) Element(byte[] b, ref int pos, int end)
    {
        var (type, size, dataStart, next) = Tag(b, pos);
        if (dataStart + size > end) throw new InvalidDataException("a sub-element runs past its miMATRIX");
        pos = next;
        return (type, b.AsSpan(dataStart, size).ToArray());
    }

    // Parses the tag at pos: (type, byte count, where the data starts, where the next element starts).
    private static (int Type, int Size, int DataStart, int Next) Tag(byte[] b, int pos)
    {
        if (pos + 8 > b.Length && !(pos + 4 <= b.Length && (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos)) >> 16) != 0))
            throw new InvalidDataException($"truncated MAT-file (a data element tag at byte {pos} is cut)");
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos));
        if (first >> 16 != 0)
        {
            // Small data element: 2-byte size, 2-byte type, up to 4 bytes of data in the tag itself.
            int small = (int)(first >> 16);
            if (small > 4) throw new InvalidDataException($"small data element of {small} bytes at byte {pos}");
            return ((int)(first & 0xFFFF), small, pos + 4, pos + 8);
        }
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
        int type = (int)first;
        long dataEnd = pos + 8L + size;
        if (dataEnd > b.Length)
            throw new InvalidDataException($"truncated MAT-file (element of type {type} at byte {pos} needs {size} bytes, "
                + $"{b.Length - pos - 8} remain)");
        // Elements are padded to 8 bytes, except compressed ones (whose size is that of the zlib stream).
        long next = type == MiCompressed ? dataEnd : pos + 8L + ((size + 7) & ~7L);
        return (type, (int)size, pos + 8, (int)Math.Min(next, b.Length));
    }

    private static byte[] Inflate(ReadOnlySpan<byte> data)
    {
        using var input = new MemoryStream(data.ToArray());
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        try
        {
            zlib.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"corrupt miCOMPRESSED element ({e.Message})", e);
        }
        return output.ToArray();
    }

    private static double[] ToDoubles(int type, byte[] d, string name)
    {
        int width = type switch
        {
            MiInt8 or MiUInt8 => 1, MiInt16 or MiUInt16 => 2, MiInt32 or MiUInt32 or MiSingle => 4,
            MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw new InvalidDataException($"array {name}: unsupported data type {type}"),
        };
        var values = new double[d.Length / width];
        var s = d.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            var at = s[(i * width)..];
            values[i] = type switch
            {
                MiInt8 => (sbyte)at[0],
                MiUInt8 => at[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(at),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(at),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(at),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(at),
            };
        }
        return values;
    }
}
