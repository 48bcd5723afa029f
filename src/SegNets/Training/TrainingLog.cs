using System.Globalization;
using System.Text;
using SegNets.IO;
using TorchSharp;

namespace SegNets.Training;

/// <summary>
/// What a run writes besides checkpoints: <c>train.csv</c> (one row per epoch, rewritten whole and atomically, so it
/// always matches the newest checkpoint) and TensorBoard event files under <c>tensorboard/</c> (TorchSharp's
/// SummaryWriter; <c>tensorboard --logdir</c> reads them): train/loss and train/lr per iteration, epoch means and
/// validation scores per epoch.
/// </summary>
public sealed class TrainingLog
{
    public const string CsvFile = "train.csv";
    readonly string _directory;
    readonly TorchSharp.Modules.SummaryWriter? _writer;

    public TrainingLog(string directory, bool tensorBoard)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        if (tensorBoard) _writer = torch.utils.tensorboard.SummaryWriter(Path.Combine(directory, "tensorboard"));
    }

    public void Iteration(long iteration, double loss, double learningRate)
    {
        if (_writer is null) return;
        _writer.add_scalar("train/loss", (float)loss, (int)iteration);
        _writer.add_scalar("train/lr", (float)learningRate, (int)iteration);
    }

    public void Epoch(IReadOnlyList<EpochRecord> history)
    {
        var last = history[^1];
        if (_writer is not null)
        {
            _writer.add_scalar("epoch/loss", (float)last.Loss, last.Epoch);
            _writer.add_scalar("epoch/images_per_second", (float)last.ImagesPerSecond, last.Epoch);
            foreach (var (key, value) in last.Validation) _writer.add_scalar($"val/{key}", (float)value, last.Epoch);
        }
        AtomicFile.Write(Path.Combine(_directory, CsvFile), stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(Csv(history));
        });
    }

    /// <summary>The CSV text of a history: fixed columns then the validation keys in first-seen order.</summary>
    public static string Csv(IReadOnlyList<EpochRecord> history)
    {
        var keys = history.SelectMany(h => h.Validation.Keys).Distinct().ToList();
        var text = new StringBuilder("epoch,iterations,lr,loss,seconds,images_per_second");
        foreach (var key in keys) text.Append(",val_").Append(key);
        text.Append('\n');
        var c = CultureInfo.InvariantCulture;
        foreach (var h in history)
        {
            text.Append(string.Create(c, $"{h.Epoch},{h.Iterations},{h.LearningRate:R},{h.Loss:R},{h.Seconds:F3},{h.ImagesPerSecond:F2}"));
            foreach (var key in keys)
                text.Append(',').Append(h.Validation.TryGetValue(key, out var v) ? v.ToString("R", c) : "");
            text.Append('\n');
        }
        return text.ToString();
    }
}
