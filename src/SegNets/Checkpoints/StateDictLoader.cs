using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>Copies a name -> tensor map into a module's parameters and buffers, by state-dict key.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Loads <paramref name="state"/> into <paramref name="module"/>. Strict (the default) checks everything first and
    /// throws, changing nothing, if any key is missing, unexpected or of another shape; non-strict loads what matches
    /// and reports the rest (e.g. a classifier of another class count when fine-tuning). Values are converted to the
    /// module's dtype and device. BatchNorm's num_batches_tracked counter is never required: frozen BN has none and
    /// converted checkpoints rarely carry it.
    /// </summary>
    /// <param name="source">Names the checkpoint in error messages.</param>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> state, bool strict = true, string source = "state dict")
    {
        var target = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var (key, destination) in target)
        {
            if (!state.TryGetValue(key, out var value))
            {
                if (!IsCounter(key)) missing.Add(key);
                continue;
            }
            if (!value.shape.SequenceEqual(destination.shape))
                mismatched.Add($"{key}: checkpoint [{string.Join(", ", value.shape)}] vs module [{string.Join(", ", destination.shape)}]");
            else
                loaded.Add(key);
        }
        var unexpected = state.Keys.Where(k => !target.ContainsKey(k) && !IsCounter(k)).ToList();
        var report = new LoadReport(loaded, missing, unexpected, mismatched);
        if (strict && !report.IsComplete)
            throw new InvalidDataException($"{source} does not fit {module.GetName()}: {report}");

        using var _ = no_grad();
        foreach (var key in loaded)
        {
            // a scope per key: dtype/device conversions of a large checkpoint are freed as they go, not at the end
            using var scope = NewDisposeScope();
            var destination = target[key];
            destination.copy_(state[key].to(destination.dtype, destination.device));
        }
        return report;
    }

    static bool IsCounter(string key) => key.EndsWith("num_batches_tracked", StringComparison.Ordinal);
}
