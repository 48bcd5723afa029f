using System.Diagnostics;
using SegNets.Data;

namespace SegNets.Benchmarks.Loader;

/// <summary>
/// <c>loader-throughput DIR [epochs]</c>: decoded + augmented images per second of <see cref="SegmentationLoader"/> over
/// the JPEG/PNG pairs in DIR (random 512 crop, flip, float), batch 8, one worker per core. One warm-up epoch, then
/// the timed ones. benchmarks/peers/loader_throughput.py runs it beside PyTorch's DataLoader on the same files.
/// </summary>
internal static class LoaderThroughputMeasure
{
    public static int Run(string[] args)
    {
        var dataset = new JpegPngFolder(args[1]);
        var epochs = args.Length > 2 ? int.Parse(args[2]) : 2;
        var loader = new SegmentationLoader(dataset, new CropFlipToFloat(512),
            new SegmentationLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 1 });
        long Epoch(int epoch)
        {
            long images = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                using (batch) images += batch.Count;
            }
            return images;
        }
        Epoch(0);
        var clock = Stopwatch.StartNew();
        long total = 0;
        for (var epoch = 1; epoch <= epochs; epoch++) total += Epoch(epoch);
        clock.Stop();
        Console.WriteLine($"SegNets {total / clock.Elapsed.TotalSeconds:F1} images/s ({total} images, {loader.Options.Workers} workers, "
            + $"{clock.Elapsed.TotalSeconds:F2} s)");
        return 0;
    }
}
