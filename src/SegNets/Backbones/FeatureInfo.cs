namespace SegNets.Backbones;

/// <summary>One feature map a backbone returns: its name (c1..c5), channel count and stride to the input.</summary>
public sealed record FeatureInfo(string Name, long Channels, int Stride);
