using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace SegNets.Checkpoints.Converters;

/// <summary>
/// Maps the tensors of an original checkpoint onto SegNets' state-dict keys with a declarative rename table
/// (<see cref="KeyRule"/>s) and named layout transforms (<see cref="TensorTransform"/>s) — never per-layer code.
/// </summary>
public sealed class CheckpointConverter
{
    readonly (Regex Pattern, string? Replacement)[] rules;
    readonly (Regex Pattern, TensorTransform Transform)[] transforms;

    public CheckpointConverter(string name, IEnumerable<KeyRule> rules, IEnumerable<TensorTransform>? transforms = null)
    {
        Name = name;
        this.rules = [.. rules.Select(r => (new Regex(r.Pattern, RegexOptions.CultureInvariant), r.Replacement))];
        this.transforms = [.. (transforms ?? []).Select(t => (new Regex(t.Pattern, RegexOptions.CultureInvariant), t))];
    }

    /// <summary>The table of files whose keys and layouts are already SegNets' (torchvision, Hugging Face): every key
    /// is kept as it is.</summary>
    public static CheckpointConverter Identity { get; } = new("identity", []);

    /// <summary>Names the table in error messages ("gluoncv", "chainercv", "tfdeeplab-xception65", ...).</summary>
    public string Name { get; }

    /// <summary>
    /// Optional check of a checkpoint's keys before conversion: returns why the table cannot convert them (e.g. a
    /// naming scheme it does not know), or null. <see cref="Convert"/> throws that reason as an InvalidDataException.
    /// </summary>
    public Func<IReadOnlyCollection<string>, string?>? Refuse { get; init; }

    /// <summary>The SegNets key of <paramref name="key"/>, or null when the table drops it.</summary>
    public string? MapKey(string key)
    {
        string? current = key;
        foreach (var (pattern, replacement) in rules)
        {
            if (!pattern.IsMatch(current)) continue;
            if (replacement is null) return null;
            current = pattern.Replace(current, replacement);
        }
        return current;
    }

    /// <summary>
    /// Renames and transforms every tensor. Two source keys landing on one SegNets key is an error naming both, so a
    /// wrong table never silently overwrites weights.
    /// </summary>
    /// <param name="source">Names the checkpoint in error messages.</param>
    public Dictionary<string, Tensor> Convert(IReadOnlyDictionary<string, Tensor> tensors, string source = "checkpoint")
    {
        if (Refuse?.Invoke([.. tensors.Keys]) is { } reason)
            throw new InvalidDataException($"{source}: {reason}");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tensors)
        {
            var mapped = MapKey(key);
            if (mapped is null) continue;
            if (origin.TryGetValue(mapped, out var first))
                throw new InvalidDataException($"{source}: '{first}' and '{key}' both map to '{mapped}' under the {Name} conversion table");
            var tensor = value;
            foreach (var (pattern, transform) in transforms)
            {
                if (!pattern.IsMatch(mapped)) continue;
                try
                {
                    tensor = transform.Apply(tensor);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new InvalidDataException($"{source}: {transform.Name} cannot be applied to '{key}' of shape [{string.Join(", ", value.shape)}]: {e.Message}", e);
                }
            }
            origin[mapped] = key;
            result[mapped] = tensor;
        }
        return result;
    }
}
