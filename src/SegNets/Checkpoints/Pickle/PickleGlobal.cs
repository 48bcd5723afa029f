namespace SegNets.Checkpoints.Pickle;

/// <summary>A class or function a pickle names (GLOBAL / STACK_GLOBAL). Never resolved to code.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}
