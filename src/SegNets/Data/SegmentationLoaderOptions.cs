namespace SegNets.Data;

/// <summary>How <see cref="SegmentationLoader"/> batches, orders and reads samples (PyTorch DataLoader's options).</summary>
public sealed record SegmentationLoaderOptions
{
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>A new permutation of the dataset each epoch, drawn from (<see cref="Seed"/>, epoch); else dataset order.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Leave out the last batch when it would be smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Threads that decode, transform and collate, each a whole batch at a time (as PyTorch's workers do).
    /// 0 reads on the consumer's thread, which is the easiest to debug.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Most batches being prepared or ready but not yet taken by the consumer; null means 2 per worker
    /// (PyTorch's prefetch_factor 2). Below <see cref="Workers"/> it leaves workers idle; it bounds memory.</summary>
    public int? PrefetchBatches { get; init; }

    /// <summary>Seeds the shuffle and every sample's transform Random.</summary>
    public int Seed { get; init; }

    /// <summary>Put batches in page-locked memory so that <c>.to(cuda, non_blocking: true)</c> can copy them
    /// asynchronously. Ignored (as PyTorch does) when libtorch sees no CUDA device, because pinning needs the CUDA
    /// driver; <see cref="SegmentationLoader.PinsMemory"/> says whether it is in effect.</summary>
    public bool PinMemory { get; init; }

    /// <summary>Drop a sample whose read or transform throws, count it in
    /// <see cref="SegmentationLoader.SkippedSamples"/>, and go on; otherwise the consumer gets a
    /// <see cref="SampleLoadException"/> at that sample's batch.</summary>
    public bool SkipBadSamples { get; init; }
}
