namespace SegNets.Training;

/// <summary>
/// A learning rate per iteration over a run of <see cref="TotalIterations"/>, with an optional linear warmup from
/// <c>WarmupFactor x base</c> to the base rate over the first <see cref="WarmupIterations"/> (GluonCV's
/// LRScheduler warmup). The Trainer sets it before every iteration.
/// </summary>
public abstract class LearningRateSchedule
{
    protected LearningRateSchedule(double baseLearningRate, long totalIterations, int warmupIterations, double warmupFactor)
    {
        if (!(baseLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, "must be > 0");
        if (totalIterations < 1) throw new ArgumentOutOfRangeException(nameof(totalIterations), totalIterations, "at least 1 iteration");
        if (warmupIterations < 0 || warmupIterations >= totalIterations)
            throw new ArgumentOutOfRangeException(nameof(warmupIterations), warmupIterations, $"warmup must be shorter than the run ({totalIterations} iterations)");
        BaseLearningRate = baseLearningRate;
        TotalIterations = totalIterations;
        WarmupIterations = warmupIterations;
        WarmupFactor = warmupFactor;
    }

    public double BaseLearningRate { get; }
    public long TotalIterations { get; }
    public int WarmupIterations { get; }
    public double WarmupFactor { get; }

    /// <summary>The learning rate of iteration <paramref name="iteration"/> (0-based).</summary>
    public double At(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        if (iteration < WarmupIterations)
            return BaseLearningRate * (WarmupFactor + (1 - WarmupFactor) * iteration / WarmupIterations);
        return BaseLearningRate * Factor(iteration - WarmupIterations, TotalIterations - WarmupIterations);
    }

    /// <summary>The factor on the base rate at step <paramref name="t"/> of the <paramref name="span"/> after warmup.</summary>
    protected abstract double Factor(long t, long span);

    /// <summary>The schedule <paramref name="options"/> name, for a run of <paramref name="totalIterations"/> with
    /// <paramref name="iterationsPerEpoch"/> (step milestones in epochs are converted with it).</summary>
    /// <remarks>A warmup that would not fit a shortened run is cut to leave its last iteration to the schedule.</remarks>
    public static LearningRateSchedule From(TrainingOptions options, long totalIterations, int iterationsPerEpoch)
    {
        var warmup = (int)Math.Min(options.WarmupIterations, totalIterations - 1);
        return options.Schedule switch
        {
            ScheduleKind.Poly => new PolySchedule(options.LearningRate, totalIterations, options.PolyPower, warmup, options.WarmupFactor),
            ScheduleKind.Cosine => new CosineSchedule(options.LearningRate, totalIterations, warmup, options.WarmupFactor),
            ScheduleKind.Step => new StepSchedule(options.LearningRate, totalIterations,
                (options.StepMilestoneEpochs ?? []).Select(e => (long)e * iterationsPerEpoch).ToArray(), options.StepGamma,
                warmup, options.WarmupFactor),
            ScheduleKind.Constant => new StepSchedule(options.LearningRate, totalIterations, [], 1, warmup, options.WarmupFactor),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Schedule, "unknown schedule"),
        };
    }
}
