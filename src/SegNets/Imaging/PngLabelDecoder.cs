using System.Buffers.Binary;
using System.IO.Compression;

namespace SegNets.Imaging;

/// <summary>
/// A PNG decoder that returns the STORED sample of each pixel - the palette index of a palette image, the grey value of
/// a grey image - never a colour. Label maps are stored that way (VOC's SegmentationClass PNGs are palette images whose
/// index is the class; Cityscapes, ADE20K and CamVid store the class as an 8-bit grey value), and a colour decoder
/// such as SkiaSharp's would turn the index into its palette colour. Written from the PNG specification (W3C PNG,
/// second edition: 5 datastream, 7 scanlines and Adam7, 9 filters, 11.2 IHDR/PLTE).
/// </summary>
internal static class PngLabelDecoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    // Adam7 passes: (x0, y0, dx, dy) - PNG spec 8.2.
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Decoded samples, row-major, one int per pixel.</summary>
    internal sealed record Result(int Width, int Height, int[] Values, int ColorType, int BitDepth);

    public static Result Decode(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no label image at {path}", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static Result Decode(byte[] file, string path)
    {
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(Signature))
            throw new InvalidDataException($"{path}: not a PNG file (no PNG signature); label maps must be PNG");
        int pos = 8, width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
        var idat = new MemoryStream();
        bool sawHeader = false, sawEnd = false;
        while (pos < file.Length)
        {
            if (pos + 8 > file.Length) throw Truncated(path, "inside a chunk header");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(file, pos + 4, 4);
            if (length > int.MaxValue || pos + 12L + length > file.Length) throw Truncated(path, $"inside chunk {type}");
            var data = file.AsSpan(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + (int)length));
            uint crc = Crc32.Compute(file.AsSpan(pos + 4, 4 + (int)length));
            if (crc != stored)
                throw new InvalidDataException($"{path}: bad CRC in chunk {type} at byte {pos} (stored {stored:x8}, computed {crc:x8}); the file is corrupt");
            if (!sawHeader && type != "IHDR") throw new InvalidDataException($"{path}: first chunk is {type}, not IHDR");
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new InvalidDataException($"{path}: IHDR has {length} bytes, not 13");
                    width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0)
                        throw new InvalidDataException($"{path}: unknown compression ({data[10]}) or filter method ({data[11]})");
                    interlace = data[12];
                    if (interlace > 1) throw new InvalidDataException($"{path}: unknown interlace method {interlace}");
                    if (width <= 0 || height <= 0) throw new InvalidDataException($"{path}: empty image {width}x{height}");
                    CheckFormat(path, colorType, bitDepth);
                    sawHeader = true;
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // PLTE (the colours are not needed: the index is the label), tRNS, gAMA, text... are skipped.
                    // An unknown critical chunk (upper-case first letter) changes the meaning of the data.
                    if (char.IsUpper(type[0]) && type != "PLTE")
                        throw new InvalidDataException($"{path}: unknown critical chunk {type}");
                    break;
            }
            pos += 12 + (int)length;
            if (sawEnd) break;
        }
        if (!sawHeader) throw Truncated(path, "before the IHDR chunk");
        if (!sawEnd) throw Truncated(path, "before the IEND chunk");
        if (idat.Length == 0) throw new InvalidDataException($"{path}: no IDAT chunk (no pixel data)");

        int channels = colorType switch { 0 => 1, 3 => 1, 4 => 2, _ => throw new InvalidOperationException() };
        int bitsPerPixel = channels * bitDepth;
        int bpp = Math.Max(1, bitsPerPixel / 8);
        var values = new int[(long)width * height];

        idat.Position = 0;
        using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
        try
        {
            if (interlace == 0)
            {
                DecodePass(inflate, width, height, bitsPerPixel, bpp, bitDepth, channels, values, width, 0, 0, 1, 1, path);
            }
            else
            {
                foreach (var (x0, y0, dx, dy) in Adam7)
                {
                    int pw = (width - x0 + dx - 1) / dx, ph = (height - y0 + dy - 1) / dy;
                    if (pw <= 0 || ph <= 0) continue;
                    DecodePass(inflate, pw, ph, bitsPerPixel, bpp, bitDepth, channels, values, width, x0, y0, dx, dy, path);
                }
            }
        }
        catch (EndOfStreamException)
        {
            throw Truncated(path, "in the compressed pixel data (fewer scanlines than the header's size)");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt compressed pixel data ({e.Message})", e);
        }
        return new Result(width, height, values, colorType, bitDepth);
    }

    private static void CheckFormat(string path, int colorType, int bitDepth)
    {
        bool ok = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            4 => bitDepth is 8 or 16,
            2 or 6 => throw new InvalidDataException(
                $"{path}: an RGB{(colorType == 6 ? "A" : "")} PNG; label maps are read as palette indices or grey values "
                + "(colour-coded label images need a colour-to-class table, which this reader does not apply)"),
            _ => throw new InvalidDataException($"{path}: unsupported PNG colour type {colorType}"),
        };
        if (!ok) throw new InvalidDataException($"{path}: invalid bit depth {bitDepth} for PNG colour type {colorType}");
    }

    private static void DecodePass(Stream inflate, int w, int h, int bitsPerPixel, int bpp, int bitDepth, int channels,
        int[] values, int fullWidth, int x0, int y0, int dx, int dy, string path)
    {
        int rowBytes = (int)(((long)w * bitsPerPixel + 7) / 8);
        var prior = new byte[rowBytes];
        var row = new byte[rowBytes];
        Span<byte> filter = stackalloc byte[1];
        for (int y = 0; y < h; y++)
        {
            inflate.ReadExactly(filter);
            inflate.ReadExactly(row);
            Unfilter(filter[0], row, prior, bpp, path, y);
            int outRow = (y0 + y * dy) * fullWidth;
            for (int x = 0; x < w; x++)
            {
                int value;
                if (bitDepth < 8)
                {
                    // Sub-byte samples are packed from the most significant bit (spec 7.2).
                    int bit = x * bitDepth;
                    value = (row[bit >> 3] >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
                }
                else if (bitDepth == 8)
                {
                    value = row[x * channels];
                }
                else
                {
                    value = (row[x * 2 * channels] << 8) | row[x * 2 * channels + 1];
                }
                values[outRow + x0 + x * dx] = value; // grey + alpha: the grey sample, alpha dropped
            }
            (prior, row) = (row, prior);
        }
    }

    private static void Unfilter(byte type, byte[] row, byte[] prior, int bpp, string path, int y)
    {
        switch (type)
        {
            case 0:
                break;
            case 1: // Sub
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2: // Up
                for (int i = 0; i < row.Length; i++) row[i] += prior[i];
                break;
            case 3: // Average
                for (int i = 0; i < row.Length; i++)
                    row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + prior[i]) >> 1);
                break;
            case 4: // Paeth
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default:
                throw new InvalidDataException($"{path}: unknown filter type {type} on scanline {y}; the file is corrupt");
        }
    }

    private static InvalidDataException Truncated(string path, string where) =>
        new($"{path}: truncated PNG (the file ends {where})");

    private static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            uint c = 0xFFFFFFFFu;
            foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
            return c ^ 0xFFFFFFFFu;
        }
    }
}
