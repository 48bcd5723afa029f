using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// Samples already in memory (images uint8 (3, H, W), masks int64 (H, W)): for data made in code, tests, and small
/// sets a user has decoded already. <see cref="Get"/> returns copies, because the loader disposes what it gets.
/// </summary>
public sealed class TensorSegmentationDataset : ISegmentationDataset, IDisposable
{
    readonly List<SegmentationSample> _samples;

    public TensorSegmentationDataset(DatasetInfo labels, IEnumerable<SegmentationSample> samples)
    {
        Labels = labels ?? throw new ArgumentNullException(nameof(labels));
        _samples = [];
        foreach (var s in samples)
        {
            if (s.Image.dim() != 3 || s.Image.shape[0] != 3)
                throw new ArgumentException($"sample '{s.Id}': image shape [{string.Join(", ", s.Image.shape)}], expected (3, H, W)", nameof(samples));
            if (s.Mask.dim() != 2 || s.Mask.shape[0] != s.Image.shape[1] || s.Mask.shape[1] != s.Image.shape[2])
                throw new ArgumentException($"sample '{s.Id}': mask shape [{string.Join(", ", s.Mask.shape)}] does not match image [{string.Join(", ", s.Image.shape)}]", nameof(samples));
            // Detached: a dataset made inside a caller's dispose scope owns its copies beyond that scope.
            _samples.Add(new SegmentationSample(s.Id, s.Image.detach().clone().DetachFromDisposeScope(),
                s.Mask.to_type(ScalarType.Int64).detach().clone().DetachFromDisposeScope()));
        }
    }

    public DatasetInfo Labels { get; }

    public int Count => _samples.Count;

    public string IdOf(int index) => _samples[index].Id;

    public SegmentationSample Get(int index)
    {
        var s = _samples[index];
        return new SegmentationSample(s.Id, s.Image.clone(), s.Mask.clone());
    }

    public void Dispose()
    {
        foreach (var s in _samples) s.Dispose();
        _samples.Clear();
    }
}
