using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// Reads every key/value of a LevelDB-format sorted table (SSTable), the format of a TensorFlow checkpoint's
/// `.index` file: TF's copy of LevelDB's table code is tensorflow/core/lib/io/{format,block_builder,table_builder}.cc.
/// Only what TF's BundleWriter can write is accepted: uncompressed blocks with intact CRCs and strictly increasing keys.
/// Every offset, length and count is checked against the file before it is used, so a truncated or hostile file
/// gets an <see cref="InvalidDataException"/> naming the file and block, never a crash or a huge allocation.
/// </summary>
static class LevelDbTable
{
    // google/leveldb@78a352f4 table/format.h:53 Footer::kEncodedLength = 2 * BlockHandle::kMaxEncodedLength (10 + 10) + 8.
    const int FooterLength = 48;
    const int HandlesLength = 40;
    // table/format.h:76 kTableMagicNumber, stored as fixed32 low then high (format.cc:37-38) = little-endian fixed64.
    const ulong Magic = 0xdb4775248b80fb57UL;
    // table/format.h:79 kBlockTrailerSize: 1 type byte + fixed32 masked CRC.
    const int TrailerLength = 5;

    public readonly record struct Entry(byte[] Key, byte[] Value);

    /// <summary>All entries in key order (a full scan: index block, then each data block it points to).</summary>
    public static List<Entry> ReadAll(string path)
    {
        using var handle = OpenRead(path);
        long length = RandomAccess.GetLength(handle);
        if (length < FooterLength)
            throw new InvalidDataException(
                $"{path}: {length} bytes is too short for a LevelDB table, whose footer alone is {FooterLength} bytes (truncated file?)");

        // google/leveldb@78a352f4 table/format.cc:43-66 Footer::DecodeFrom: magic first, then the two handles.
        var footer = new byte[FooterLength];
        ReadExactly(handle, footer, length - FooterLength, path, "footer");
        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(footer.AsSpan(HandlesLength));
        if (magic != Magic)
            throw new InvalidDataException(
                $"{path}: not a TensorFlow checkpoint index: the last 8 bytes are {Convert.ToHexString(footer, HandlesLength, 8)}; " +
                $"expected the LevelDB table magic 57FB808B247547DB (0x{Magic:x16} little-endian)");
        int p = 0;
        var span = footer.AsSpan(0, HandlesLength);
        var metaindex = DecodeHandle(span, ref p, path, "footer (metaindex handle)");
        var indexHandle = DecodeHandle(span, ref p, path, "footer (index handle)");
        long blocksEnd = length - FooterLength;
        CheckHandle(metaindex, blocksEnd, path, "metaindex block");
        CheckHandle(indexHandle, blocksEnd, path, "index block");
        // TF writes an empty metaindex (table_builder.cc Finish: "TODO(postrelease): Add stats and other meta
        // blocks") and ignores it when reading. It is checked here all the same (CRC, type, block structure) so that
        // no byte of the table outside the footer's padding goes unchecked; its entries, if any, are not used.
        string metaWhat = $"metaindex block at offset {metaindex.Offset} ({metaindex.Size} bytes)";
        ParseBlock(ReadBlock(handle, metaindex, path, metaWhat), path, metaWhat);

        string indexWhat = $"index block at offset {indexHandle.Offset} ({indexHandle.Size} bytes)";
        var indexBlock = ReadBlock(handle, indexHandle, path, indexWhat);
        var index = ParseBlock(indexBlock, path, indexWhat);

        var entries = new List<Entry>();
        byte[]? previousSeparator = null;
        for (int b = 0; b < index.Count; b++)
        {
            var (separator, value) = index[b];
            int q = 0;
            var blockHandle = DecodeHandle(value, ref q, path, $"{indexWhat}, entry {b}");
            if (q != value.Length)
                throw new InvalidDataException($"{path}: {indexWhat}, entry {b}: {value.Length - q} bytes after the block handle");
            string what = $"data block {b} at offset {blockHandle.Offset} ({blockHandle.Size} bytes)";
            CheckHandle(blockHandle, blocksEnd, path, what);
            var block = ParseBlock(ReadBlock(handle, blockHandle, path, what), path, what);
            if (block.Count == 0) throw new InvalidDataException($"{path}: {what} holds no entries; TF never writes an empty data block");
            // The index key of a block is >= its last key and < the next block's first key
            // (doc/table_format.md "index block"; table_builder.cc Add: FindShortestSeparator).
            if (previousSeparator is not null && Compare(block[0].Key, previousSeparator) <= 0)
                throw new InvalidDataException($"{path}: {what}: its first key '{Show(block[0].Key)}' is not after the previous block's index key '{Show(previousSeparator)}'");
            if (Compare(block[^1].Key, separator) > 0)
                throw new InvalidDataException($"{path}: {what}: its last key '{Show(block[^1].Key)}' is after its index key '{Show(separator)}'");
            if (entries.Count > 0 && Compare(block[0].Key, entries[^1].Key) <= 0)
                throw new InvalidDataException($"{path}: {what}: keys out of order at '{Show(block[0].Key)}'");
            entries.AddRange(block);
            previousSeparator = separator;
        }
        return entries;
    }

    static SafeFileHandle OpenRead(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: checkpoint index file not found", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: checkpoint index file not found", path, e);
        }
    }

    readonly record struct BlockHandle(long Offset, long Size);

    // table/format.cc:24-30 BlockHandle::DecodeFrom: varint64 offset, varint64 size.
    static BlockHandle DecodeHandle(ReadOnlySpan<byte> data, ref int position, string path, string what)
    {
        ulong offset = Varint64(data, ref position, path, what);
        ulong size = Varint64(data, ref position, path, what);
        if (offset > long.MaxValue || size > long.MaxValue)
            throw new InvalidDataException($"{path}: {what}: block handle offset {offset}, size {size} is out of range");
        return new BlockHandle((long)offset, (long)size);
    }

    static void CheckHandle(BlockHandle h, long blocksEnd, string path, string what)
    {
        // A block is its contents plus the trailer, and lies before the footer.
        if (h.Offset > blocksEnd || h.Size > blocksEnd - h.Offset || TrailerLength > blocksEnd - h.Offset - h.Size)
            throw new InvalidDataException(
                $"{path}: {what}: [{h.Offset}, {h.Offset} + {h.Size} + {TrailerLength}-byte trailer) reaches past the " +
                $"{blocksEnd} bytes before the footer (truncated file?)");
        if (h.Size < 4)
            throw new InvalidDataException($"{path}: {what}: {h.Size} bytes cannot hold a block's restart count (4 bytes)");
        if (h.Size > Array.MaxLength - TrailerLength)
            throw new InvalidDataException($"{path}: {what}: a block of {h.Size} bytes; TF's blocks are about 256 KiB");
    }

    // tensorflow/tensorflow@1d03228d tensorflow/core/lib/io/format.cc ReadBlock (= google/leveldb table/format.cc:69-):
    // read contents + trailer, check crc32c(contents + type byte) against the unmasked stored CRC, then the type.
    static byte[] ReadBlock(SafeFileHandle handle, BlockHandle h, string path, string what)
    {
        int n = (int)h.Size;
        var buffer = new byte[n + TrailerLength];
        ReadExactly(handle, buffer, h.Offset, path, what);
        uint stored = Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(n + 1)));
        uint actual = Crc32C.Compute(buffer.AsSpan(0, n + 1));
        if (stored != actual)
            throw new InvalidDataException(
                $"{path}: {what}: block checksum mismatch: stored CRC32C {stored:x8}, computed {actual:x8} (corrupt file?)");
        switch (buffer[n])
        {
            case 0: break; // kNoCompression (tensorflow/core/lib/io/table_options.h)
            case 1:
                throw new InvalidDataException(
                    $"{path}: {what} is Snappy-compressed; SegNets reads uncompressed tables only, which is what TF's " +
                    "BundleWriter writes (tensor_bundle.cc: compression = kNoCompression). Re-save the checkpoint with TensorFlow.");
            default:
                throw new InvalidDataException($"{path}: {what}: unknown block type {buffer[n]}; expected 0 (uncompressed)");
        }
        Array.Resize(ref buffer, n);
        return buffer;
    }

    /// <summary>
    /// Decodes a block: entries {varint32 shared, varint32 non_shared, varint32 value_length, key delta, value}, then
    /// fixed32 restarts[num_restarts], fixed32 num_restarts (tensorflow@5938c664 block_builder.cc header comment;
    /// google/leveldb@78a352f4 table/block.cc:20-40 NumRestarts and 48-76 DecodeEntry).
    /// </summary>
    static List<Entry> ParseBlock(byte[] block, string path, string what)
    {
        uint numRestarts = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(block.Length - 4));
        if (numRestarts == 0 || numRestarts > (uint)(block.Length - 4) / 4)
            throw new InvalidDataException(
                $"{path}: {what}: {numRestarts} restart points do not fit in a block of {block.Length} bytes");
        int restartsStart = block.Length - 4 - 4 * (int)numRestarts;
        var restarts = new int[numRestarts];
        for (int i = 0; i < restarts.Length; i++)
        {
            uint r = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(restartsStart + 4 * i));
            if (r > restartsStart || (i > 0 && r <= restarts[i - 1]))
                throw new InvalidDataException($"{path}: {what}: restart point {i} at {r} is out of order or past the entries ({restartsStart} bytes)");
            restarts[i] = (int)r;
        }
        if (restarts[0] != 0) throw new InvalidDataException($"{path}: {what}: the first restart point is {restarts[0]}; expected 0");

        var entries = new List<Entry>();
        var data = block.AsSpan(0, restartsStart);
        if (data.Length == 0) return entries; // an empty block (LevelDB's metaindex): restarts [0], count 1
        byte[] key = [];
        int p = 0, nextRestart = 0;
        while (p < data.Length)
        {
            int start = p;
            string at = $"{what}, entry {entries.Count} at byte {start}";
            int shared = Varint32(data, ref p, path, at);
            int nonShared = Varint32(data, ref p, path, at);
            int valueLength = Varint32(data, ref p, path, at);
            bool isRestart = nextRestart < restarts.Length && restarts[nextRestart] == start;
            if (isRestart) nextRestart++;
            else if (nextRestart < restarts.Length && restarts[nextRestart] < start)
                throw new InvalidDataException($"{path}: {what}: restart point {nextRestart} at {restarts[nextRestart]} is not at an entry");
            if (isRestart && shared != 0)
                throw new InvalidDataException($"{path}: {at}: a restart point shares {shared} key bytes; expected 0");
            if (shared > key.Length)
                throw new InvalidDataException($"{path}: {at}: shares {shared} bytes of a {key.Length}-byte previous key");
            if (nonShared > data.Length - p || valueLength > data.Length - p - nonShared)
                throw new InvalidDataException(
                    $"{path}: {at}: a {nonShared}-byte key suffix and {valueLength}-byte value run past the entries ({data.Length} bytes)");
            var next = new byte[shared + nonShared];
            key.AsSpan(0, shared).CopyTo(next);
            data.Slice(p, nonShared).CopyTo(next.AsSpan(shared));
            p += nonShared;
            if (entries.Count > 0 && Compare(next, key) <= 0)
                throw new InvalidDataException($"{path}: {at}: key '{Show(next)}' is not after '{Show(key)}'");
            entries.Add(new Entry(next, data.Slice(p, valueLength).ToArray()));
            p += valueLength;
            key = next;
        }
        if (nextRestart != restarts.Length)
            throw new InvalidDataException($"{path}: {what}: restart point {nextRestart} at {restarts[nextRestart]} is not at an entry");
        return entries;
    }

    static void ReadExactly(SafeFileHandle handle, byte[] buffer, long offset, string path, string what)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(done), offset + done);
            if (n == 0) throw new InvalidDataException($"{path}: {what}: the file ends at byte {offset + done}; expected {buffer.Length} bytes from {offset}");
            done += n;
        }
    }

    static ulong Varint64(ReadOnlySpan<byte> data, ref int position, string path, string what)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException($"{path}: {what}: a varint runs past the end");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException($"{path}: {what}: a varint64 longer than 10 bytes");
    }

    // google/leveldb@78a352f4 util/coding.cc:86-102 GetVarint32PtrFallback: at most 5 bytes.
    static int Varint32(ReadOnlySpan<byte> data, ref int position, string path, string what)
    {
        uint value = 0;
        for (int shift = 0; shift <= 28; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException($"{path}: {what}: a varint runs past the entries");
            byte b = data[position++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value <= int.MaxValue ? (int)value
                    : throw new InvalidDataException($"{path}: {what}: length {value} is out of range");
        }
        throw new InvalidDataException($"{path}: {what}: a varint32 longer than 5 bytes");
    }

    /// <summary>LevelDB's default BytewiseComparator (util/comparator.cc): unsigned byte order, shorter first.</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    public static string Show(byte[] key) => System.Text.Encoding.UTF8.GetString(key);
}
