using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// TI edgeai's convolution blocks (edgeai-torchvision@26a11a4d xnn/layers/conv_blocks.py, unchanged in
/// edgeai-modeloptimization@6f4732f4): <see cref="Conv"/> is ConvNormAct2d — conv without bias, padding
/// (k - 1) / 2 * dilation, then the norm and the activation only where asked; <see cref="Create"/> is
/// ConvDWSepNormAct2d — a depthwise k x k block (children 0) and a pointwise 1x1 block (children 1), each a
/// ConvNormAct2d, so keys are x.0.0.weight (dw conv), x.0.1.* (dw norm), x.1.0.weight (pw conv), x.1.1.* (pw norm).
/// </summary>
public static class ConvDwSepNormAct
{
    /// <param name="groupSizeDw">null: depthwise (groups = channels); else groups = channels / groupSizeDw, as TI's
    /// check_groups computes it (RegNetX decoders use 16, 24 or 48).</param>
    /// <param name="dwNorm">Norm after the depthwise conv (null: none).</param>
    /// <param name="dwActivation">Activation after the depthwise block (null: none).</param>
    /// <param name="pwNorm">Norm after the pointwise conv (null: none).</param>
    /// <param name="pwActivation">Activation after the pointwise block (null: none).</param>
    public static Sequential Create(long inChannels, long outChannels, long kernel, long? groupSizeDw,
        NormLayer? dwNorm, Func<nn.Module<Tensor, Tensor>>? dwActivation, NormLayer? pwNorm, Func<nn.Module<Tensor, Tensor>>? pwActivation,
        long dilation = 1)
    {
        long groups = groupSizeDw is { } size ? inChannels / size : inChannels;
        if (groups < 1 || inChannels % groups != 0)
            throw new ArgumentException($"edgeai depthwise conv: {inChannels} channels do not split into groups of {groupSizeDw}");
        return nn.Sequential(
            ("0", Conv(inChannels, inChannels, kernel, dwNorm, dwActivation, groups: groups, dilation: dilation)),
            ("1", Conv(inChannels, outChannels, 1, pwNorm, pwActivation)));
    }

    /// <summary>ConvNormAct2d: conv (no bias) [- norm] [- activation], children numbered from 0 in that order.</summary>
    public static Sequential Conv(long inChannels, long outChannels, long kernel, NormLayer? norm, Func<nn.Module<Tensor, Tensor>>? activation,
        long groups = 1, long dilation = 1)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(inChannels, outChannels, kernel, padding: (kernel - 1) / 2 * dilation, dilation: dilation, groups: groups, bias: false),
        };
        if (norm is not null) layers.Add(norm(outChannels));
        if (activation is not null) layers.Add(activation());
        return nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
    }
}
