using SegNets.Data;
using static TorchSharp.torch;

namespace SegNets.Tests.Data.Doubles;

/// <summary>
/// An in-memory dataset whose sample i has pixels computed from i (so a batch can be checked against its ids), with
/// knobs for the loader's failure paths: a size per sample, a delay per read, and indices whose read throws.
/// It counts reads and reads in progress, so a test can see whether workers are still running.
/// </summary>
internal sealed class SyntheticDataset : ISegmentationDataset
{
    private readonly Func<int, (int Height, int Width)> _size;
    private int _reads;
    private int _inFlight;

    public SyntheticDataset(int count, int height = 24, int width = 32)
        : this(count, _ => (height, width))
    {
    }

    public SyntheticDataset(int count, Func<int, (int Height, int Width)> size)
    {
        Count = count;
        _size = size;
    }

    public DatasetInfo Labels => Datasets.Voc;

    public int Count { get; }

    public TimeSpan Delay { get; init; }

    public IReadOnlySet<int> Failing { get; init; } = new HashSet<int>();

    public int Reads => Volatile.Read(ref _reads);

    public int InFlight => Volatile.Read(ref _inFlight);

    public string IdOf(int index) => $"s{index:D3}";

    public SegmentationSample Get(int index)
    {
        Interlocked.Increment(ref _reads);
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
            if (Failing.Contains(index)) throw new IOException($"cannot read s{index:D3}.jpg: unexpected end of file");
            var (h, w) = _size(index);
            using var scope = NewDisposeScope();
            var image = ((arange(3L * h * w, dtype: ScalarType.Int64) + 31L * index) % 256).to_type(ScalarType.Byte).view(3, h, w);
            var mask = ((arange((long)h * w, dtype: ScalarType.Int64) + index) % 5).view(h, w);
            return new SegmentationSample(IdOf(index), image.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The image sample <paramref name="index"/> has before any transform, for checking batch contents.</summary>
    public static byte FirstPixel(int index) => (byte)(31 * index % 256);
}
