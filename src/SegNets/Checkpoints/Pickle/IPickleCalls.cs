namespace SegNets.Checkpoints.Pickle;

/// <summary>What a format (torch zip, torch legacy, ...) allows a pickle to construct, and how.</summary>
public interface IPickleCalls
{
    /// <summary>Whether the pickle may name this global at all.</summary>
    bool IsAllowed(PickleGlobal global);

    /// <summary>REDUCE / NEWOBJ of an allowed global with its arguments.</summary>
    object? Call(PickleGlobal global, object?[] args);

    /// <summary>BUILD (set state) on a value that is not a dict; false refuses it.</summary>
    bool Build(object? target, object? state);

    /// <summary>BINPERSID: the object a persistent id stands for (torch: a storage).</summary>
    object? PersistentLoad(object? id);
}
