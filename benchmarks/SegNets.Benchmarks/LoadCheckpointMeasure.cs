using System.Diagnostics;
using SegNets.Checkpoints;

namespace SegNets.Benchmarks;

/// <summary>
/// `SegNets.Benchmarks load-pth FILE [REPEATS]`: time to read a .pth state dict into tensors (fastest of REPEATS) and
/// the process's peak resident memory above what it used before the first load (VmHWM - VmRSS, Linux). Not a
/// BenchmarkDotNet suite: peak memory needs a fresh process. benchmarks/peers/load_pth.py runs it beside torch.load.
/// </summary>
static class LoadCheckpointMeasure
{
    public static int Run(string[] args)
    {
        var path = args[1];
        int repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        Runtime.TorchBackend.EnsureLoaded();
        long baseline = Status("VmRSS");
        var best = TimeSpan.MaxValue;
        long tensors = 0, bytes = 0;
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            var state = PyTorchCheckpoint.LoadStateDict(path);
            watch.Stop();
            best = watch.Elapsed < best ? watch.Elapsed : best;
            tensors = state.Count;
            bytes = state.Values.Sum(t => t.numel() * t.ElementSize);
            foreach (var t in state.Values) t.Dispose();
        }
        long peak = Status("VmHWM");
        Console.WriteLine($"segnets load {best.TotalMilliseconds:F0} ms, peak +{(peak - baseline) / 1048576.0:F0} MiB, {tensors} tensors, {bytes / 1048576.0:F0} MiB of data");
        return 0;
    }

    // kB values of /proc/self/status
    static long Status(string field) =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024)
            .First();
}
