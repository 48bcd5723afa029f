namespace SegNets.Training;

/// <summary>Reported after every training iteration (and once per validation), for progress bars.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Iteration">Iterations done over the run.</param>
/// <param name="Loss">Loss of the last batch.</param>
/// <param name="LearningRate">Backbone learning rate of the last batch.</param>
/// <param name="Phase">"train", "validate" or "done" (epoch finished; <paramref name="Record"/> is set).</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, long Iteration, double Loss,
    double LearningRate, string Phase, EpochRecord? Record = null);
