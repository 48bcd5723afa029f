using static TorchSharp.torch;

namespace SegNets.Imaging;

/// <summary>
/// Reads label maps stored as PNG: the value of each pixel is the STORED sample - the palette index of a palette PNG
/// (VOC's SegmentationClass, written with a colour map so that they look coloured) or the grey value of a grey PNG
/// (Cityscapes' *_labelIds, ADE20K's annotations, CamVid's *annot) - never the colour a viewer shows. Supports palette
/// and grey PNGs of every bit depth (1, 2, 4, 8; grey also 16), grey + alpha (alpha dropped), and Adam7 interlacing.
/// Colour-coded RGB label images are rejected with an error.
/// </summary>
public static class LabelImage
{
    /// <summary>Reads <paramref name="path"/> into an int64 tensor (H, W) of stored indices / grey values.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a PNG, truncated, a bad chunk CRC, corrupt pixel data, or an RGB
    /// PNG; the message starts with the path.</exception>
    public static Tensor Read(string path)
    {
        var (values, height, width) = ReadValues(path);
        // Filled in native memory rather than through a managed long[] (a large-object-heap allocation per map).
        var map = empty([height, width], ScalarType.Int64);
        var longs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(map.bytes);
        for (int i = 0; i < values.Length; i++) longs[i] = values[i];
        return map;
    }

    /// <summary>The stored samples, row-major, with the image size; what the datasets map to class indices.</summary>
    internal static (int[] Values, int Height, int Width) ReadValues(string path)
    {
        var result = PngLabelDecoder.Decode(path);
        return (result.Values, result.Height, result.Width);
    }
}
