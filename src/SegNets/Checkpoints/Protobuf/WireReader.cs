using System.Buffers.Binary;
using System.Text;

namespace SegNets.Checkpoints.Protobuf;

/// <summary>
/// A bounds-checked cursor over one protobuf message in a byte array, for the few messages SegNets reads by hand:
/// ONNX's ModelProto/GraphProto/TensorProto and TensorFlow's BundleHeaderProto/BundleEntryProto. Per the encoding
/// guide (https://protobuf.dev/programming-guides/encoding/) a message is a run of records, each a tag varint
/// (field number &lt;&lt; 3 | <see cref="WireType"/>) and then a value whose length the wire type gives.
/// </summary>
/// <remarks>
/// Every read is checked against the end of its message before it happens, so a damaged file fails here with an
/// <see cref="InvalidDataException"/> naming <see cref="Where"/> (the file and message) and the byte offset in the
/// array, instead of reading a neighbouring field's bytes. Google.Protobuf reaches this project through TorchSharp,
/// but its exceptions cannot say which file, tensor or entry was bad, and its generated classes would need the .proto
/// files compiled in.
/// </remarks>
internal sealed class WireReader
{
    readonly byte[] data;
    readonly int end;
    int position;

    /// <summary>A reader of the message that fills <paramref name="data"/>.</summary>
    public WireReader(byte[] data, string where) : this(data, 0, data.Length, where) { }

    WireReader(byte[] data, int start, int end, string where)
    {
        this.data = data;
        position = start;
        this.end = end;
        Where = where;
    }

    /// <summary>What is being read, for error messages (e.g. "model.onnx: initializer #3").</summary>
    public string Where { get; }

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool Next(out int field, out WireType wireType)
    {
        if (position >= end)
        {
            field = 0;
            wireType = WireType.Varint;
            return false;
        }
        ulong tag = ReadVarint();
        field = (int)Math.Min(tag >> 3, int.MaxValue);
        wireType = (WireType)(tag & 7);
        // The guide's field numbers start at 1; a 0 is what zeroed or misaligned bytes look like.
        if (field == 0) throw Error("field number 0");
        return true;
    }

    /// <summary>
    /// A base-128 varint: 7 bits a byte, least significant first, the high bit set on every byte but the last; a 64-bit
    /// value takes at most 10 bytes, so an 11th is an error rather than a shift past 64 bits.
    /// </summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= end) throw Error("a varint runs past the end of its message (truncated file?)");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Error("a varint longer than 10 bytes");
    }

    /// <summary>An I32 value; fixed-width values are little-endian whatever the host.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(Take(4, "a fixed32"), 4));

    /// <summary>The payload of a LEN field (bytes), without copying.</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var (start, length) = LengthDelimited();
        return data.AsMemory(start, length);
    }

    /// <summary>A LEN field holding a string, which protobuf encodes as UTF-8.</summary>
    public string ReadString()
    {
        var (start, length) = LengthDelimited();
        return Encoding.UTF8.GetString(data, start, length);
    }

    /// <summary>A LEN field holding an embedded message, encoded exactly as a top-level one.</summary>
    public WireReader ReadMessage(string where)
    {
        var (start, length) = LengthDelimited();
        return new WireReader(data, start, start + length, where);
    }

    /// <summary>
    /// Appends a repeated varint field's values. Such a field may come as one record per value or "packed" (one LEN
    /// record of varints back to back, proto3's default), and parsers must accept both ("Packed Repeated Fields").
    /// </summary>
    public void ReadRepeatedVarints(WireType wireType, List<ulong> into)
    {
        if (wireType == WireType.Varint)
        {
            into.Add(ReadVarint());
            return;
        }
        if (wireType != WireType.LengthDelimited) throw Error($"a repeated varint field with wire type {wireType}");
        var packed = ReadMessage(Where);
        while (packed.position < packed.end) into.Add(packed.ReadVarint());
    }

    /// <summary>
    /// Appends the raw little-endian bytes of a repeated fixed32/float (<paramref name="width"/> 4) or fixed64/double
    /// (8) field, packed or not, as <see cref="ReadRepeatedVarints"/>.
    /// </summary>
    public void ReadRepeatedFixed(WireType wireType, int width, List<byte> into)
    {
        if (width is not (4 or 8)) throw new ArgumentOutOfRangeException(nameof(width), width, "4 or 8");
        if (wireType == (width == 4 ? WireType.Fixed32 : WireType.Fixed64))
        {
            into.AddRange(data.AsSpan(Take((ulong)width, $"a fixed{width * 8}"), width));
            return;
        }
        if (wireType != WireType.LengthDelimited) throw Error($"a repeated fixed{width * 8} field with wire type {wireType}");
        var (start, length) = LengthDelimited();
        if (length % width != 0) throw Error($"a packed fixed{width * 8} field of {length} bytes");
        into.AddRange(data.AsSpan(start, length));
    }

    /// <summary>Skips a field the caller does not use: parsers must skip unknown fields, which the wire type allows.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8, "a fixed64"); break;
            case WireType.LengthDelimited: LengthDelimited(); break;
            case WireType.Fixed32: Take(4, "a fixed32"); break;
            // Groups are deprecated and used by neither ONNX nor TensorFlow's bundle; 6 and 7 are not wire types at all.
            default: throw Error($"wire type {(int)wireType} (groups and unknown wire types are not supported)");
        }
    }

    /// <summary>Throws unless a field has the wire type its .proto declaration gives it.</summary>
    public void Expect(int field, WireType wireType, WireType expected, string name)
    {
        if (wireType != expected) throw Error($"field {field} ({name}) has wire type {wireType}; expected {expected}");
    }

    /// <summary>An error naming <see cref="Where"/> and the current byte offset.</summary>
    public InvalidDataException Error(string what) => new($"{Where}: malformed protobuf at byte {position}: {what}");

    /// <summary>A LEN field's payload bounds (length varint, then that many bytes); the cursor moves past it.</summary>
    (int Start, int Length) LengthDelimited()
    {
        ulong length = ReadVarint();
        int start = Take(length, $"a field of {length} bytes");
        return (start, (int)length);
    }

    /// <summary>Moves past <paramref name="count"/> bytes, checked against the message's end; returns where they start.</summary>
    int Take(ulong count, string what)
    {
        if (count > (ulong)(end - position))
            throw Error($"{what} runs past the end of its message ({end - position} bytes left; truncated file?)");
        int start = position;
        position += (int)count;
        return start;
    }
}
