using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>
/// Conv (no bias) - norm - activation as one Sequential whose children are named 0, 1, 2, exactly like
/// torchvision.ops.misc.Conv2dNormActivation, so its state-dict keys are the original ones (x.0.weight, x.1.running_mean).
/// Padding keeps the size at stride 1: (kernel - 1) / 2 * dilation.
/// </summary>
public static class ConvNormAct
{
    public static Sequential Create(long inChannels, long outChannels, long kernel, NormLayer norm, Func<nn.Module<Tensor, Tensor>>? activation,
        long stride = 1, long groups = 1, long dilation = 1)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2 * dilation,
                dilation: dilation, groups: groups, bias: false)),
            ("1", norm(outChannels)),
        };
        if (activation is not null) layers.Add(("2", activation()));
        return nn.Sequential(layers);
    }
}
