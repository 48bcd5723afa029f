using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Soak;

/// <summary>
/// Samples memory every <see cref="Every"/> steps of a soak, prints one row per sample, and at the end the RSS at 10%,
/// 50% and 100% of the run, the slopes over its second half (least-squares line through the samples at steps &gt;= 50%,
/// i.e. after warm-up) and a verdict.
/// </summary>
internal sealed class SoakRecorder
{
    /// <summary>Second-half RSS growth allowed for "flat", in MiB per 1000 steps: 100 MiB over a 100,000-step run.</summary>
    public const double RssSlopeLimit = 1.0;

    /// <summary>Second-half growth of the live tensor count allowed for "flat", per 1000 steps: a tensor kept per
    /// iteration would give 1000.</summary>
    public const double TensorSlopeLimit = 1.0;

    private readonly List<MemorySample> _samples = [];
    private readonly Stopwatch _clock = new();
    private readonly SoakOptions _options;
    private readonly string _unit;
    private readonly GcReasons _gcReasons = new();

    public SoakRecorder(SoakOptions options, long total, string unit)
    {
        _options = options;
        Total = total;
        _unit = unit;
        Every = options.Every ?? Math.Max(1, total / 100);
    }

    public long Total { get; }

    public long Every { get; }

    public IReadOnlyList<MemorySample> Samples => _samples;

    /// <summary>Prints the header and takes the step-0 sample.</summary>
    public void Start(string title, IEnumerable<string> setup)
    {
        if (_options.Threads is int threads) set_num_threads(threads);
        Console.WriteLine(title);
        foreach (var line in setup) Console.WriteLine("  " + line);
        Console.WriteLine($"  process: {Environment.ProcessorCount} CPUs, torch threads {get_num_threads()}, "
            + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC ({GCSettings.LatencyMode}), "
            + $"MALLOC_ARENA_MAX={Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "(unset)"}, "
            + $"glibc malloc statistics {(MemoryProbe.HasMallocStatistics ? "yes" : "no")}");
        Console.WriteLine($"  sampling every {Every} {_unit}{(_options.Collect ? ", full GC before each sample" : ", no forced GC")}"
            + $"{(_options.Trim ? ", malloc_trim(0) before each sample" : "")}; load average at start: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine(Row("step", "s", "RSS MiB", "anon MiB", "managed", "GC commit", "malloc used", "malloc free", "tensors", "gen0", "gen2"));
        _clock.Start();
        Take(0);
    }

    /// <summary>Call after each step; samples when the step count is a multiple of <see cref="Every"/> or the last.</summary>
    public void Step(long step)
    {
        if (step % Every == 0 || step == Total) Take(step);
    }

    private void Take(long step)
    {
        if (_samples.Count > 0 && _samples[^1].Step == step) return;
        if (_options.Collect) MemoryProbe.FullCollect();
        if (_options.Trim) MemoryProbe.MallocTrim();
        var s = MemoryProbe.Read(step, _clock.Elapsed.TotalSeconds);
        _samples.Add(s);
        Console.WriteLine(Row(s.Step.ToString(CultureInfo.InvariantCulture), F(s.Seconds, 0), Mib(s.Rss), Mib(s.RssAnon), Mib(s.Managed),
            Mib(s.GcCommitted), Mib(s.NativeInUse), Mib(s.NativeFree), s.LiveTensors.ToString(CultureInfo.InvariantCulture),
            s.Gen0.ToString(CultureInfo.InvariantCulture), s.Gen2.ToString(CultureInfo.InvariantCulture)));
        if (_options.Csv is { } csv) File.WriteAllText(csv, Csv());
    }

    /// <summary>Prints the summary and verdict; returns true when flat.</summary>
    public bool Finish()
    {
        _clock.Stop();
        var last = _samples[^1];
        var secondHalf = _samples.Where(s => s.Step >= last.Step / 2).ToList();
        double Slope(Func<MemorySample, double> y) => FitSlope(secondHalf, y) * 1000;
        const double M = 1 << 20;
        var rss = Slope(s => s.Rss / M);
        var anon = Slope(s => s.RssAnon / M);
        var managed = Slope(s => s.Managed / M);
        var committed = Slope(s => s.GcCommitted / M);
        var used = Slope(s => s.NativeInUse / M);
        var free = Slope(s => s.NativeFree / M);
        var tensors = Slope(s => s.LiveTensors);
        MemorySample At(double fraction) => _samples.First(s => s.Step >= fraction * last.Step);

        Console.WriteLine();
        Console.WriteLine($"{last.Step} {_unit} in {last.Seconds:F0} s ({last.Step / Math.Max(1e-9, last.Seconds):F1} {_unit}/s); load average at end: {LoadAverage()}");
        Console.WriteLine($"RSS: start {Mib(_samples[0].Rss)} MiB, 10% {Mib(At(0.1).Rss)}, 50% {Mib(At(0.5).Rss)}, 100% {Mib(last.Rss)} MiB"
            + $" (min {Mib(_samples.Min(s => s.Rss))}, max {Mib(_samples.Max(s => s.Rss))}; second half: min {Mib(secondHalf.Min(s => s.Rss))}, max {Mib(secondHalf.Max(s => s.Rss))})");
        Console.WriteLine($"slope over the second half ({secondHalf.Count} samples, {_unit} {secondHalf[0].Step}..{last.Step}), per 1000 {_unit}:");
        Console.WriteLine($"  RSS {S(rss)} MiB, anon {S(anon)} MiB, managed {S(managed)} MiB, GC committed {S(committed)} MiB, "
            + $"malloc in use {(MemoryProbe.HasMallocStatistics ? S(used) : "n/a")} MiB, "
            + $"malloc free {(MemoryProbe.HasMallocStatistics ? S(free) : "n/a")} MiB, "
            + $"live tensors {S(tensors, 1)}");
        Console.WriteLine($"collections: {_gcReasons.Summary()}");
        _gcReasons.Dispose();
        Console.WriteLine($"live tensors: start {_samples[0].LiveTensors}, 50% {At(0.5).LiveTensors}, end {last.LiveTensors}, "
            + $"second half {secondHalf.Min(s => s.LiveTensors)}..{secondHalf.Max(s => s.LiveTensors)}");
        var flat = rss <= RssSlopeLimit && tensors <= TensorSlopeLimit;
        var why = new List<string>();
        if (rss > RssSlopeLimit) why.Add($"RSS grows {rss:F2} MiB per 1000 {_unit} (limit {RssSlopeLimit})");
        if (tensors > TensorSlopeLimit) why.Add($"live tensors grow {tensors:F1} per 1000 {_unit} (limit {TensorSlopeLimit})");
        Console.WriteLine(flat
            ? $"verdict: FLAT (second-half RSS slope {S(rss)} MiB per 1000 {_unit} <= {RssSlopeLimit}, live tensors {S(tensors, 1)} per 1000 <= {TensorSlopeLimit})"
            : $"verdict: GROWING: {string.Join("; ", why)}");
        return flat;
    }

    /// <summary>Least-squares slope of y against the step.</summary>
    private static double FitSlope(IReadOnlyList<MemorySample> samples, Func<MemorySample, double> y)
    {
        if (samples.Count < 2) return 0;
        double mx = samples.Average(s => (double)s.Step), my = samples.Average(y);
        double sxy = 0, sxx = 0;
        foreach (var s in samples)
        {
            sxy += (s.Step - mx) * (y(s) - my);
            sxx += (s.Step - mx) * (s.Step - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    private string Csv()
    {
        var text = new StringBuilder("step,seconds,rss,rss_anon,managed,gc_committed,malloc_in_use,malloc_free,live_tensors,gen0,gen2\n");
        foreach (var s in _samples)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{s.Step},{s.Seconds:F2},{s.Rss},{s.RssAnon},{s.Managed},{s.GcCommitted},{s.NativeInUse},{s.NativeFree},{s.LiveTensors},{s.Gen0},{s.Gen2}\n"));
        return text.ToString();
    }

    private static string Row(params string[] cells)
    {
        int[] widths = [6, 5, 8, 9, 8, 10, 12, 12, 8, 6, 5];
        return string.Join(" ", cells.Select((c, i) => c.PadLeft(widths[i])));
    }

    private static string Mib(long bytes) => bytes < 0 ? "n/a" : (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>A signed figure; values that round to zero print as +0.00, never -0.00.</summary>
    private static string S(double value, int decimals = 2)
    {
        var rounded = Math.Round(value, decimals) + 0.0;
        return (rounded == 0 ? 0.0 : rounded).ToString(decimals == 1 ? "+0.0;-0.0" : "+0.00;-0.00", CultureInfo.InvariantCulture);
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
