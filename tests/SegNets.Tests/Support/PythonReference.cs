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
    const string Prefix = "segnets-reference-";
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}");

    /// <summary>Deletes this process's reference outputs.</summary>
    public static void RemoveOwn() => TryDelete(Root);

    /// <summary>Deletes reference outputs of test processes that are no longer running.</summary>
    public static void RemoveStale()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)[Prefix.Length..], out var pid) || pid == Environment.ProcessId)
                continue;
            bool alive;
            try { using var process = System.Diagnostics.Process.GetProcessById(pid); alive = !process.HasExited; }
            catch (ArgumentException) { alive = false; }
            if (!alive) TryDelete(dir);
        }
    }

    static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

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
