namespace SegNets.Training;

/// <summary>
/// Online hard example mining for the pixel loss as PSPNet/HRNet-style trainers do it: pixels whose softmax probability
/// of the true class is below <see cref="Threshold"/> are kept, but never fewer than <see cref="MinKept"/> (then the
/// hardest <see cref="MinKept"/>); the loss is the mean over kept pixels.
/// </summary>
public sealed record OhemOptions(double Threshold = 0.7, int MinKept = 100_000)
{
    public void Validate()
    {
        if (Threshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "OHEM threshold is a probability in (0, 1]");
        if (MinKept < 1) throw new ArgumentOutOfRangeException(nameof(MinKept), MinKept, "OHEM keeps at least 1 pixel");
    }
}
