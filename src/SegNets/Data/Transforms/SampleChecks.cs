using SegNets.Data;
using static TorchSharp.torch;

namespace SegNets.Data.Transforms;

/// <summary>Argument checks shared by the transforms, with messages that name the sample.</summary>
internal static class SampleChecks
{
    public static (int Height, int Width) Size(SegmentationSample sample, string transform)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var image = sample.Image;
        var mask = sample.Mask;
        if (image.dim() != 3)
            throw new ArgumentException($"{transform}: sample '{sample.Id}' has an image of shape [{string.Join(", ", image.shape)}]; expected (C, H, W)");
        if (mask.dim() != 2 || mask.shape[0] != image.shape[1] || mask.shape[1] != image.shape[2])
            throw new ArgumentException($"{transform}: sample '{sample.Id}' has a mask of shape [{string.Join(", ", mask.shape)}] for an image of shape [{string.Join(", ", image.shape)}]; expected (H, W) = ({image.shape[1]}, {image.shape[2]})");
        return ((int)image.shape[1], (int)image.shape[2]);
    }

    public static void RequireUInt8(SegmentationSample sample, string transform)
    {
        if (sample.Image.dtype != ScalarType.Byte)
            throw new ArgumentException($"{transform}: sample '{sample.Id}' has a {sample.Image.dtype} image; this transform works on uint8 RGB 0..255 (run it before Normalize)");
    }

    public static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, "must be at least 1 pixel");
    }
}
