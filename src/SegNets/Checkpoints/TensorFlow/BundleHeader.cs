using SegNets.Checkpoints.Protobuf;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// The BundleHeaderProto under key "" (tensor_bundle.proto: num_shards = 1, endianness = 2 (LITTLE 0, BIG 1; it
/// describes the tensor bytes only), version = 3 (VersionDef: producer = 1, min_consumer = 2, bad_consumers = 3)).
/// </summary>
sealed record BundleHeader(int NumShards, bool BigEndian)
{
    // tensorflow/tensorflow@00f0938a tensor_bundle.cc: kTensorBundleVersion = 1; the BundleReader constructor calls
    // CheckVersions(header.version(), kTensorBundleVersion, kTensorBundleMinProducer = 0, ...).
    const int ReaderVersion = 1;
    // DataFilename prints shard numbers with %05d (naming.cc).
    const int MaxShards = 99999;

    public static BundleHeader Parse(byte[] value, string where)
    {
        var r = new WireReader(value, where);
        long numShards = 0, endianness = 0;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(field, wire, WireType.Varint, "num_shards"); numShards = (long)r.ReadVarint(); break;
                case 2: r.Expect(field, wire, WireType.Varint, "endianness"); endianness = (long)r.ReadVarint(); break;
                case 3: r.Expect(field, wire, WireType.LengthDelimited, "version"); CheckVersion(r.ReadMessage(where + ": version"), where); break;
                default: r.Skip(wire); break;
            }
        }
        if (numShards is < 1 or > MaxShards)
            throw new InvalidDataException($"{where}: num_shards is {numShards}; expected 1 to {MaxShards}");
        if (endianness is not (0 or 1))
            throw new InvalidDataException($"{where}: endianness is {endianness}; expected 0 (LITTLE) or 1 (BIG)");
        return new BundleHeader((int)numShards, endianness == 1);
    }

    static void CheckVersion(WireReader r, string where)
    {
        long minConsumer = 0;
        var bad = new List<ulong>();
        while (r.Next(out int field, out var wire))
        {
            if (field == 2) { r.Expect(field, wire, WireType.Varint, "min_consumer"); minConsumer = (long)r.ReadVarint(); }
            else if (field == 3) r.ReadRepeatedVarints(wire, bad);
            else r.Skip(wire);
        }
        if (minConsumer > ReaderVersion)
            throw new InvalidDataException(
                $"{where}: the checkpoint needs a reader of bundle version {minConsumer} or newer; this one reads version {ReaderVersion}");
        if (bad.Contains(ReaderVersion))
            throw new InvalidDataException($"{where}: the checkpoint disallows readers of bundle version {ReaderVersion} (bad_consumers)");
    }
}
