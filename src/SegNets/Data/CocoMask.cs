using System.Text;

namespace SegNets.Data;

/// <summary>
/// COCO's run-length masks, transcribed from the COCO API's C core so that masks come out pixel for pixel as
/// pycocotools makes them: cocodataset/cocoapi@8c9bcc3cf640524c4c20a9c40e89cb6a2f2fa0e9:common/maskApi.c (cited by
/// line below). An RLE is a list of run lengths over the image in column-major order (x outer, y inner), starting with
/// a run of zeros; the runs sum to height × width.
/// </summary>
public static class CocoMask
{
    /// <summary>
    /// Rasterises one polygon (x0, y0, x1, y1, ...) as maskApi.c <c>rleFrPoly</c> (lines 162-202) does: the outline
    /// is traced on a 5x upsampled grid, the points where it crosses pixel-column centres are taken back to the image
    /// grid, and each such crossing toggles the mask along its column. An odd trailing coordinate is ignored, as
    /// pycocotools' <c>frPoly</c> passes <c>int(len(p)/2)</c> points.
    /// </summary>
    public static uint[] FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        CheckSize(height, width);
        const double scale = 5;
        int k = xy.Length / 2;
        // lines 165-168: vertices on the upsampled grid, (int)(v+.5) truncating toward zero as C does; closed ring.
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++) x[j] = (int)(scale * xy[j * 2] + .5);
        for (int j = 0; j < k; j++) y[j] = (int)(scale * xy[j * 2 + 1] + .5);
        if (k > 0) { x[k] = x[0]; y[k] = y[0]; }
        long m = 0;
        for (int j = 0; j < k; j++) m += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        var u = new int[m];
        var v = new int[m];
        m = 0;
        // lines 170-181: every edge as dense points, always walked from its start to its end (the flip only changes
        // the arithmetic), stepping along its longer axis.
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            // For a zero-length edge C computes 0/0 = NaN and stores (int)NaN; that point repeats its neighbours' x
            // and is never read below (line 185 skips equal x), so any slope gives the same mask. 0 avoids the NaN.
            double s = dx >= dy ? (dx == 0 ? 0 : (double)(ye - ys) / dx) : (double)(xe - xs) / dy;
            if (dx >= dy)
            {
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs; v[m] = (int)(ys + s * t + .5); m++;
                }
            }
            else
            {
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys; u[m] = (int)(xs + s * t + .5); m++;
                }
            }
        }
        // lines 182-191: where the outline steps to another upsampled column, keep it if that is a pixel-column
        // centre inside the image; its row is the upper of the two points, back on the image grid, clamped to [0, h].
        long points = m;
        var bx = new int[points];
        var by = new int[points];
        m = 0;
        for (long j = 1; j < points; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / scale - .5;
            if (yd < 0) yd = 0; else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            bx[m] = (int)xd; by[m] = (int)yd; m++;
        }
        // lines 192-201: crossings as column-major positions, sorted, differenced into runs; zero-length runs merge
        // their neighbours (two crossings at one position cancel).
        long count = m;
        var a = new uint[count + 1];
        for (long j = 0; j < count; j++) a[j] = (uint)(bx[j] * height + by[j]);
        a[count++] = (uint)((long)height * width);
        Array.Sort(a);
        uint p = 0;
        for (long j = 0; j < count; j++) { uint t = a[j]; a[j] -= p; p = t; }
        var b = new List<uint>((int)count) { a[0] };
        for (long j = 1; j < count;)
        {
            if (a[j] > 0) b.Add(a[j++]);
            else { j++; if (j < count) b[^1] += a[j++]; }
        }
        return [.. b];
    }

    /// <summary>A box (x, y, w, h) as a 4-point polygon, maskApi.c <c>rleFrBbox</c> (lines 149-156).</summary>
    public static uint[] FromBox(double x, double y, double w, double h, int height, int width)
    {
        double xs = x, xe = xs + w, ys = y, ye = ys + h;
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    /// <summary>
    /// Decodes COCO's compressed RLE string, maskApi.c <c>rleFrString</c> (lines 218-231): LEB128-like, 5 bits per
    /// character in ASCII 48..111 ('0'..'o'), bit 0x20 = more characters follow, bit 0x10 of the last = negative;
    /// from the fourth count on each value is the difference to the count two places back.
    /// </summary>
    /// <exception cref="FormatException">A character outside '0'..'o', a count cut off at the end of the string, a
    /// count longer than 6 characters or a negative run length.</exception>
    public static uint[] FromString(string counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var cnts = new List<uint>();
        int p = 0;
        while (p < counts.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= counts.Length)
                    throw new FormatException($"compressed RLE ends inside count {cnts.Count} (its last character has the 'more' bit 0x20)");
                int c = counts[p] - 48;
                if (c < 0 || c > 63)
                    throw new FormatException($"compressed RLE has '{counts[p]}' at {p}; characters are '0'..'o' (ASCII 48..111)");
                // C shifts an int here (line 224), so a count has at most 6 characters (30 bits) in practice.
                if (k >= 6)
                    throw new FormatException($"compressed RLE count {cnts.Count} is longer than 6 characters");
                x |= (long)((c & 0x1f) << (5 * k));
                more = (c & 0x20) != 0;
                p++; k++;
                if (!more && (c & 0x10) != 0) x |= (long)(-1 << (5 * k));
            }
            if (cnts.Count > 2) x += cnts[^2];
            if (x < 0 || x > uint.MaxValue)
                throw new FormatException($"compressed RLE count {cnts.Count} decodes to {x}, not a run length");
            cnts.Add((uint)x);
        }
        return [.. cnts];
    }

    /// <summary>Encodes run lengths as COCO's compressed string, maskApi.c <c>rleToString</c> (lines 204-216).</summary>
    public static string ToCompressedString(ReadOnlySpan<uint> counts)
    {
        var s = new StringBuilder(counts.Length * 2);
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.Append((char)(c + 48));
            }
        }
        return s.ToString();
    }

    /// <summary>
    /// Sets to 1 the pixels of <paramref name="rowMajor"/> (height × width, row-major as a tensor (H, W)) that are
    /// inside the RLE, as maskApi.c <c>rleDecode</c> (lines 43-47) does in column-major order; other pixels keep
    /// their value, so decoding several RLEs into one buffer is their union (<c>rleMerge</c>).
    /// </summary>
    /// <exception cref="FormatException">The runs do not sum to height × width (pycocotools would read or write
    /// past its buffer).</exception>
    public static void DecodeInto(ReadOnlySpan<uint> counts, int height, int width, Span<byte> rowMajor)
    {
        CheckSize(height, width);
        long area = (long)height * width;
        if (rowMajor.Length != area)
            throw new ArgumentException($"buffer holds {rowMajor.Length} pixels, the mask {height}x{width}", nameof(rowMajor));
        long total = 0;
        foreach (var c in counts) total += c;
        if (total != area)
            throw new FormatException($"RLE runs sum to {total}, not {height}x{width} = {area}");
        long pos = 0;
        bool on = false;
        foreach (var c in counts)
        {
            if (on)
            {
                for (long t = pos; t < pos + c; t++)
                {
                    long col = t / height, row = t - col * height;
                    rowMajor[(int)(row * width + col)] = 1;
                }
            }
            pos += c;
            on = !on;
        }
    }

    static void CheckSize(int height, int width)
    {
        if (height <= 0 || width <= 0 || (long)height * width > int.MaxValue)
            throw new ArgumentException($"mask size {height}x{width} is not a positive size under 2^31 pixels");
    }
}
