namespace SegNets.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="History">Every epoch of the run, including those done before a resume.</param>
/// <param name="ResumedFromEpoch">Epochs that were restored from a checkpoint (0 for a fresh run).</param>
/// <param name="BestEpoch">Epoch with the best validation score, if validated.</param>
/// <param name="BestScore">That score.</param>
/// <param name="LastCheckpoint">Folder of the final checkpoint, when an output directory was given.</param>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int ResumedFromEpoch, int? BestEpoch, double? BestScore,
    string? LastCheckpoint);
