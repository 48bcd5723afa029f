using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>Builds the normalisation layer for a given channel count; backbones and heads take one of these.</summary>
public delegate nn.Module<Tensor, Tensor> NormLayer(long channels);
