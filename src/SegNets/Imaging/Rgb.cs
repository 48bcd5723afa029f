namespace SegNets.Imaging;

/// <summary>One 8-bit sRGB colour of a dataset's label palette.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public override string ToString() => $"({R},{G},{B})";
}
