namespace SegNets.Training;

/// <summary>
/// The poly learning-rate schedule of GluonCV (gluoncv/utils/lr_scheduler.py, mode 'poly'): base * (1 - t/T)^power,
/// t counted in iterations over the whole run, with an optional linear warmup from base * factor to base.
/// </summary>
public sealed class PolySchedule
{
    public PolySchedule(double baseLearningRate, long totalIterations, double power = 0.9, int warmupIterations = 0, double warmupFactor = 0.1)
    {
        if (totalIterations < 1) throw new ArgumentOutOfRangeException(nameof(totalIterations), totalIterations, "at least 1 iteration");
        if (warmupIterations >= totalIterations)
            throw new ArgumentOutOfRangeException(nameof(warmupIterations), warmupIterations, $"warmup must be shorter than the run ({totalIterations} iterations)");
        BaseLearningRate = baseLearningRate;
        TotalIterations = totalIterations;
        Power = power;
        WarmupIterations = warmupIterations;
        WarmupFactor = warmupFactor;
    }

    public double BaseLearningRate { get; }
    public long TotalIterations { get; }
    public double Power { get; }
    public int WarmupIterations { get; }
    public double WarmupFactor { get; }

    /// <summary>The learning rate for iteration <paramref name="iteration"/> (0-based).</summary>
    public double At(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        if (iteration < WarmupIterations)
            return BaseLearningRate * (WarmupFactor + (1 - WarmupFactor) * iteration / WarmupIterations);
        var t = iteration - WarmupIterations;
        var span = TotalIterations - WarmupIterations;
        return BaseLearningRate * Math.Pow(Math.Max(0, 1 - (double)t / span), Power);
    }
}
