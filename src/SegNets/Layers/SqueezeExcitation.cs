using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// Squeeze-and-excitation as torchvision.ops.SqueezeExcitation: global average pool, 1x1 conv (fc1), ReLU, 1x1 conv
/// (fc2), a gate (Hardsigmoid in MobileNetV3, Sigmoid in the paper), times the input. Field names are the PyTorch
/// state-dict keys.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Conv2d fc1;
    readonly Conv2d fc2;
#pragma warning restore IDE1006
    readonly bool hardGate;

    public SqueezeExcitation(long channels, long squeezeChannels, bool hardSigmoidGate = true) : base(nameof(SqueezeExcitation))
    {
        fc1 = nn.Conv2d(channels, squeezeChannels, 1);
        fc2 = nn.Conv2d(squeezeChannels, channels, 1);
        hardGate = hardSigmoidGate;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var scale = fc2.forward(nn.functional.relu(fc1.forward(nn.functional.adaptive_avg_pool2d(x, 1))));
        scale = hardGate ? nn.functional.hardsigmoid(scale) : scale.sigmoid();
        return (scale * x).MoveToOuterDisposeScope();
    }
}
