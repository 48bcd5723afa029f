namespace SegNets.Checkpoints.Pickle;

/// <summary>A pickled tuple.</summary>
public sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}
