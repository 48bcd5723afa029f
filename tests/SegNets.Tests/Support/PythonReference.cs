using System.Collections.Concurrent;

namespace SegNets.Tests.Support;

/// <summary>
/// Runs a script of tools/reference/ with Debian's PyTorch (/usr/bin/python3; tools/test.sh installs it) to produce
/// reference files from the original framework. Each script and argument list runs once per test run.
/// </summary>
public static class PythonReference
{
    public const string Python = "/usr/bin/python3";

    static readonly ConcurrentDictionary<string, Lazy<string>> Outputs = new();
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"segnets-reference-{Environment.ProcessId}");

    /// <summary>Runs `python3 tools/reference/SCRIPT OUT_DIR ARGS...` once and returns OUT_DIR.</summary>
    public static string Run(string script, params string[] args)
    {
        var key = string.Join(' ', [script, .. args]);
        return Outputs.GetOrAdd(key, _ => new Lazy<string>(() => Produce(script, args))).Value;
    }

    static string Produce(string script, string[] args)
    {
        var name = string.Join("_", [Path.GetFileNameWithoutExtension(script), .. args])
            .Replace('/', '_').Replace(' ', '_').Replace('=', '-');
        var output = Path.Combine(Root, name);
        Directory.CreateDirectory(output);
        var run = ProcessRun.Start(Python, [Repo.PathOf("tools", "reference", script), output, .. args], Repo.Root,
            new Dictionary<string, string?> { ["PYTHONHASHSEED"] = "0", ["OMP_NUM_THREADS"] = "1" });
        if (run.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Python} tools/reference/{script} {string.Join(' ', args)} failed ({run.ExitCode}); " +
                $"is Debian's python3-torch installed (bash tools/test.sh installs it)?\n{run.Output}");
        return output;
    }
}
