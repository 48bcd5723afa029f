using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// BatchNorm whose statistics and affine terms are buffers, not parameters: nothing in it trains
/// (torchvision.ops.misc.FrozenBatchNorm2d). Field names are the PyTorch state-dict keys.
/// </summary>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    readonly double eps;

    public FrozenBatchNorm2d(long channels, double eps = 1e-5) : base(nameof(FrozenBatchNorm2d))
    {
        this.eps = eps;
        register_buffer("weight", ones(channels));
        register_buffer("bias", zeros(channels));
        register_buffer("running_mean", zeros(channels));
        register_buffer("running_var", ones(channels));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var weight = get_buffer("weight")!.reshape(1, -1, 1, 1);
        var bias = get_buffer("bias")!.reshape(1, -1, 1, 1);
        var mean = get_buffer("running_mean")!.reshape(1, -1, 1, 1);
        var variance = get_buffer("running_var")!.reshape(1, -1, 1, 1);
        // Same order of operations as torchvision, so results match to the last bit.
        var scale = weight * (variance + eps).rsqrt();
        var shift = bias - mean * scale;
        return (input * scale + shift).MoveToOuterDisposeScope();
    }
}
