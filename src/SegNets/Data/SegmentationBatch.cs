using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// A batch from <see cref="SegmentationLoader"/>. It owns its tensors: whoever receives it disposes it (the loader
/// disposes only the batches it never handed out).
/// </summary>
/// <param name="Images">(N, 3, H, W), of the dtype the transform produced (uint8 without one).</param>
/// <param name="Masks">(N, H, W), int64 class indices.</param>
/// <param name="Ids">The sample ids, in batch order.</param>
public sealed record SegmentationBatch(Tensor Images, Tensor Masks, string[] Ids) : IDisposable
{
    /// <summary>Number of samples (N); smaller than the batch size for a last partial batch or skipped samples.</summary>
    public int Count => Ids.Length;

    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}
