using SegNets.Checkpoints.Pickle;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// The globals a torch.save pickle may use and what they build — the allow-list of torch's weights-only unpickler
/// (torch/_weights_only_unpickler.py) cut to what state dicts need. Tensors are first recorded as
/// <see cref="TensorRef"/>s (in the legacy format the bytes come after the pickle) and materialised at the end.
/// </summary>
sealed class TorchPickleCalls(string path, bool legacy) : IPickleCalls
{
    // torch/storage.py _dtype_to_storage_type_map; torch matches storage classes by name, whatever the module.
    static readonly Dictionary<string, (ScalarType Type, int Size)> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
        ["ComplexFloatStorage"] = (ScalarType.ComplexFloat32, 8),
        ["ComplexDoubleStorage"] = (ScalarType.ComplexFloat64, 16),
    };

    static readonly HashSet<PickleGlobal> Functions =
    [
        new("collections", "OrderedDict"),
        // torch.optim.lr_scheduler.MultiStepLR keeps its milestones in a Counter, so training checkpoints that save the
        // scheduler's state_dict next to the weights (TI edgeai-torchvision train_pixel2pixel.py) contain one.
        new("collections", "Counter"),
        new("torch._utils", "_rebuild_tensor"),
        new("torch._utils", "_rebuild_tensor_v2"),
        new("torch._utils", "_rebuild_parameter"),
        new("torch._utils", "_rebuild_parameter_with_state"),
        new("torch.nn.parameter", "Parameter"),
        new("torch", "Size"),
        new("builtins", "set"),
        new("builtins", "frozenset"),
    ];

    public Dictionary<string, StorageRef> Storages { get; } = new(StringComparer.Ordinal);

    public bool IsAllowed(PickleGlobal global) =>
        Functions.Contains(global) || (global.Module.StartsWith("torch", StringComparison.Ordinal) && StorageTypes.ContainsKey(global.Name));

    public object? Call(PickleGlobal global, object?[] args)
    {
        switch (global.Name)
        {
            case "OrderedDict":
                return new PickleDict();
            case "Counter": // Counter.__reduce__ is (Counter, (dict(self),)): a plain mapping
                return args.Length == 0 ? new PickleDict() : args[0] as PickleDict
                    ?? throw new ArgumentException($"expected a dict as the Counter's contents, found {PickleReader.Describe(args[0])}");
            case "_rebuild_tensor":
            case "_rebuild_tensor_v2":
                if (args.Length < 4) throw new ArgumentException($"expected at least 4 arguments, found {args.Length}");
                var storage = args[0] as StorageRef ?? throw new ArgumentException($"argument 0 is {PickleReader.Describe(args[0])}; expected a storage");
                var tensor = new TensorRef(storage, (long)args[1]!, Longs(args[2]), Longs(args[3]));
                tensor.Validate(path);
                return tensor;
            case "_rebuild_parameter":
            case "_rebuild_parameter_with_state":
            case "Parameter":
                return args.Length > 0 && args[0] is TensorRef data ? data : throw new ArgumentException("expected a tensor as the parameter's data");
            case "Size":
                return new PickleTuple(args.Length == 0 ? [] : ((PickleTuple)args[0]!).Items);
            case "set":
            case "frozenset":
                return new HashSet<object>(args.Length == 0 ? [] : ((IEnumerable<object?>)(args[0] is PickleTuple t ? t.Items : (List<object?>)args[0]!)).Select(i => i!));
            default:
                throw new NotSupportedException($"{global} cannot be called");
        }
    }

    // Parameters pickled by torch >= 2.0 may BUILD extra Python attributes; tensors carry none we use.
    public bool Build(object? target, object? state) => target is TensorRef;

    public object? PersistentLoad(object? id)
    {
        if (id is not PickleTuple { Items: ["storage", PickleGlobal cls, string key, _, long numel, ..] } tuple)
            throw new InvalidDataException($"{path}: persistent id {PickleReader.Describe(id)} is not a ('storage', type, key, location, numel) tuple");
        if (legacy && tuple.Items.Length > 5 && tuple.Items[5] is not null)
            throw new InvalidDataException($"{path}: storage {key} is a view of another storage (a pre-1.0 layout SegNets does not read)");
        if (!StorageTypes.TryGetValue(cls.Name, out var type))
            throw new InvalidDataException($"{path}: storage {key} has type {cls}; expected one of {string.Join(", ", StorageTypes.Keys)}");
        if (numel < 0) throw new InvalidDataException($"{path}: storage {key} claims {numel} elements");
        if (Storages.TryGetValue(key, out var known))
        {
            if (known.DType != type.Type || known.Numel != numel)
                throw new InvalidDataException($"{path}: storage {key} is declared twice with different types or sizes");
            return known;
        }
        var storage = new StorageRef(key, type.Type, type.Size, numel);
        Storages[key] = storage;
        return storage;
    }

    /// <summary>Replaces every <see cref="TensorRef"/> in the object graph by its tensor.</summary>
    public object? MaterializeAll(object? root)
    {
        var result = Materialize(root);
        foreach (var storage in Storages.Values) storage.Release();
        return result;
    }

    object? Materialize(object? value) => value switch
    {
        TensorRef t => t.Create(path),
        PickleDict d => MaterializeDict(d),
        List<object?> l => l.Select(Materialize).ToList(),
        PickleTuple t => new PickleTuple(t.Items.Select(Materialize).ToArray()),
        _ => value,
    };

    PickleDict MaterializeDict(PickleDict dict)
    {
        foreach (var key in dict.Keys.ToList()) dict[key] = Materialize(dict[key]);
        return dict;
    }

    static long[] Longs(object? value) => value switch
    {
        PickleTuple t => t.Items.Select(i => i is long l ? l : throw new ArgumentException($"size/stride holds {PickleReader.Describe(i)}")).ToArray(),
        List<object?> l => l.Select(i => i is long v ? v : throw new ArgumentException($"size/stride holds {PickleReader.Describe(i)}")).ToArray(),
        _ => throw new ArgumentException($"size/stride is {PickleReader.Describe(value)}; expected a tuple of ints"),
    };
}

/// <summary>One storage of a checkpoint: its bytes land in a flat CPU tensor that the tensors view.</summary>
sealed class StorageRef(string key, ScalarType dtype, int elementSize, long numel)
{
    Tensor? data;

    public string Key { get; } = key;
    public ScalarType DType { get; } = dtype;
    public int ElementSize { get; } = elementSize;
    public long Numel { get; } = numel;
    public long ByteLength => Numel * ElementSize;

    public void Fill(Stream source, bool bigEndian, string path)
    {
        var flat = empty(Numel, dtype: DType);
        if (ByteLength > 0)
        {
            var bytes = flat.bytes;
            try
            {
                source.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                flat.Dispose();
                throw new InvalidDataException($"{path}: storage {Key} ends early: expected {ByteLength} bytes (truncated file?)", e);
            }
            if (bigEndian != !BitConverter.IsLittleEndian && ElementSize > 1)
                for (int i = 0; i < bytes.Length; i += ElementSize) bytes.Slice(i, ElementSize).Reverse();
        }
        data = flat;
    }

    /// <summary>Drops this handle on the flat storage; the tensors viewing it keep the memory alive.</summary>
    public void Release()
    {
        data?.Dispose();
        data = null;
    }

    public Tensor Data(string path) =>
        data ?? throw new InvalidDataException($"{path}: storage {Key} was never filled");
}

/// <summary>A tensor as the pickle describes it: a view (offset, size, stride in elements) of a storage.</summary>
sealed class TensorRef(StorageRef storage, long offset, long[] size, long[] stride)
{
    public void Validate(string path)
    {
        if (size.Length != stride.Length)
            throw new InvalidDataException($"{path}: tensor on storage {storage.Key} has size [{string.Join(", ", size)}] but stride [{string.Join(", ", stride)}]");
        if (size.Any(s => s < 0) || stride.Any(s => s < 0) || offset < 0)
            throw new InvalidDataException($"{path}: tensor on storage {storage.Key} has a negative size, stride or offset");
        long last = offset + size.Zip(stride, (n, s) => n == 0 ? 0 : (n - 1) * s).Sum();
        bool empty = size.Any(n => n == 0);
        if (!empty && last >= storage.Numel)
            throw new InvalidDataException(
                $"{path}: tensor of size [{string.Join(", ", size)}] at offset {offset} reaches element {last} of storage {storage.Key}, which has {storage.Numel}");
    }

    public Tensor Create(string path) => storage.Data(path).as_strided(size, stride, offset);
}
