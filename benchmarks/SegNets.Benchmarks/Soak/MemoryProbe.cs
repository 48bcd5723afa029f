using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Soak;

/// <summary>One reading of the process's memory, taken after <see cref="Step"/> iterations (or images).</summary>
/// <param name="Step">Iterations or images done.</param>
/// <param name="Seconds">Since the soak started.</param>
/// <param name="Rss">VmRSS: resident memory of the process.</param>
/// <param name="RssAnon">RssAnon: the resident part that is heap (malloc, the GC heap, stacks), not mapped files.</param>
/// <param name="Managed">GC.GetTotalMemory(false): bytes the managed heap thinks are in use (includes garbage not yet
/// collected).</param>
/// <param name="GcCommitted">GCMemoryInfo.TotalCommittedBytes of the last GC: memory the GC holds from the OS.</param>
/// <param name="NativeInUse">glibc mallinfo2 uordblks + hblkhd over all arenas: bytes malloc has handed out and not
/// had back (libtorch's CPU tensors, SkiaSharp, the runtime's own native allocations); -1 without glibc.</param>
/// <param name="NativeFree">glibc mallinfo2 fordblks: freed bytes malloc keeps in its arenas for reuse (resident as
/// far as they were touched and not trimmed); -1 without glibc.</param>
/// <param name="LiveTensors">torch.Tensor.TotalCount: TorchSharp tensors created and not yet disposed or finalized,
/// on every thread.</param>
/// <param name="Gen0">GC.CollectionCount(0) so far.</param>
/// <param name="Gen2">GC.CollectionCount(2) so far.</param>
internal sealed record MemorySample(long Step, double Seconds, long Rss, long RssAnon, long Managed, long GcCommitted,
    long NativeInUse, long NativeFree, long LiveTensors, int Gen0, int Gen2);

/// <summary>Reads <see cref="MemorySample"/>s: /proc/self/status, the GC, glibc's malloc statistics and TorchSharp's
/// live tensor count.</summary>
internal static class MemoryProbe
{
    // mallinfo2 (glibc 2.33+): ten size_t fields; mallinfo (int fields) wraps past 2 GiB, so it is not used.
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate MallInfo2 MallInfo2Fn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrimFn(nuint pad);

    private static readonly MallInfo2Fn? s_mallinfo2;
    private static readonly MallocTrimFn? s_mallocTrim;

    static MemoryProbe()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc)) return;
        if (NativeLibrary.TryGetExport(libc, "mallinfo2", out var info))
            s_mallinfo2 = Marshal.GetDelegateForFunctionPointer<MallInfo2Fn>(info);
        if (NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim))
            s_mallocTrim = Marshal.GetDelegateForFunctionPointer<MallocTrimFn>(trim);
    }

    /// <summary>Whether glibc's malloc statistics are readable here.</summary>
    public static bool HasMallocStatistics => s_mallinfo2 is not null;

    /// <summary>glibc malloc_trim(0): gives every arena's free pages back to the OS. False where there is none.</summary>
    public static bool MallocTrim()
    {
        if (s_mallocTrim is null) return false;
        s_mallocTrim(0);
        return true;
    }

    /// <summary>A full, compacting collection with finalizers run, so that what remains is what is reachable.</summary>
    public static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    public static MemorySample Read(long step, double seconds)
    {
        long rss = -1, anon = -1;
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kib(line);
            }
        }
        if (rss < 0) rss = Environment.WorkingSet;
        long inUse = -1, free = -1;
        if (s_mallinfo2 is not null)
        {
            var m = s_mallinfo2();
            inUse = (long)(m.Uordblks + m.Hblkhd);
            free = (long)m.Fordblks;
        }
        return new MemorySample(step, seconds, rss, anon, GC.GetTotalMemory(false), GC.GetGCMemoryInfo().TotalCommittedBytes,
            inUse, free, Tensor.TotalCount, GC.CollectionCount(0), GC.CollectionCount(2));
    }

    private static long Kib(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
