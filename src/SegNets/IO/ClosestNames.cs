namespace SegNets.IO;

/// <summary>
/// The "did you mean" of every registry that looks things up by name (models, recipes, backbones, datasets): the known
/// names nearest to an unknown one by edit distance, so that deeplabv3_resnet101_voc suggests deeplab_resnet101_voc.
/// </summary>
public static class ClosestNames
{
    /// <summary>Up to <paramref name="count"/> of <paramref name="known"/>, nearest first (case-insensitive Levenshtein
    /// distance, ties in ordinal order).</summary>
    public static IReadOnlyList<string> Of(string name, IEnumerable<string> known, int count = 5)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(known);
        var lower = name.ToLowerInvariant();
        return [.. known.Select(k => (Name: k, Distance: Distance(lower, k.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(count).Select(x => x.Name)];
    }

    /// <summary>The message of an unknown-name error: "no WHAT 'NAME'; closest: a, b, c (WHERE has all N)", with WHAT
    /// such as "model named" or "training recipe for".</summary>
    public static string Message(string what, string name, IReadOnlyCollection<string> known, string where) =>
        $"no {what} '{name}'; closest: {string.Join(", ", Of(name, known))} ({where} has all {known.Count})";

    /// <summary>Levenshtein distance over characters (one row of the table at a time).</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
