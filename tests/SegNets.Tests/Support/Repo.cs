namespace SegNets.Tests.Support;

/// <summary>The repository the tests were built from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration these tests were built in, so nested runs use the same build.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegNets.sln"))) return dir.FullName;
        throw new InvalidOperationException($"SegNets.sln not found above {AppContext.BaseDirectory}");
    }
}
