using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// Batches a dataset for training or evaluation, like PyTorch's DataLoader: worker threads read, transform and collate
/// whole batches in parallel while the consumer works, and a bounded number of ready batches wait in order.
/// </summary>
/// <remarks>
/// Reproducible: batch composition depends only on (seed, epoch), and each sample's transform gets a
/// <see cref="Random"/> seeded from (seed, epoch, dataset index), so the batches are the same whatever the number of
/// workers or which thread ran which sample. Each batch is built inside its own <see cref="torch.NewDisposeScope"/>,
/// so everything the dataset and transform allocate is freed when the batch is done, except the batch's own tensors.
/// </remarks>
public sealed class SegmentationLoader
{
    private readonly ConcurrentDictionary<string, byte> _skippedIds = new();
    private long _skipped;

    public SegmentationLoader(ISegmentationDataset dataset, IJointTransform? transform = null,
        SegmentationLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        Transform = transform;
        Options = options ?? new SegmentationLoaderOptions();
        if (Options.BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1, got {Options.BatchSize}", nameof(options));
        if (Options.Workers < 0)
            throw new ArgumentException($"Workers must be 0 (read on the caller's thread) or more, got {Options.Workers}", nameof(options));
        if (Options.PrefetchBatches is < 1)
            throw new ArgumentException($"PrefetchBatches must be at least 1, got {Options.PrefetchBatches}", nameof(options));
        // Pinning allocates through the CUDA driver; without it libtorch throws. PyTorch's DataLoader warns and goes on
        // unpinned, which is what a script written for a GPU machine wants when it is tried on a laptop.
        PinsMemory = Options.PinMemory && cuda.is_available();
    }

    public ISegmentationDataset Dataset { get; }

    public IJointTransform? Transform { get; }

    public SegmentationLoaderOptions Options { get; }

    /// <summary>Whether batches are put in pinned memory: <see cref="SegmentationLoaderOptions.PinMemory"/> and CUDA
    /// available.</summary>
    public bool PinsMemory { get; }

    /// <summary>Batches per epoch (before any skipped sample empties one).</summary>
    public int BatchCount => Options.DropLast
        ? Dataset.Count / Options.BatchSize
        : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>Samples dropped so far, over all epochs, with <see cref="SegmentationLoaderOptions.SkipBadSamples"/>.</summary>
    public long SkippedSamples => Interlocked.Read(ref _skipped);

    /// <summary>The distinct ids of the samples dropped so far.</summary>
    public IReadOnlyCollection<string> SkippedIds => _skippedIds.Keys.ToArray();

    /// <summary>Sees every batch as it is made, handed out or not; lets tests check that none is left undisposed,
    /// which RSS alone cannot show because TorchSharp's finalizers free forgotten tensors at the next full GC.</summary>
    internal Action<SegmentationBatch>? BatchCreated { get; set; }

    private int Prefetch => Options.PrefetchBatches ?? 2 * Math.Max(1, Options.Workers);

    /// <summary>The dataset indices of <paramref name="epoch"/> in the order they are batched.</summary>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (Options.Shuffle)
            new Random(ShuffleSeed(Options.Seed, epoch)).Shuffle(order);
        return order;
    }

    /// <summary>
    /// The batches of one epoch, in order. Reading starts at the first MoveNext and stops when the enumeration ends
    /// or is abandoned (a <c>break</c> out of <c>foreach</c>): workers are stopped and waited for, and batches prepared
    /// but not handed out are disposed. The caller disposes each batch it receives.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; workers have
    /// stopped (each after at most the sample it was reading) before this is thrown.</exception>
    /// <exception cref="SampleLoadException">A sample's read or transform failed, at the batch holding it.</exception>
    /// <exception cref="InvalidOperationException">A batch's samples have different sizes (the message lists them).</exception>
    public IEnumerable<SegmentationBatch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        var order = Order(epoch);
        var batches = order.Chunk(Options.BatchSize)
            .Where(b => !Options.DropLast || b.Length == Options.BatchSize)
            .ToArray();
        return Options.Workers == 0
            ? OnCallerThread(epoch, batches, cancellationToken)
            : OnWorkers(epoch, batches, cancellationToken);
    }

    private IEnumerable<SegmentationBatch> OnCallerThread(int epoch, int[][] batches, CancellationToken token)
    {
        for (var b = 0; b < batches.Length; b++)
        {
            var batch = LoadBatch(epoch, b, batches[b], token);
            if (batch is not null) yield return batch;
        }
    }

    private IEnumerable<SegmentationBatch> OnWorkers(int epoch, int[][] batches, CancellationToken token)
    {
        // One completion per batch, awaited in batch order: workers finish out of order, the consumer does not see it.
        var results = new TaskCompletionSource<SegmentationBatch?>[batches.Length];
        for (var i = 0; i < results.Length; i++)
            results[i] = new TaskCompletionSource<SegmentationBatch?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        // A worker takes a slot before claiming a batch and the consumer returns it when it takes that batch, so at most
        // Prefetch batches are in the making or waiting. Claims go in batch order, so the batch the consumer waits for
        // is always claimable: this cannot deadlock.
        using var slots = new SemaphoreSlim(Prefetch);
        var next = new StrongBox<int>(-1);
        var workers = new Task[Math.Min(Options.Workers, batches.Length)];
        for (var w = 0; w < workers.Length; w++)
        {
            // LongRunning: a dedicated thread each, so that a busy thread pool (the consumer's own Parallel loops) does
            // not starve the loader, and the loader does not starve the pool.
            workers[w] = Task.Factory.StartNew(() => Work(epoch, batches, results, slots, next, stop.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        var handedOut = 0;
        try
        {
            for (var b = 0; b < batches.Length; b++)
            {
                var pending = results[b].Task;
                // WaitAny rather than Wait: it throws only for cancellation, so a worker's exception comes out of
                // GetResult below as itself, not wrapped in an AggregateException.
                Task.WaitAny([pending], token);
                var batch = pending.GetAwaiter().GetResult();
                handedOut = b + 1;
                slots.Release();
                if (batch is not null) yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            // Workers catch everything per batch, so this only waits; after it nothing writes to results.
            Task.WaitAll(workers);
            for (var b = handedOut; b < results.Length; b++)
            {
                if (results[b].Task.IsCompletedSuccessfully) results[b].Task.Result?.Dispose();
            }
        }
    }

    private void Work(int epoch, int[][] batches, TaskCompletionSource<SegmentationBatch?>[] results,
        SemaphoreSlim slots, StrongBox<int> next, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                slots.Wait(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var b = Interlocked.Increment(ref next.Value);
            if (b >= batches.Length) return;
            try
            {
                results[b].TrySetResult(LoadBatch(epoch, b, batches[b], stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                results[b].TrySetCanceled(stop);
                return;
            }
            catch (Exception e)
            {
                results[b].TrySetException(e);
            }
        }
    }

    private SegmentationBatch? LoadBatch(int epoch, int batchIndex, int[] indices, CancellationToken stop)
    {
        // Everything the dataset and the transform allocate on this thread for this batch is freed at the end of the
        // scope, on success and on failure alike; only the collated tensors leave it.
        using var scope = NewDisposeScope();
        var samples = new List<SegmentationSample>(indices.Length);
        foreach (var index in indices)
        {
            stop.ThrowIfCancellationRequested();
            var sample = LoadSample(epoch, index, stop);
            if (sample is not null) samples.Add(sample);
        }
        if (samples.Count == 0) return null;
        return Collate(epoch, batchIndex, samples);
    }

    private SegmentationSample? LoadSample(int epoch, int index, CancellationToken stop)
    {
        var id = $"#{index}";
        try
        {
            id = Dataset.IdOf(index);
            var sample = Dataset.Get(index);
            if (Transform is not null)
                sample = Transform.Apply(sample, new Random(SampleSeed(Options.Seed, epoch, index)));
            var image = sample.Image;
            var mask = sample.Mask;
            if (image.dim() != 3 || mask.dim() != 2 || image.shape[1] != mask.shape[0] || image.shape[2] != mask.shape[1])
            {
                throw new SampleLoadException(id, index,
                    $"image {Shape(image)} and mask {Shape(mask)} do not match; expected image (C, H, W) and mask (H, W)");
            }
            return sample;
        }
        // Our own stop passes through; an OperationCanceledException of the dataset's own (an HTTP timeout) is a
        // failure of that sample like any other.
        catch (Exception e) when (!(e is OperationCanceledException && stop.IsCancellationRequested))
        {
            var error = e as SampleLoadException ?? new SampleLoadException(id, index, e);
            if (!Options.SkipBadSamples) throw error;
            Interlocked.Increment(ref _skipped);
            _skippedIds.TryAdd(id, 0);
            return null;
        }
    }

    private SegmentationBatch Collate(int epoch, int batchIndex, List<SegmentationSample> samples)
    {
        var first = samples[0];
        if (samples.Any(s => !s.Image.shape.SequenceEqual(first.Image.shape)))
        {
            // A configuration error (no crop or resize before batching), not a bad sample: never skipped.
            var sizes = string.Join(", ", samples.Select(s => $"{s.Id} {Shape(s.Image)}"));
            throw new InvalidOperationException(
                $"batch {batchIndex} of epoch {epoch} mixes image sizes: {sizes}. Samples of a batch must have one size: "
                + "add a crop or resize transform, or use BatchSize 1.");
        }
        var images = stack(samples.Select(s => s.Image), 0);
        var masks = stack(samples.Select(s => s.Mask.dtype == ScalarType.Int64 ? s.Mask : s.Mask.to_type(ScalarType.Int64)), 0);
        if (PinsMemory)
        {
            // Pinned here, on the worker, as PyTorch's pin-memory thread does: the copy is off the training thread.
            images = images.pin_memory();
            masks = masks.pin_memory();
        }
        var batch = new SegmentationBatch(images.DetachFromDisposeScope(), masks.DetachFromDisposeScope(),
            samples.Select(s => s.Id).ToArray());
        BatchCreated?.Invoke(batch);
        return batch;
    }

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";

    // Keeps the shuffle's stream apart from every sample's (whose third input is a dataset index, far below this).
    private const ulong ShuffleSalt = 0x5348_5546_464C_4531;

    internal static int ShuffleSeed(int seed, int epoch) => SeedOf(seed, epoch, ShuffleSalt);

    internal static int SampleSeed(int seed, int epoch, int index) => SeedOf(seed, epoch, (ulong)index);

    /// <summary>A 31-bit seed from (seed, epoch, c) through SplitMix64 steps, so neighbouring epochs and indices give
    /// unrelated streams (System.Random's own seeding maps nearby seeds to correlated first draws).</summary>
    private static int SeedOf(int seed, int epoch, ulong c)
    {
        var x = Mix((uint)seed);
        x = Mix(x ^ (uint)epoch);
        x = Mix(x ^ c);
        return (int)(x & 0x7FFF_FFFF);
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EB;
        return x ^ (x >> 31);
    }
}
