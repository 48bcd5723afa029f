using static TorchSharp.torch;

namespace SegNets.Checkpoints.TensorFlow;

/// <summary>
/// TensorFlow's DataType enum (tensorflow/tensorflow@023da5a9 tensorflow/core/framework/types.proto) and how SegNets maps
/// each value onto a TorchSharp element type.
/// </summary>
static class TfDataType
{
    public const int String = 7;
    public const int UInt16 = 17;
    public const int Variant = 21;

    /// <summary>TF's names, for messages and <see cref="TensorFlowVariable.DType"/>.</summary>
    static readonly Dictionary<int, string> Names = new()
    {
        [1] = "DT_FLOAT", [2] = "DT_DOUBLE", [3] = "DT_INT32", [4] = "DT_UINT8", [5] = "DT_INT16", [6] = "DT_INT8",
        [7] = "DT_STRING", [8] = "DT_COMPLEX64", [9] = "DT_INT64", [10] = "DT_BOOL", [11] = "DT_QINT8",
        [12] = "DT_QUINT8", [13] = "DT_QINT32", [14] = "DT_BFLOAT16", [15] = "DT_QINT16", [16] = "DT_QUINT16",
        [17] = "DT_UINT16", [18] = "DT_COMPLEX128", [19] = "DT_HALF", [20] = "DT_RESOURCE", [21] = "DT_VARIANT",
        [22] = "DT_UINT32", [23] = "DT_UINT64",
    };

    /// <summary>Element types read into tensors: the torch type, the bytes per element in the file, and the unit
    /// whose byte order a big-endian bundle reverses (a complex number is two floats).</summary>
    static readonly Dictionary<int, (ScalarType Torch, int Size, int SwapUnit)> Readable = new()
    {
        [1] = (ScalarType.Float32, 4, 4),
        [2] = (ScalarType.Float64, 8, 8),
        [3] = (ScalarType.Int32, 4, 4),
        [4] = (ScalarType.Byte, 1, 1),
        [5] = (ScalarType.Int16, 2, 2),
        [6] = (ScalarType.Int8, 1, 1),
        [8] = (ScalarType.ComplexFloat32, 8, 4),
        [9] = (ScalarType.Int64, 8, 8),
        [10] = (ScalarType.Bool, 1, 1),
        [14] = (ScalarType.BFloat16, 2, 2),
        [17] = (ScalarType.Int32, 2, 2), // uint16 in the file; TorchSharp 0.107 has no UInt16, so it is widened
        [18] = (ScalarType.ComplexFloat64, 16, 8),
        [19] = (ScalarType.Float16, 2, 2),
    };

    public static string Name(int dtype) => Names.TryGetValue(dtype, out var name) ? name : $"DataType {dtype}";

    /// <summary>Entries that hold no numeric tensor: string tensors (TF 2's `_CHECKPOINTABLE_OBJECT_GRAPH`, saved
    /// Python state) and variants (dataset iterator state). The reader lists and skips them.</summary>
    public static bool IsSkipped(int dtype) => dtype is String or Variant;

    public static bool TryGet(int dtype, out (ScalarType Torch, int Size, int SwapUnit) info) => Readable.TryGetValue(dtype, out info);
}
