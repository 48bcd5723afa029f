using System.Buffers.Binary;
using SegNets.Checkpoints.Protobuf;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads the weights of an ONNX model (TI edgeai publishes its models as ONNX): ModelProto.graph's initializers and
/// the tensors of its Constant nodes, parsed from the protobuf wire format in managed code.
/// Field numbers: onnx/onnx@f7546912:onnx/onnx.in.proto — ModelProto.graph 7; GraphProto node 1, initializer 5;
/// NodeProto output 2, op_type 4, attribute 5; AttributeProto name 1, t 5; TensorProto dims 1, data_type 2, segment 3,
/// float_data 4, int32_data 5, string_data 6, int64_data 7, name 8, raw_data 9, double_data 10, uint64_data 11,
/// external_data 13 (StringStringEntryProto key 1, value 2), data_location 14.
/// </summary>
/// <remarks>
/// raw_data is little-endian, row-major. The typed fields follow onnx.in.proto's comments: int32_data also carries
/// int8/int16/uint8/uint16/bool and the bit patterns of float16/bfloat16; uint64_data carries uint32/uint64.
/// uint16/uint32 widen to int32/int64 and uint64 must fit int64, as in <see cref="NumpyArchive"/>. External data
/// (`location` relative to the model's folder, `offset`, `length`) is read from that file; a location outside the
/// folder is refused, as onnx's checker does. Subgraphs (If/Loop bodies) are not searched.
/// </remarks>
public static class OnnxInitializers
{
    /// <summary>Name → tensor for every initializer and Constant node output of the model's main graph.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        Runtime.TorchBackend.EnsureLoaded();
        byte[] data;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
            // A protobuf message cannot exceed 2 GiB; larger models keep their weights as external data.
            if (info.Length > int.MaxValue)
                throw new InvalidDataException($"{path}: {info.Length} bytes; an ONNX protobuf is at most 2 GiB (larger models use external data)");
            data = File.ReadAllBytes(path);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found", path, e);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var model = new WireReader(data, $"{path}: ModelProto");
            bool sawGraph = false;
            while (model.Next(out int field, out var wire))
            {
                if (field == 7 && wire == WireType.LengthDelimited)
                {
                    sawGraph = true;
                    ReadGraph(model.ReadMessage($"{path}: graph"), path, result);
                }
                else model.Skip(wire);
            }
            if (!sawGraph) throw new InvalidDataException($"{path}: no graph (field 7) in the ModelProto; not an ONNX model?");
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    static void ReadGraph(WireReader graph, string path, Dictionary<string, Tensor> into)
    {
        int index = 0;
        while (graph.Next(out int field, out var wire))
        {
            if (field == 5 && wire == WireType.LengthDelimited)
            {
                var tensor = ReadTensor(graph.ReadMessage($"{path}: initializer #{index}"), path, $"initializer #{index}");
                index++;
                Add(into, tensor.Name, tensor.Value, path);
            }
            else if (field == 1 && wire == WireType.LengthDelimited) ReadNode(graph.ReadMessage($"{path}: node"), path, into);
            else graph.Skip(wire);
        }
    }

    static void ReadNode(WireReader node, string path, Dictionary<string, Tensor> into)
    {
        string? opType = null, output = null;
        var tensors = new List<(string Attribute, WireReader Tensor)>();
        while (node.Next(out int field, out var wire))
        {
            if (field == 4 && wire == WireType.LengthDelimited) opType = node.ReadString();
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                var name = node.ReadString(); // read even when unused: it moves the cursor
                output ??= name;
            }
            else if (field == 5 && wire == WireType.LengthDelimited)
            {
                var attribute = node.ReadMessage($"{path}: node attribute");
                string? name = null;
                WireReader? t = null;
                while (attribute.Next(out int f, out var w))
                {
                    if (f == 1 && w == WireType.LengthDelimited) name = attribute.ReadString();
                    else if (f == 5 && w == WireType.LengthDelimited) t = attribute.ReadMessage($"{path}: node attribute tensor");
                    else attribute.Skip(w);
                }
                if (t is not null) tensors.Add((name ?? "", t));
            }
            else node.Skip(wire);
        }
        if (opType != "Constant") return;
        foreach (var (attribute, t) in tensors.Where(a => a.Attribute == "value"))
        {
            // The value's name is the node's output; the attribute tensor's own name is usually empty.
            var tensor = ReadTensor(t, path, $"Constant '{output}'");
            Add(into, output ?? tensor.Name, tensor.Value, path);
        }
    }

    static void Add(Dictionary<string, Tensor> into, string name, Tensor value, string path)
    {
        if (!into.TryAdd(name, value))
        {
            value.Dispose();
            throw new InvalidDataException($"{path}: two initializers/constants are named '{name}'");
        }
    }

    /// <summary>ONNX TensorProto.DataType → the tensor type read and its width in raw_data.</summary>
    static (ScalarType Raw, int Size, string Name) TypeOf(long dataType, string where) => dataType switch
    {
        1 => (ScalarType.Float32, 4, "FLOAT"),
        2 => (ScalarType.Byte, 1, "UINT8"),
        3 => (ScalarType.Int8, 1, "INT8"),
        4 => (ScalarType.Int16, 2, "UINT16"),
        5 => (ScalarType.Int16, 2, "INT16"),
        6 => (ScalarType.Int32, 4, "INT32"),
        7 => (ScalarType.Int64, 8, "INT64"),
        9 => (ScalarType.Byte, 1, "BOOL"),
        10 => (ScalarType.Float16, 2, "FLOAT16"),
        11 => (ScalarType.Float64, 8, "DOUBLE"),
        12 => (ScalarType.Int32, 4, "UINT32"),
        13 => (ScalarType.Int64, 8, "UINT64"),
        16 => (ScalarType.BFloat16, 2, "BFLOAT16"),
        _ => throw new InvalidDataException(
            $"{where}: ONNX data type {dataType} ({dataType switch { 0 => "UNDEFINED", 8 => "STRING", 14 => "COMPLEX64", 15 => "COMPLEX128", >= 17 and <= 20 => "FLOAT8", _ => "4-bit, 2-bit or unknown" }}) has no tensor form here"),
    };

    static (string Name, Tensor Value) ReadTensor(WireReader t, string path, string fallback)
    {
        var dims = new List<ulong>();
        long dataType = 0;
        string name = "";
        ReadOnlyMemory<byte>? raw = null;
        var fixedBytes = new List<byte>();
        var varints = new List<ulong>();
        int typedField = 0;
        var external = new Dictionary<string, string>(StringComparer.Ordinal);
        long location = 0;
        while (t.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: t.ReadRepeatedVarints(wire, dims); break;
                case 2: t.Expect(field, wire, WireType.Varint, "data_type"); dataType = (long)t.ReadVarint(); break;
                case 3: throw t.Error("a segmented tensor (TensorProto.segment) is not supported");
                case 4: t.ReadRepeatedFixed(wire, 4, fixedBytes); typedField = 4; break;
                case 10: t.ReadRepeatedFixed(wire, 8, fixedBytes); typedField = 10; break;
                case 5 or 7 or 11: t.ReadRepeatedVarints(wire, varints); typedField = field; break;
                case 6: throw t.Error("a STRING tensor (string_data) has no tensor form");
                case 8: t.Expect(field, wire, WireType.LengthDelimited, "name"); name = t.ReadString(); break;
                case 9: t.Expect(field, wire, WireType.LengthDelimited, "raw_data"); raw = t.ReadBytes(); break;
                case 13:
                    t.Expect(field, wire, WireType.LengthDelimited, "external_data");
                    var entry = t.ReadMessage(t.Where);
                    string key = "", value = "";
                    while (entry.Next(out int f, out var w))
                    {
                        if (f == 1 && w == WireType.LengthDelimited) key = entry.ReadString();
                        else if (f == 2 && w == WireType.LengthDelimited) value = entry.ReadString();
                        else entry.Skip(w);
                    }
                    external[key] = value;
                    break;
                case 14: t.Expect(field, wire, WireType.Varint, "data_location"); location = (long)t.ReadVarint(); break;
                default: t.Skip(wire); break;
            }
        }
        var where = $"{path}: {(name.Length > 0 ? $"tensor '{name}'" : fallback)}";
        var (rawType, size, typeName) = TypeOf(dataType, where);
        long numel = 1;
        var shape = new long[dims.Count];
        try
        {
            for (int i = 0; i < dims.Count; i++)
            {
                if (dims[i] > long.MaxValue) throw new OverflowException();
                shape[i] = (long)dims[i];
                numel = checked(numel * shape[i]);
            }
            _ = checked(numel * size);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where}: dims ({string.Join(", ", dims)}) overflow");
        }
        long byteLength = numel * size;
        if (byteLength > int.MaxValue) throw new InvalidDataException($"{where}: a {byteLength}-byte tensor; tensors over 2 GiB are not supported");

        byte[] bytes;
        if (location == 1)
            bytes = ReadExternal(external, path, where, byteLength);
        else if (raw is { } r)
        {
            if (r.Length != byteLength)
                throw new InvalidDataException($"{where}: raw_data holds {r.Length} bytes; dims ({string.Join(", ", shape)}) of {typeName} need {byteLength}");
            bytes = r.ToArray();
        }
        else
            bytes = Typed(typedField, fixedBytes, varints, size, numel, typeName, where);

        return (name, FromLittleEndian(bytes, shape, rawType, size, dataType, where));
    }

    /// <summary>The typed repeated fields re-encoded as raw_data would hold them.</summary>
    static byte[] Typed(int field, List<byte> fixedBytes, List<ulong> varints, int size, long numel, string typeName, string where)
    {
        int expectedField = typeName switch
        {
            "FLOAT" => 4,
            "DOUBLE" => 10,
            "INT64" => 7,
            "UINT32" or "UINT64" => 11,
            _ => 5, // int32_data: INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16
        };
        long count = field == 4 ? fixedBytes.Count / 4 : field == 10 ? fixedBytes.Count / 8 : varints.Count;
        if (numel > 0 && field == 0)
            throw new InvalidDataException($"{where}: no data: neither raw_data nor a typed field, nor external data, for {numel} elements");
        if (field != 0 && field != expectedField)
            throw new InvalidDataException($"{where}: a {typeName} tensor with its values in field {field}; onnx.in.proto puts them in field {expectedField}");
        if (count != numel)
            throw new InvalidDataException($"{where}: {count} values for {numel} elements");
        if (field is 4 or 10) return [.. fixedBytes];
        var bytes = new byte[numel * size];
        for (int i = 0; i < varints.Count; i++)
        {
            ulong v = varints[i];
            var slot = bytes.AsSpan(i * size, size);
            switch (size)
            {
                case 1: slot[0] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)v); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)v); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(slot, v); break;
            }
        }
        return bytes;
    }

    static byte[] ReadExternal(Dictionary<string, string> external, string path, string where, long byteLength)
    {
        if (!external.TryGetValue("location", out var location) || location.Length == 0)
            throw new InvalidDataException($"{where}: external data without a 'location'");
        var folder = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var file = Path.GetFullPath(Path.Combine(folder, location));
        if (Path.IsPathRooted(location) || !file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{where}: external data location '{location}' is outside the model's folder {folder}");
        static long Number(Dictionary<string, string> d, string key, long fallback, string where) =>
            !d.TryGetValue(key, out var s) ? fallback
            : long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{where}: external data {key} '{s}' is not a non-negative integer");
        long offset = Number(external, "offset", 0, where);
        if (!File.Exists(file)) throw new InvalidDataException($"{where}: external data file {file} is missing");
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = Number(external, "length", stream.Length - Math.Min(offset, stream.Length), where);
        if (length != byteLength)
            throw new InvalidDataException($"{where}: external data length {length}; the dims need {byteLength} bytes");
        if (offset > stream.Length || length > stream.Length - offset)
            throw new InvalidDataException($"{where}: external data [{offset}, {offset + length}) lies beyond the {stream.Length} bytes of {file}");
        stream.Position = offset;
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    static Tensor FromLittleEndian(byte[] bytes, long[] shape, ScalarType rawType, int size, long dataType, string where)
    {
        using var raw = empty(shape, dtype: rawType);
        if (bytes.Length > 0)
        {
            var target = raw.bytes;
            bytes.CopyTo(target);
            if (!BitConverter.IsLittleEndian && size > 1)
                for (int i = 0; i < target.Length; i += size) target.Slice(i, size).Reverse();
        }
        switch (dataType)
        {
            case 4: return raw.to_type(ScalarType.Int32).bitwise_and_(0xFFFF);
            case 12: return raw.to_type(ScalarType.Int64).bitwise_and_(0xFFFFFFFFL);
            case 9: return raw.ne(0);
            case 13:
                using (var negative = raw.lt(0).any())
                    if (negative.item<bool>())
                        throw new InvalidDataException($"{where}: a UINT64 tensor with values above {long.MaxValue}, which int64 tensors cannot hold");
                return raw.alias();
            default: return raw.alias();
        }
    }

}
