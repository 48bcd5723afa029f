using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.Encoding;

/// <summary>The mean over one dimension (PyTorch-Encoding encoding/nn/customize.py Mean, @b05334f); no parameters.</summary>
sealed class MeanOver(long dim) : nn.Module<Tensor, Tensor>(nameof(MeanOver))
{
    public override Tensor forward(Tensor input) => input.mean([dim]);
}
