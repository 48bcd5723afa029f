using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and LevelDB's masking of stored CRCs. TensorFlow checkpoints
/// use it for block trailers (tensorflow/core/lib/io/format.cc `ReadBlock`) and for every tensor's bytes
/// (tensor_bundle.cc `BundleReader::GetValue`). The SSE4.2 / ARMv8 CRC32C instructions compute exactly this
/// polynomial; a table serves other machines.
/// </summary>
static class Crc32C
{
    // google/leveldb@78a352f4 util/crc32c.h:22 kMaskDelta.
    const uint MaskDelta = 0xa282ead8u;

    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>crc32c::Value: the CRC of <paramref name="data"/> (pre- and post-inverted).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Extend(0, data);

    /// <summary>crc32c::Extend: continues a CRC returned by <see cref="Compute"/> over more bytes.</summary>
    public static uint Extend(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        int i = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong c64 = c;
            for (; i + 8 <= data.Length; i += 8) c64 = Sse42.X64.Crc32(c64, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
            c = (uint)c64;
        }
        else if (Crc32.Arm64.IsSupported)
        {
            for (; i + 8 <= data.Length; i += 8) c = Crc32.Arm64.ComputeCrc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }
        for (; i < data.Length; i++) c = Table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    /// <summary>leveldb util/crc32c.h:29-32: rotate right by 15 bits and add a constant, so that a CRC stored next to
    /// the bytes it covers does not make the CRC of both trivially zero.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;

    /// <summary>leveldb util/crc32c.h:35-38: the inverse of <see cref="Mask"/>.</summary>
    public static uint Unmask(uint masked)
    {
        uint rot = masked - MaskDelta;
        return (rot >> 17) | (rot << 15);
    }
}
