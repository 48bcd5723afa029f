using static TorchSharp.torch;

namespace SegNets.Tests.Support;

/// <summary>
/// The deterministic weights of tools/reference/synthetic_weights.py, computed bit for bit the same way here, so that a
/// committed fixture needs only inputs and outputs. See that file for the formula.
/// </summary>
public static class SyntheticWeights
{
    public static void Fill(nn.Module module) => Fill(module, key => key);

    /// <summary>Fills each key with the values of <paramref name="rename"/>(key): for a reference whose names differ
    /// (the counterpart of synthetic_weights.fill_renamed).</summary>
    public static void Fill(nn.Module module, Func<string, string> rename)
    {
        using var _ = no_grad();
        foreach (var (key, target) in module.state_dict())
        {
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            using var source = tensor(Values(rename(key), target.shape)).reshape(target.shape);
            target.copy_(source);
        }
    }

    static float[] Values(string key, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        uint seed = 0x811C9DC5;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key)) seed = (seed ^ b) * 0x01000193;
        var result = new float[n];
        double bound = shape.Length >= 2 ? Math.Sqrt(6.0 / (n / shape[0])) : 0;
        for (long i = 0; i < n; i++)
        {
            uint h = unchecked(seed + (uint)((ulong)i * 0x9E3779B9));
            h ^= h >> 16;
            h = unchecked(h * 0x85EBCA6B);
            h ^= h >> 13;
            h = unchecked(h * 0xC2B2AE35);
            h ^= h >> 16;
            double u = h / 4294967296.0;
            double v = key.EndsWith("running_var", StringComparison.Ordinal) ? 0.5 + u
                : key.EndsWith("running_mean", StringComparison.Ordinal) ? 0.2 * (u - 0.5)
                : key.EndsWith("bias", StringComparison.Ordinal) ? 0.2 * (u - 0.5)
                : shape.Length <= 1 ? 0.2 + 0.4 * u
                : (2.0 * u - 1.0) * bound;
            result[i] = (float)v;
        }
        return result;
    }
}
