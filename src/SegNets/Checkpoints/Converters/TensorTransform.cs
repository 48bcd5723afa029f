using static TorchSharp.torch;

namespace SegNets.Checkpoints.Converters;

/// <summary>
/// A named layout change applied, after renaming, to every tensor whose SegNets key matches <paramref name="Pattern"/>
/// (a regular expression): e.g. "HWIO->OIHW" on TF conv kernels. The name appears in conversion reports and errors.
/// </summary>
public sealed record TensorTransform(string Pattern, string Name, Func<Tensor, Tensor> Apply);
