using SegNets.Layers;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Evaluation;

/// <summary>
/// Pixel counts of (ground truth, prediction) pairs over any number of images: rows are the true class, columns the
/// predicted class. Every segmentation metric of <see cref="SegmentationMetrics"/> is a function of these counts, so
/// one matrix per worker or per GPU can be merged with <see cref="Add"/> and give exactly the single-matrix result.
/// </summary>
/// <remarks>
/// The counts are built the way torchvision's reference does it (pytorch/vision@058f331c
/// references/segmentation/utils.py, ConfusionMatrix.update): one bincount of <c>target * C + prediction</c> on the
/// tensors' own device, int64, so a CUDA evaluation moves only C*C numbers per update. Ignored pixels go to an extra
/// bin that is dropped, which keeps the shapes static (no masked select) on the GPU.
/// </remarks>
public sealed class ConfusionMatrix : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Tensor _counts;
    private bool _disposed;

    /// <param name="numClasses">Number of classes C; labels and predictions are 0..C-1.</param>
    /// <param name="ignoreIndex">Target value whose pixels are skipped (255, <see cref="Data.SegmentationSample.IgnoreIndex"/>).</param>
    /// <param name="device">Where the C x C counts live; CPU when null. Updates may come from any device.</param>
    public ConfusionMatrix(int numClasses, long ignoreIndex = 255, Device? device = null)
    {
        TorchBackend.EnsureLoaded();
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a confusion matrix needs at least 1 class");
        if (ignoreIndex >= 0 && ignoreIndex < numClasses)
            throw new ArgumentException($"ignoreIndex {ignoreIndex} is a class index (0..{numClasses - 1}); it must lie outside", nameof(ignoreIndex));
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        Device = device ?? CPU;
        // Detached: a matrix made inside a caller's dispose scope must outlive it.
        _counts = zeros([(long)numClasses * numClasses], ScalarType.Int64, Device).DetachFromDisposeScope();
    }

    public int NumClasses { get; }

    public long IgnoreIndex { get; }

    /// <summary>Where the counts live.</summary>
    public Device Device { get; }

    /// <summary>Class names handed to <see cref="SegmentationMetrics.ClassNames"/> by <see cref="Compute()"/>.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// Counts one class map against its labels: both (H, W) or (N, H, W) integer tensors of the same shape and device
    /// (CPU or CUDA). Pixels whose target is <see cref="IgnoreIndex"/> are skipped; any other target outside
    /// [0, C), or any prediction outside [0, C), is an <see cref="ArgumentException"/> naming the value.
    /// </summary>
    public void Update(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!prediction.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"prediction shape [{string.Join(", ", prediction.shape)}] differs from target shape [{string.Join(", ", target.shape)}]; both must be (H, W) or (N, H, W)");
        if (prediction.dim() is not (2 or 3))
            throw new ArgumentException($"expected class maps (H, W) or (N, H, W), got shape [{string.Join(", ", prediction.shape)}]", nameof(prediction));
        if (!IsInteger(prediction.dtype) || !IsInteger(target.dtype))
            throw new ArgumentException($"expected integer class maps (int64), got prediction {prediction.dtype} and target {target.dtype}");
        if (prediction.device.type != target.device.type || prediction.device.index != target.device.index)
            throw new ArgumentException($"prediction is on {prediction.device} but target is on {target.device}; put both on one device");
        if (prediction.numel() == 0) return;

        long c = NumClasses;
        using var scope = NewDisposeScope();
        var pred = prediction.to_type(ScalarType.Int64).flatten();
        var truth = target.to_type(ScalarType.Int64).flatten();
        var ignored = truth.eq(IgnoreIndex);
        var safeTruth = truth.masked_fill(ignored, 0);
        // One transfer for the four range checks instead of four.
        var bounds = stack([pred.min(), pred.max(), safeTruth.min(), safeTruth.max()]).cpu().data<long>().ToArray();
        if (bounds[0] < 0 || bounds[1] >= c)
            throw new ArgumentException($"prediction value {(bounds[0] < 0 ? bounds[0] : bounds[1])} is outside the class range [0, {c})", nameof(prediction));
        if (bounds[2] < 0 || bounds[3] >= c)
            throw new ArgumentException($"target value {(bounds[2] < 0 ? bounds[2] : bounds[3])} is outside the class range [0, {c}) and is not the ignore index {IgnoreIndex}", nameof(target));
        // Ignored pixels land in bin C*C, which is cut off.
        var index = (safeTruth * c + pred).masked_fill(ignored, c * c);
        var counts = index.bincount(null, c * c + 1).narrow(0, 0, c * c).to(Device);
        lock (_lock) _counts.add_(counts);
    }

    /// <summary>The counts as a C x C int64 CPU tensor (rows = ground truth, columns = prediction); the caller owns it.</summary>
    public Tensor Counts
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = NewDisposeScope();
            lock (_lock) return _counts.view(NumClasses, NumClasses).to(CPU).clone().MoveToOuterDisposeScope();
        }
    }

    /// <summary>Sets every count back to zero.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // TorchSharp 0.107's zero_ zeroes in place but returns a new wrapper; the scope frees that wrapper.
        using var scope = NewDisposeScope();
        lock (_lock) _counts.zero_();
    }

    /// <summary>Adds another matrix's counts to this one (e.g. one per worker or device); <paramref name="other"/> is
    /// unchanged. Both must have the same number of classes.</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(other._disposed, other);
        if (other.NumClasses != NumClasses)
            throw new ArgumentException($"cannot merge a {other.NumClasses}-class confusion matrix into a {NumClasses}-class one", nameof(other));
        if (ReferenceEquals(other, this))
        {
            lock (_lock) _counts.mul_(2);
            return;
        }
        using var scope = NewDisposeScope();
        Tensor theirs;
        lock (other._lock) theirs = other._counts.to(Device).clone();
        lock (_lock) _counts.add_(theirs);
    }

    /// <summary>The metrics of the counts so far, named with <see cref="ClassNames"/>.</summary>
    public SegmentationMetrics Compute() => Compute(ClassNames);

    /// <summary>The metrics of the counts so far, with these class names (null: none).</summary>
    public SegmentationMetrics Compute(IReadOnlyList<string>? classNames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long[] counts;
        lock (_lock)
        {
            using var cpu = _counts.to(CPU);
            counts = cpu.data<long>().ToArray();
        }
        return SegmentationMetrics.FromCounts(counts, NumClasses, classNames);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _counts.Dispose();
    }

    private static bool IsInteger(ScalarType type) => type is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16
        or ScalarType.Int8 or ScalarType.Byte;
}
