using System.Text.Json.Serialization;
using System.Text.Json;

namespace SegNets.Data;

/// <summary>
/// The parts of a COCO <c>instances_*.json</c> that semantic segmentation needs, read in one streaming pass. Each
/// segmentation is turned into a compact <see cref="CocoShape"/> as it is read, so the whole file (448 MB for
/// train2017) is never held as a JSON document.
/// </summary>
internal sealed class CocoAnnotationFile
{
    [JsonPropertyName("images")] public List<CocoImageEntry> Images { get; set; } = [];
    [JsonPropertyName("annotations")] public List<CocoAnnotationEntry> Annotations { get; set; } = [];

    public static CocoAnnotationFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no COCO annotation file at {path}", path);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, DataJson.Default.CocoAnnotationFile)
                ?? throw new InvalidDataException($"{path}: the annotation file is JSON null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a COCO annotation file ({e.Message})", e);
        }
    }
}

internal sealed class CocoImageEntry
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("file_name")] public string FileName { get; set; } = "";
    [JsonPropertyName("height")] public int Height { get; set; }
    [JsonPropertyName("width")] public int Width { get; set; }
}

internal sealed class CocoAnnotationEntry
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("image_id")] public long ImageId { get; set; }
    [JsonPropertyName("category_id")] public int CategoryId { get; set; }
    [JsonPropertyName("iscrowd")] public int IsCrowd { get; set; }

    [JsonPropertyName("segmentation")]
    [JsonConverter(typeof(CocoShapeConverter))]
    public CocoShape? Segmentation { get; set; }
}

/// <summary>
/// One annotation's <c>segmentation</c>: polygons (a list of x0,y0,x1,y1,... lists), an uncompressed RLE
/// (<c>{"size": [h, w], "counts": [ints]}</c>, COCO's iscrowd regions) or a compressed RLE (counts a string).
/// A value of none of these shapes keeps its <see cref="Error"/>, reported with the annotation id when used.
/// </summary>
internal sealed record CocoShape(double[][]? Polygons, uint[]? Counts, string? CompressedCounts, int Height, int Width,
    string? Error);

internal sealed class CocoShapeConverter : JsonConverter<CocoShape>
{
    public override CocoShape Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return Parse(doc.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, CocoShape value, JsonSerializerOptions options) =>
        throw new NotSupportedException("COCO shapes are read, not written");

    static CocoShape Fail(string error) => new(null, null, null, 0, 0, error);

    static CocoShape Parse(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            var polygons = new double[e.GetArrayLength()][];
            var i = 0;
            foreach (var polygon in e.EnumerateArray())
            {
                if (polygon.ValueKind != JsonValueKind.Array)
                    return Fail($"polygon {i} is {polygon.ValueKind}, not a list of coordinates");
                var xy = new double[polygon.GetArrayLength()];
                var j = 0;
                foreach (var v in polygon.EnumerateArray())
                {
                    if (v.ValueKind != JsonValueKind.Number) return Fail($"polygon {i} coordinate {j} is {v.ValueKind}, not a number");
                    xy[j++] = v.GetDouble();
                }
                polygons[i++] = xy;
            }
            return new CocoShape(polygons, null, null, 0, 0, null);
        }
        if (e.ValueKind != JsonValueKind.Object)
            return Fail($"segmentation is {e.ValueKind}; expected polygons (a list) or an RLE object");
        if (!e.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
            || !size[0].TryGetInt32(out var h) || !size[1].TryGetInt32(out var w))
            return Fail("RLE has no \"size\": [height, width]");
        if (!e.TryGetProperty("counts", out var counts))
            return Fail("RLE has no \"counts\"");
        if (counts.ValueKind == JsonValueKind.String)
            return new CocoShape(null, null, counts.GetString(), h, w, null);
        if (counts.ValueKind != JsonValueKind.Array)
            return Fail($"RLE \"counts\" is {counts.ValueKind}; expected a list of run lengths or a compressed string");
        var runs = new uint[counts.GetArrayLength()];
        var k = 0;
        foreach (var c in counts.EnumerateArray())
        {
            if (c.ValueKind != JsonValueKind.Number || !c.TryGetUInt32(out var run))
                return Fail($"RLE count {k} is not a run length (a non-negative integer)");
            runs[k++] = run;
        }
        return new CocoShape(null, runs, null, h, w, null);
    }
}
