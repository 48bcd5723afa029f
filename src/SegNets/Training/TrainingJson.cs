using System.Text.Json.Serialization;

namespace SegNets.Training;

/// <summary>Source-generated JSON of the training state file (see <see cref="SegNets.Data.DataJson"/> for why it is
/// source-generated and kept per namespace).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrainingCheckpoint))]
internal sealed partial class TrainingJson : JsonSerializerContext;
