namespace SegNets.Training;

/// <summary>Half a cosine from the base rate to 0 over the run (PyTorch's CosineAnnealingLR with eta_min 0, stepped
/// per iteration).</summary>
public sealed class CosineSchedule(double baseLearningRate, long totalIterations, int warmupIterations = 0, double warmupFactor = 0.1)
    : LearningRateSchedule(baseLearningRate, totalIterations, warmupIterations, warmupFactor)
{
    protected override double Factor(long t, long span) => 0.5 * (1 + Math.Cos(Math.PI * t / span));
}
