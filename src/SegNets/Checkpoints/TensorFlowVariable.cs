using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>One variable of a TensorFlow checkpoint, as <see cref="TensorFlowCheckpoint.ListVariables"/> reports it.</summary>
/// <param name="Name">The checkpoint key, e.g. `xception_65/entry_flow/conv1_1/weights`.</param>
/// <param name="DType">TensorFlow's name of the element type, e.g. `DT_FLOAT`.</param>
/// <param name="Shape">The shape as stored (TF conv kernels are [kh, kw, in, out]); empty for a scalar.</param>
/// <param name="TorchType">
/// The element type <see cref="TensorFlowCheckpoint.Load(string)"/> gives the tensor (`DT_UINT16` widens to Int32,
/// which TorchSharp lacks); null for entries it skips (DT_STRING, DT_VARIANT).
/// </param>
public sealed record TensorFlowVariable(string Name, string DType, long[] Shape, ScalarType? TorchType)
{
    public override string ToString() =>
        $"{Name} {DType} [{string.Join(", ", Shape)}]{(TorchType is null ? " (skipped)" : "")}";
}
