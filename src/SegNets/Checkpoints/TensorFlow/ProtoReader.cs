using System.Buffers.Binary;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// A bounds-checked reader of the protobuf wire format (tag = field &lt;&lt; 3 | wire type; 0 varint, 1 fixed64,
/// 2 length-delimited, 5 fixed32), enough for the three small messages of a tensor bundle. Google.Protobuf reaches this
/// project through TorchSharp's dependency, but its generic exceptions cannot say which file and entry were bad,
/// and the generated classes would need the .proto files compiled in; so the messages are read by hand.
/// </summary>
ref struct ProtoReader(ReadOnlySpan<byte> data, string where)
{
    readonly ReadOnlySpan<byte> data = data;
    int position;

    public readonly string Where { get; } = where;

    public readonly bool AtEnd => position >= data.Length;

    /// <summary>Reads the next tag.</summary>
    public (int Field, int WireType) ReadTag()
    {
        ulong tag = ReadVarint();
        int field = (int)Math.Min(tag >> 3, int.MaxValue);
        if (field == 0) throw Error($"field number 0 at byte {position}");
        return (field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw Error($"a varint runs past the end ({data.Length} bytes)");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Error($"a varint longer than 10 bytes ending at byte {position}");
    }

    public uint ReadFixed32()
    {
        if (data.Length - position < 4) throw Error($"a fixed32 runs past the end ({data.Length} bytes)");
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
        position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(data.Length - position))
            throw Error($"a field of {length} bytes at byte {position} runs past the end ({data.Length} bytes)");
        var slice = data.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    /// <summary>Skips a field this reader does not use (proto3 readers ignore unknown fields).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1:
                if (data.Length - position < 8) throw Error($"a fixed64 runs past the end ({data.Length} bytes)");
                position += 8;
                break;
            case 2: ReadLengthDelimited(); break;
            case 5: ReadFixed32(); break;
            default: throw Error($"unsupported wire type {wireType} at byte {position}");
        }
    }

    /// <summary>Throws unless the field has the wire type its .proto declaration gives it.</summary>
    public readonly void Expect(int field, int wireType, int expected, string name)
    {
        if (wireType != expected)
            throw Error($"field {field} ({name}) has wire type {wireType}; expected {expected}");
    }

    public readonly InvalidDataException Error(string what) => new($"{Where}: malformed protobuf: {what}");
}
