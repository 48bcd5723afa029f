using SegNets.Imaging;

namespace SegNets.Data;

/// <summary>
/// The label set a zoo model was trained on: what each output channel means, how to colour it, and which label value
/// the training code skipped. The values are transcribed from the original sources, cited in <see cref="Source"/>.
/// </summary>
/// <param name="Name">Short key, as accepted by <see cref="Datasets.Get"/> (e.g. "voc", "ade20k").</param>
/// <param name="Classes">Class names; index i is the model's output channel i.</param>
/// <param name="Palette">Colour of each class, same indexing as <paramref name="Classes"/>.</param>
/// <param name="IgnoreLabel">The label value excluded from loss and metrics in the original code (255 for most
/// datasets; -1 for ChainerCV's CamVid). It is never a class index.</param>
/// <param name="Source">Where the names and colours were taken from (repository@commit:path).</param>
public sealed record DatasetInfo(
    string Name,
    IReadOnlyList<string> Classes,
    IReadOnlyList<Rgb> Palette,
    int IgnoreLabel,
    string Source) : ILabelPalette
{
    /// <summary>Number of classes (the model's output channels).</summary>
    public int NumClasses => Classes.Count;
}
