namespace SegNets.Imaging;

/// <summary>How to colour a class map: one colour per class id, and the label value that is never painted. The label
/// sets of <see cref="Data.Datasets"/> are palettes (<see cref="Data.DatasetInfo"/>).</summary>
public interface ILabelPalette
{
    /// <summary>Colour of class i at index i.</summary>
    IReadOnlyList<Rgb> Palette { get; }

    /// <summary>The label value left unpainted (255 for most datasets, -1 for ChainerCV's CamVid).</summary>
    int IgnoreLabel { get; }
}
