using SegNets.Training;

namespace SegNets.Sources;

/// <summary>How strongly a number of a <see cref="TrainingStage"/> is backed by the original.</summary>
public enum RecipeEvidence
{
    /// <summary>Read from the training log (printed arguments, checkpoint folder name) of the run that produced the
    /// released weights.</summary>
    TrainingLog,

    /// <summary>Written in the training command the original publishes for this model.</summary>
    Command,

    /// <summary>The training script's default, which the published command for this model leaves unchanged.</summary>
    ScriptDefault,

    /// <summary>Stated in the original's documentation or code comments for this kind of model (not a command for this
    /// exact row).</summary>
    Documentation,

    /// <summary>Not published for this model: borrowed from a sibling model or a general default. The reference says
    /// from where and why.</summary>
    Assumed,
}

/// <summary>Where one number of a recipe comes from.</summary>
/// <param name="Evidence">Read in the original, or assumed.</param>
/// <param name="Reference">repository@commit:path plus the line or flag; for an assumption, what it was borrowed from.</param>
public sealed record RecipeSource(RecipeEvidence Evidence, string Reference)
{
    /// <summary>True when the number was not read in the original's material for this model.</summary>
    public bool IsAssumed => Evidence == RecipeEvidence.Assumed;
}
