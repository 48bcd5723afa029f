using SegNets.Layers;
using SegNets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Training;

/// <summary>
/// The training loss of a segmentation model: pixel-wise softmax cross-entropy over labelled pixels (ignore label
/// skipped), optional class weights and OHEM, plus the auxiliary head's loss times its weight — GluonCV's
/// MixSoftmaxCrossEntropyLoss (gluoncv/loss.py) and torchvision's references/segmentation criterion
/// (<c>losses['out'] + 0.5 * losses['aux']</c>). Logits are taken in float32 whatever the forward's precision.
/// Dispose it to free the class-weight tensor.
/// </summary>
public sealed class SegmentationLoss : IDisposable
{
    readonly Tensor? _weights;

    public SegmentationLoss(int numClasses, long ignoreIndex = Data.SegmentationSample.IgnoreIndex, float[]? classWeights = null,
        OhemOptions? ohem = null, double auxWeight = 0.5)
    {
        if (classWeights is not null && classWeights.Length != numClasses)
            throw new ArgumentException($"class weights have {classWeights.Length} entries; the model has {numClasses} classes", nameof(classWeights));
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        Ohem = ohem;
        AuxWeight = auxWeight;
        // Detached: a loss made inside a caller's dispose scope must outlive it.
        if (classWeights is not null) _weights = tensor(classWeights).DetachFromDisposeScope();
    }

    public void Dispose() => _weights?.Dispose();

    public int NumClasses { get; }
    public long IgnoreIndex { get; }
    public OhemOptions? Ohem { get; }
    public double AuxWeight { get; }

    /// <summary>Main loss + AuxWeight x aux loss (the aux term only when <paramref name="useAux"/> and the model has one).</summary>
    public (Tensor Total, Tensor Main, Tensor? Aux) Compute(SegmentationOutput output, Tensor target, bool useAux = true)
    {
        var main = Pixels(output.Main, target);
        if (!useAux || output.Aux is null || AuxWeight == 0) return (main, main, null);
        var aux = Pixels(output.Aux, target);
        return (main + aux * AuxWeight, main, aux);
    }

    /// <summary>The loss of one logits tensor (N, C, H, W) against labels (N, H, W).</summary>
    public Tensor Pixels(Tensor logits, Tensor target)
    {
        if (logits.dim() != 4 || target.dim() != 3 || logits.shape[0] != target.shape[0] ||
            logits.shape[2] != target.shape[1] || logits.shape[3] != target.shape[2])
            throw new ArgumentException($"logits [{string.Join(", ", logits.shape)}] and labels [{string.Join(", ", target.shape)}] do not match: expected (N, C, H, W) and (N, H, W)");
        if (logits.shape[1] != NumClasses)
            throw new ArgumentException($"logits have {logits.shape[1]} classes, the loss {NumClasses}");
        logits = logits.to_type(ScalarType.Float32);
        target = target.to_type(ScalarType.Int64);
        var weights = _weights?.to(logits.device);
        if (Ohem is null)
        {
            // A batch without a labelled pixel (a crop of padding, an image that is all void) contributes nothing;
            // PyTorch's mean over zero pixels would be NaN and poison the weights.
            bool any;
            using (no_grad()) any = target.ne(IgnoreIndex).any().item<bool>();
            return any ? nn.functional.cross_entropy(logits, target, weights, ignore_index: IgnoreIndex) : logits.sum() * 0;
        }

        var perPixel = nn.functional.cross_entropy(logits, target, weights, ignore_index: IgnoreIndex, reduction: nn.Reduction.None).flatten();
        var valid = target.flatten().ne(IgnoreIndex);
        var losses = perPixel.masked_select(valid);
        var count = losses.shape[0];
        if (count == 0) return perPixel.sum() * 0;
        // A probability p of the true class below the threshold is a loss above -log(threshold).
        var threshold = -Math.Log(Ohem.Threshold);
        var hard = losses.gt(threshold);
        long kept;
        using (no_grad()) kept = hard.sum().item<long>();
        if (kept >= Math.Min(Ohem.MinKept, count)) return losses.masked_select(hard).mean();
        return losses.topk((int)Math.Min(Ohem.MinKept, count)).values.mean();
    }
}
