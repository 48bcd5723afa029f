using SegNets.Training;
using TorchSharp;

namespace SegNets.Zoo;

/// <summary>What <see cref="RecipeRunner.Train"/> runs: the recipe's zoo name, where the data is, and the overrides a
/// user (or a smoke test) may set; null fields keep the recipe's values.</summary>
public sealed record RecipeRun
{
    /// <summary>The zoo name whose recipe is trained.</summary>
    public required string Recipe { get; init; }

    /// <summary>The dataset root in its official layout (the stage's label set decides the reader).</summary>
    public required string DataRoot { get; init; }

    /// <summary>Stage name or 1-based index; null = the last stage SegNets can train.</summary>
    public string? Stage { get; init; }

    /// <summary>Checkpoints, train.csv, TensorBoard events; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Weights to start from (safetensors, .pth, .params, ...), loaded non-strictly (a different class count
    /// drops the classifier; the report says so). Null = the recipe's architecture freshly initialised.</summary>
    public string? InitWeights { get; init; }

    /// <summary>Shorten the run to this many iterations.</summary>
    public long? Iterations { get; init; }

    /// <summary>Images per step instead of the recipe's (a smaller GPU; scale the learning rate yourself).</summary>
    public int? BatchSize { get; init; }

    /// <summary>The base learning rate instead of the recipe's (scale it with the batch size: Goyal et al.'s linear rule).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Clip the global gradient norm (none in the recipes; a guard for short runs from random weights).</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>A square crop instead of the recipe's (smoke runs).</summary>
    public int? Crop { get; init; }

    public torch.Device? Device { get; init; }

    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>Loader threads.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    public bool Resume { get; init; }

    public int Seed { get; init; }
}
