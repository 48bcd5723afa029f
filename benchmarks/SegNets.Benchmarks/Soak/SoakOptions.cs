using System.Globalization;

namespace SegNets.Benchmarks.Soak;

/// <summary>
/// The command line of the soaks: <c>--name value</c> pairs and <c>--flag</c>s after the mode. Shared options:
/// <c>--every N</c> (sample every N steps; default 1% of the run), <c>--gc</c> (a full collection with finalizers
/// before each sample, to take the managed heap's own growth out of RSS), <c>--trim</c> (glibc malloc_trim(0) before
/// each sample, to take free memory kept by malloc out of RSS), <c>--csv FILE</c> (the samples as CSV), <c>--threads N</c>
/// (libtorch's intra-op threads; default libtorch's own, one per core).
/// </summary>
internal sealed class SoakOptions
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public SoakOptions(string[] args)
    {
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"{args[0]}: unexpected argument '{name}' (options are --name value or --flag)");
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[name[2..]] = hasValue ? args[++i] : null;
        }
        Every = Long("every", 0) is var every and > 0 ? every : null;
        Collect = Flag("gc");
        Trim = Flag("trim");
        Csv = String("csv", "") is { Length: > 0 } csv ? csv : null;
        Threads = (int)Long("threads", 0) is var threads and > 0 ? threads : null;
    }

    public long? Every { get; }

    public bool Collect { get; }

    public bool Trim { get; }

    public string? Csv { get; }

    public int? Threads { get; }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string String(string name, string fallback)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var value)) return fallback;
        return value ?? throw new ArgumentException($"--{name} needs a value");
    }

    public long Long(string name, long fallback)
    {
        var text = String(name, "");
        if (text.Length == 0) return fallback;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"--{name}: expected a non-negative integer, got '{text}'");
    }

    /// <summary>Throws for any option the mode did not ask for (a typo must not silently run the default).</summary>
    public void RejectUnknown(string mode)
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{mode}: unknown option(s) {string.Join(", ", unknown.Select(k => "--" + k))}; known: "
                + string.Join(", ", _used.Order(StringComparer.Ordinal).Select(k => "--" + k)));
    }

    /// <summary>A data folder as given, or found by walking up from the working directory and from the program's
    /// folder (so that the default relative path works from bin/ as well as from the repository root).</summary>
    public static string FindFolder(string path)
    {
        if (Directory.Exists(path) || Path.IsPathRooted(path)) return path;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, path);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException($"{path}: not found from {Environment.CurrentDirectory} or {AppContext.BaseDirectory} upwards");
    }
}
