namespace SegNets.Checkpoints;

/// <summary>What <see cref="StateDictLoader.Load"/> did: which keys it loaded and which it could not.</summary>
/// <param name="Loaded">Keys copied into the module.</param>
/// <param name="Missing">Keys the module has and the checkpoint lacks.</param>
/// <param name="Unexpected">Keys the checkpoint has and the module lacks.</param>
/// <param name="Mismatched">Keys both have, with different shapes: "key: checkpoint [..] vs module [..]".</param>
public sealed record LoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> Mismatched)
{
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public override string ToString() =>
        $"{Loaded.Count} loaded; {Missing.Count} missing{List(Missing)}; {Unexpected.Count} unexpected{List(Unexpected)}; " +
        $"{Mismatched.Count} shape-mismatched{List(Mismatched)}";

    static string List(IReadOnlyList<string> keys) =>
        keys.Count == 0 ? "" : $" ({string.Join(", ", keys.Take(10))}{(keys.Count > 10 ? $", ... {keys.Count - 10} more" : "")})";
}
