using System.Text.Json.Serialization;

namespace SegNets.Data;

/// <summary>
/// Source-generated JSON for the data types SegNets reads or writes (COCO annotation files, input normalisation, the
/// class-name lists of weights files), so that the library works where reflection-based System.Text.Json is switched
/// off (trimmed and native-AOT apps, and .NET 10's file-based apps, which are AOT by default: <c>dotnet run app.cs</c>).
/// Each namespace keeps the context of its own types, so that no low layer names a higher one's types.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CocoAnnotationFile))]
[JsonSerializable(typeof(InputNormalization))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DataJson : JsonSerializerContext;
