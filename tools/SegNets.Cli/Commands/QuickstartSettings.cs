namespace SegNets.Cli.Commands;

/// <summary>The quickstart's knobs; <see cref="Default"/> is what README's measured run used.</summary>
public sealed record QuickstartSettings
{
    public static QuickstartSettings Default { get; } = new();

    public string? Data { get; init; }
    public string Output { get; init; } = "quickstart-output";
    public int Epochs { get; init; } = 30;
    public int Size { get; init; } = 64;
    public int Width { get; init; } = 32;
    public double LearningRate { get; init; } = 0.1;
    public int BatchSize { get; init; } = 8;
    public string Device { get; init; } = "cpu";
    public int Seed { get; init; }
    public bool Resume { get; init; }
    public bool Flip { get; init; } = true;
}
