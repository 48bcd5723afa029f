using System.Diagnostics;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Soak;

/// <summary>
/// <c>scalar-race [--seconds 30]</c>: checks whether the TorchSharp in use frees the implicit Scalar of an operator while
/// the native call still reads it. <c>a + b</c> calls <c>a.add(b, 1)</c>; the temporary Scalar made from 1 is
/// unreachable once its handle has been passed to native code, so a GC started by another thread can finalize it (and
/// free the native c10::Scalar) while libtorch is still using it. TorchSharp 0.107 does this: the train-soak died of it
/// once ("Expected false to be true ... toFloat at c10/core/Scalar.h:140" in add_Tensor). Here one thread adds two small
/// tensors in a loop (inside a dispose scope, as SegNets does) while another forces full collections without pause.
/// Exit code 1 = the race was hit; 0 = not seen in the given time (it takes a few seconds on 0.107).
/// </summary>
internal static class ScalarRace
{
    public static int Run(string[] args)
    {
        var o = new SoakOptions(args);
        var seconds = o.Long("seconds", 30);
        o.RejectUnknown("scalar-race");
        Runtime.TorchBackend.EnsureLoaded();
        var stop = 0;
        var collector = new Thread(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        using var a = randn(64, 64);
        using var b = randn(64, 64);
        using var expected = a.add(b).DetachFromDisposeScope();
        long ops = 0;
        var clock = Stopwatch.StartNew();
        collector.Start();
        try
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                using var scope = NewDisposeScope();
                for (var i = 0; i < 100; i++, ops++)
                {
                    var sum = a + b;
                    if (!sum.eq(expected).all().item<bool>()) throw new InvalidOperationException("a + b gave a wrong result (the Scalar alpha was overwritten)");
                }
            }
            Console.WriteLine($"scalar-race: {ops} additions in {clock.Elapsed.TotalSeconds:F0} s under continuous GC, no failure");
            return 0;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            Console.WriteLine($"scalar-race: FAILED after {ops} additions ({clock.Elapsed.TotalSeconds:F1} s): {e.Message.Split('\n')[0]}");
            return 1;
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            collector.Join();
        }
    }
}
