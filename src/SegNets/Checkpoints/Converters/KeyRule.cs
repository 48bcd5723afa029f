namespace SegNets.Checkpoints.Converters;

/// <summary>
/// One line of a rename table: every key matching the regular expression <paramref name="Pattern"/> is rewritten with
/// <paramref name="Replacement"/> (.NET regex substitution, $1 ...); a null replacement drops the key (optimizer slots,
/// counters the target has no place for). Rules apply in order, each to the result of the previous, like a sed script.
/// </summary>
public sealed record KeyRule(string Pattern, string? Replacement);
