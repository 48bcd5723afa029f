using System.Text.Json;
using System.Text;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// The safetensors format (huggingface/safetensors README "Format"; tensor.rs prepare/read_metadata/validate):
/// u64 header length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end)}, "__metadata__":
/// {string: string}}, then the tensors' bytes, little-endian, row-major. The reader validates as the reference does
/// (offsets tile the buffer exactly, sizes match shapes, no duplicate names) before reading a byte of data.
/// </summary>
public static class SafeTensors
{
    const long MaxHeader = 100_000_000; // tensor.rs: MAX_HEADER_SIZE

    static readonly Dictionary<string, ScalarType> DTypes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = ScalarType.Bool, ["U8"] = ScalarType.Byte, ["I8"] = ScalarType.Int8, ["I16"] = ScalarType.Int16,
        ["I32"] = ScalarType.Int32, ["I64"] = ScalarType.Int64, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["F32"] = ScalarType.Float32, ["F64"] = ScalarType.Float64,
    };

    /// <summary>Reads every tensor (CPU) and the metadata map.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        Runtime.TorchBackend.EnsureLoaded();
        using var file = OpenRead(path);
        var (entries, metadata, dataStart) = ReadHeader(file, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in entries.OrderBy(e => e.Begin))
            {
                var t = empty(entry.Shape, entry.DType);
                tensors[entry.Name] = t;
                if (entry.End == entry.Begin) continue;
                file.Position = dataStart + entry.Begin;
                try
                {
                    file.ReadExactly(t.bytes);
                }
                catch (EndOfStreamException e)
                {
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' ends early (truncated file)", e);
                }
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    /// <summary>Names, dtypes and shapes without reading the data.</summary>
    public static IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> List(string path)
    {
        using var file = OpenRead(path);
        return [.. ReadHeader(file, path).Entries.Select(e => (e.Name, e.DType, e.Shape))];
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; contiguous copies are made per tensor) with optional string metadata,
    /// to a temporary file that replaces <paramref name="path"/> only once complete.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        // Written with Utf8JsonWriter (no reflection): works in trimmed, AOT and file-based apps.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                var dtype = DTypes.FirstOrDefault(kv => kv.Value == t.dtype).Key
                    ?? throw new ArgumentException($"tensor '{name}' has dtype {t.dtype}, which safetensors cannot store here", nameof(tensors));
                long size = t.numel() * t.ElementSize;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype);
                writer.WriteStartArray("shape");
                foreach (var d in t.shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size;
            }
            writer.WriteEndObject();
        }
        var json = buffer.ToArray();
        int padding = (8 - json.Length % 8) % 8; // the reference writer aligns the data to 8 bytes with spaces
        IO.AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (ulong)(json.Length + padding));
            stream.Write(length);
            stream.Write(json);
            for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            foreach (var name in names)
            {
                using var scope = NewDisposeScope();
                var cpu = tensors[name].detach().to(CPU).contiguous();
                stream.Write(cpu.bytes);
            }
        });
    }

    sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(FileStream file, string path)
    {
        long fileLength = file.Length;
        if (fileLength < 8) throw new InvalidDataException($"{path}: {fileLength} bytes is too short for a safetensors file (8-byte header length first)");
        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        ulong n = BitConverter.ToUInt64(lengthBytes);
        if (n > MaxHeader) throw new InvalidDataException($"{path}: header length {n} is over safetensors' limit of {MaxHeader} bytes (not a safetensors file?)");
        if ((long)n > fileLength - 8) throw new InvalidDataException($"{path}: header length {n} runs past the end of the file ({fileLength} bytes; truncated?)");
        var json = new byte[n];
        file.ReadExactly(json);
        if (n == 0 || json[0] != (byte)'{') throw new InvalidDataException($"{path}: the header is not a JSON object (safetensors headers start with '{{')");

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new InvalidDataException($"{path}: tensor '{property.Name}' appears twice in the header");
                if (property.Name == "__metadata__")
                {
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                            ? item.Value.GetString()!
                            : throw new InvalidDataException($"{path}: __metadata__ '{item.Name}' is not a string (safetensors metadata maps strings to strings)");
                    continue;
                }
                entries.Add(ParseEntry(property, path));
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON: {e.Message}", e);
        }

        // tensor.rs Metadata::validate: sorted by offset, the entries tile [0, buffer) without gap or overlap.
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' starts at byte {entry.Begin} of the data, expected {expected} (gap or overlap)");
            expected = entry.End;
        }
        long dataStart = 8 + (long)n;
        if (dataStart + expected != fileLength)
            throw new InvalidDataException($"{path}: the header describes {expected} bytes of tensor data but the file holds {fileLength - dataStart} (truncated or padded?)");
        return (entries, metadata, dataStart);
    }

    static Entry ParseEntry(JsonProperty property, string path)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: header entry '{name}' is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{path}: tensor '{name}' has no dtype");
        var dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
            throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtypeName}; SegNets reads {string.Join(", ", DTypes.Keys)}");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: tensor '{name}' has no shape");
        var shape = shapeElement.EnumerateArray().Select(d => d.TryGetInt64(out var v) && v >= 0 ? v
            : throw new InvalidDataException($"{path}: tensor '{name}' has a dimension that is not a non-negative integer")).ToArray();
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"{path}: tensor '{name}' has no [begin, end) data_offsets");
        long begin = offsets[0].TryGetInt64(out var b) && b >= 0 ? b : throw new InvalidDataException($"{path}: tensor '{name}': bad data_offsets");
        long end = offsets[1].TryGetInt64(out var e) && e >= begin ? e : throw new InvalidDataException($"{path}: tensor '{name}': bad data_offsets");
        long numel = 1;
        foreach (var d in shape)
            numel = d == 0 ? 0 : numel > long.MaxValue / d ? throw new InvalidDataException($"{path}: tensor '{name}': shape overflows") : numel * d;
        long elementSize = dtype switch
        {
            ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 => 1,
            ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Int32 or ScalarType.Float32 => 4,
            _ => 8,
        };
        if (numel > long.MaxValue / elementSize || numel * elementSize != end - begin)
            throw new InvalidDataException($"{path}: tensor '{name}' of {dtypeName} [{string.Join(", ", shape)}] needs {numel * elementSize} bytes but its data_offsets span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"no safetensors file at {path}", path, e);
        }
    }
}
