namespace SegNets.Training;

/// <summary>
/// The poly learning-rate schedule of GluonCV (gluoncv/utils/lr_scheduler.py, mode 'poly'): base * (1 - t/T)^power,
/// t counted in iterations over the whole run, with an optional linear warmup from base * factor to base.
/// </summary>
public sealed class PolySchedule(double baseLearningRate, long totalIterations, double power = 0.9, int warmupIterations = 0, double warmupFactor = 0.1)
    : LearningRateSchedule(baseLearningRate, totalIterations, warmupIterations, warmupFactor)
{
    public double Power { get; } = power;

    protected override double Factor(long t, long span) => Math.Pow(Math.Max(0, 1 - (double)t / span), Power);
}
