namespace SegNets.Training;

/// <summary>One finished epoch as train.csv and the checkpoint record it.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Iterations">Iterations done by the end of the epoch, over the whole run.</param>
/// <param name="LearningRate">The backbone's learning rate at the epoch's last iteration.</param>
/// <param name="Loss">Mean total loss over the epoch's batches.</param>
/// <param name="Seconds">Wall time of the epoch's training pass (without validation).</param>
/// <param name="ImagesPerSecond">Training images per second in the epoch.</param>
/// <param name="Validation">Scores of the validation callback (empty without one).</param>
public sealed record EpochRecord(int Epoch, long Iterations, double LearningRate, double Loss, double Seconds,
    double ImagesPerSecond, IReadOnlyDictionary<string, double> Validation);
