using System.Text.Json.Serialization;
using SegNets.Data;
using SegNets.Models;
using SegNets.Training;

namespace SegNets.IO;

/// <summary>
/// Source-generated JSON for every type SegNets reads or writes, so that the library works where reflection-based
/// System.Text.Json is switched off (trimmed and native-AOT apps, and .NET 10's file-based apps, which are AOT by
/// default: <c>dotnet run app.cs</c>).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrainingCheckpoint))]
[JsonSerializable(typeof(CocoAnnotationFile))]
[JsonSerializable(typeof(InputNormalization))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SegNetsJson : JsonSerializerContext;
