namespace SegNets.Training;

/// <summary>The base rate multiplied by gamma at each milestone (iterations), as PyTorch's MultiStepLR; with no
/// milestones it is constant.</summary>
public sealed class StepSchedule : LearningRateSchedule
{
    readonly long[] _milestones;

    public StepSchedule(double baseLearningRate, long totalIterations, long[] milestones, double gamma, int warmupIterations = 0, double warmupFactor = 0.1)
        : base(baseLearningRate, totalIterations, warmupIterations, warmupFactor)
    {
        if (!(gamma > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "must be > 0");
        _milestones = milestones.Order().ToArray();
        Gamma = gamma;
    }

    public double Gamma { get; }

    public IReadOnlyList<long> Milestones => _milestones;

    protected override double Factor(long t, long span)
    {
        var iteration = t + WarmupIterations;
        return Math.Pow(Gamma, _milestones.Count(m => iteration >= m));
    }
}
