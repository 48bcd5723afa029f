using System.Text.Json;
using System.Text;
using SegNets.IO;

namespace SegNets.Evaluation;

/// <summary>What <see cref="SegmentationEvaluator.Evaluate"/> measured over a dataset.</summary>
/// <param name="Metrics">The scores over all images.</param>
/// <param name="Images">How many images were evaluated.</param>
/// <param name="Elapsed">Wall-clock time of the whole evaluation (reading, inference, counting).</param>
public sealed record EvaluationResult(SegmentationMetrics Metrics, int Images, TimeSpan Elapsed)
{
    /// <summary>
    /// Writes <c>metrics.json</c> (the metrics plus images and elapsedSeconds) and <c>metrics.csv</c>
    /// (<see cref="SegmentationMetrics.ToCsv"/>) into <paramref name="directory"/>, creating it. Each file is written
    /// to a temporary name and renamed, so a reader never sees half a file.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, "metrics.json"), stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteNumber("images", Images);
            writer.WriteNumber("elapsedSeconds", Elapsed.TotalSeconds);
            Metrics.WriteJsonProperties(writer);
            writer.WriteEndObject();
        });
        var csv = Encoding.UTF8.GetBytes(Metrics.ToCsv());
        AtomicFile.Write(Path.Combine(directory, "metrics.csv"), stream => stream.Write(csv));
    }
}
