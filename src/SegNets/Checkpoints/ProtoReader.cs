using System.Text;

namespace SegNets.Checkpoints;

/// <summary>
/// A cursor over one protobuf message in a byte array: tag = field &lt;&lt; 3 | wire type (0 varint, 1 fixed64,
/// 2 length-delimited, 5 fixed32), per protobuf's encoding guide (protobuf.dev/programming-guides/encoding). Every
/// length is checked against the message's end, so a damaged file fails here, naming <c>where</c>.
/// </summary>
internal sealed class ProtoReader(byte[] data, int start, int end, string where)
{
    int pos = start;

    public string Where => where;

    public byte[] Data => data;

    bool AtEnd => pos >= end;

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next(out int field, out int wireType)
    {
        if (pos >= end)
        {
            field = wireType = 0;
            return false;
        }
        ulong tag = Varint();
        field = (int)Math.Min(tag >> 3, int.MaxValue);
        wireType = (int)(tag & 7);
        if (field == 0) throw Error("field number 0");
        return true;
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end) throw Error("a varint runs past the end of its message (truncated file?)");
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Error("a varint longer than 10 bytes");
    }

    public uint Fixed32()
    {
        if (end - pos < 4) throw Error("a fixed32 runs past the end of its message (truncated file?)");
        var v = BitConverter.ToUInt32(data, pos);
        pos += 4;
        return v;
    }

    public ulong Fixed64()
    {
        if (end - pos < 8) throw Error("a fixed64 runs past the end of its message (truncated file?)");
        var v = BitConverter.ToUInt64(data, pos);
        pos += 8;
        return v;
    }

    /// <summary>The bounds of a length-delimited field's payload; the cursor moves past it.</summary>
    public (int Start, int Length) Bytes()
    {
        ulong length = Varint();
        if (length > (ulong)(end - pos))
            throw Error($"a field of {length} bytes runs past the end of its message ({end - pos} bytes left; truncated file?)");
        var result = (pos, (int)length);
        pos += (int)length;
        return result;
    }

    public string String()
    {
        var (s, n) = Bytes();
        return Encoding.UTF8.GetString(data, s, n);
    }

    public ProtoReader Message(string what)
    {
        var (s, n) = Bytes();
        return new ProtoReader(data, s, s + n, what);
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: Varint(); break;
            case 1: Fixed64(); break;
            case 2: Bytes(); break;
            case 5: Fixed32(); break;
            default: throw Error($"wire type {wireType} (groups and unknown types are not used by ONNX)");
        }
    }

    /// <summary>Appends the values of a repeated varint field, packed (wire type 2) or not (0).</summary>
    public void Varints(int wireType, List<ulong> into)
    {
        if (wireType == 0)
        {
            into.Add(Varint());
            return;
        }
        if (wireType != 2) throw Error($"a repeated varint field with wire type {wireType}");
        var packed = Message(where);
        while (!packed.AtEnd) into.Add(packed.Varint());
    }

    /// <summary>Appends the raw little-endian bytes of a repeated fixed-width field, packed or not.</summary>
    public void Fixed(int wireType, int width, List<byte> into)
    {
        if (wireType == (width == 4 ? 5 : 1))
        {
            if (end - pos < width) throw Error("a fixed-width value runs past the end of its message (truncated file?)");
            into.AddRange(data.AsSpan(pos, width));
            pos += width;
            return;
        }
        if (wireType != 2) throw Error($"a repeated fixed{width * 8} field with wire type {wireType}");
        var (s, n) = Bytes();
        if (n % width != 0) throw Error($"a packed fixed{width * 8} field of {n} bytes");
        into.AddRange(data.AsSpan(s, n));
    }

    public InvalidDataException Error(string what) => new($"{where}: bad protobuf at byte {pos}: {what}");
}
