using SegNets.Checkpoints.Protobuf;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// A parsed BundleEntryProto (tensorflow/tensorflow@1ae86a2a tensorflow/core/protobuf/tensor_bundle.proto):
/// dtype = 1, shape = 2, shard_id = 3, offset = 4, size = 5, crc32c = 6 (fixed32, masked), slices = 7.
/// </summary>
sealed record BundleEntry(string Key, int DType, long[] Shape, int ShardId, long Offset, long Size, uint MaskedCrc, bool HasSlices)
{
    // TensorShape::MaxDimensions() in tensorflow/core/framework/tensor_shape.h.
    const int MaxRank = 254;

    public static BundleEntry Parse(string key, byte[] value, string where)
    {
        var r = new WireReader(value, where);
        long dtype = 0, shardId = 0, offset = 0, size = 0;
        uint crc = 0;
        long[] shape = [];
        bool slices = false;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(field, wire, WireType.Varint, "dtype"); dtype = (long)r.ReadVarint(); break;
                case 2: r.Expect(field, wire, WireType.LengthDelimited, "shape"); shape = ParseShape(r.ReadMessage(where + ": shape"), where); break;
                case 3: r.Expect(field, wire, WireType.Varint, "shard_id"); shardId = (long)r.ReadVarint(); break;
                case 4: r.Expect(field, wire, WireType.Varint, "offset"); offset = (long)r.ReadVarint(); break;
                case 5: r.Expect(field, wire, WireType.Varint, "size"); size = (long)r.ReadVarint(); break;
                case 6: r.Expect(field, wire, WireType.Fixed32, "crc32c"); crc = r.ReadFixed32(); break;
                case 7: r.Expect(field, wire, WireType.LengthDelimited, "slices"); r.Skip(wire); slices = true; break;
                default: r.Skip(wire); break;
            }
        }
        if (dtype is < 0 or > int.MaxValue) throw new InvalidDataException($"{where}: dtype {dtype} is out of range");
        if (shardId is < 0 or > int.MaxValue) throw new InvalidDataException($"{where}: shard_id {shardId} is out of range");
        if (offset < 0) throw new InvalidDataException($"{where}: offset {offset} is negative");
        if (size < 0) throw new InvalidDataException($"{where}: size {size} is negative");
        return new BundleEntry(key, (int)dtype, shape, (int)shardId, offset, size, crc, slices);
    }

    // TensorShapeProto (tensor_shape.proto): repeated Dim dim = 2 {int64 size = 1; string name = 2}, bool unknown_rank = 3.
    // TF refuses shapes that are not fully known (BundleReader::GetBundleEntryProto: TensorShape::IsValid).
    static long[] ParseShape(WireReader r, string where)
    {
        var dims = new List<long>();
        while (r.Next(out int field, out var wire))
        {
            if (field == 2)
            {
                r.Expect(field, wire, WireType.LengthDelimited, "dim");
                var d = r.ReadMessage(where + ": shape dim");
                long size = 0;
                while (d.Next(out int f, out var w))
                {
                    if (f == 1) { d.Expect(f, w, WireType.Varint, "size"); size = (long)d.ReadVarint(); }
                    else d.Skip(w);
                }
                if (size < 0) throw new InvalidDataException($"{where}: shape dimension {dims.Count} is {size}; a checkpoint needs known sizes");
                dims.Add(size);
                if (dims.Count > MaxRank) throw new InvalidDataException($"{where}: shape has more than {MaxRank} dimensions");
            }
            else if (field == 3)
            {
                r.Expect(field, wire, WireType.Varint, "unknown_rank");
                if (r.ReadVarint() != 0) throw new InvalidDataException($"{where}: shape of unknown rank; a checkpoint needs a known shape");
            }
            else r.Skip(wire);
        }
        return [.. dims];
    }

    /// <summary>The number of elements, or an error when the shape's product overflows.</summary>
    public long Count(string where)
    {
        long n = 1;
        foreach (long d in Shape)
            if (d != 0 && n > long.MaxValue / d) throw new InvalidDataException($"{where}: shape [{string.Join(", ", Shape)}] has too many elements");
            else n *= d;
        return n;
    }
}
