namespace SegNets.Runtime;

/// <summary>Outcome of <see cref="TorchBackend.SelfTest"/> on one device.</summary>
/// <param name="Device">The device the forward ran on.</param>
/// <param name="OutputShape">Shape of the network's output.</param>
/// <param name="MaxAbsDiffToCpu">Largest absolute difference to the same forward on the CPU (0 when the device is the CPU).</param>
/// <param name="Milliseconds">Median wall time of one forward on the device, after warm-up.</param>
public sealed record SelfTestResult(string Device, long[] OutputShape, double MaxAbsDiffToCpu, double Milliseconds)
{
    public override string ToString() =>
        $"{Device}: output [{string.Join(", ", OutputShape)}], max |diff| to CPU {MaxAbsDiffToCpu:E2}, {Milliseconds:F2} ms/forward";
}
