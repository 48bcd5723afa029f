using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// One image and its label map as a dataset returns it, before any transform.
/// </summary>
/// <param name="Id">The sample's id in its dataset (file stem, e.g. "2007_000032"), for messages and outputs.</param>
/// <param name="Image">RGB, uint8, (3, H, W).</param>
/// <param name="Mask">Class index per pixel, int64, (H, W); pixels to ignore are <see cref="IgnoreIndex"/> whatever
/// the dataset's own convention (GluonCV's ADE20K -1, ChainerCV's CamVid -1, Cityscapes' unlabelled ids).</param>
public sealed record SegmentationSample(string Id, Tensor Image, Tensor Mask) : IDisposable
{
    /// <summary>The label value that loss and metrics skip (PyTorch's ignore_index as GluonCV and torchvision use it).</summary>
    public const long IgnoreIndex = 255;

    public void Dispose()
    {
        Image.Dispose();
        Mask.Dispose();
    }
}
