using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// What TI's model_config gives every edgeai Lite decoder (deeplabv3plus_edgeailite.py, fpn_edgeailite.py,
/// unet_edgeailite.py get_config_*): the ASPP and decoder widths (decoder_chan, aspp_chan; 256, scaled with
/// make_divisible_by8 for MobileNetV2-1.4, 264 / 288 for RegNetX-1.6GF / 3.2GF), DeepLabV3+'s shortcut width
/// (shortcut_out, 48), the depthwise group size (group_size_dw: null for MobileNetV2, the RegNetX group width otherwise)
/// and the activation (xnn DefaultAct2d = ReLU; ReLU6 for the _1p4 variants).
/// </summary>
public sealed record LiteDecoderSettings(long DecoderChannels, long AsppChannels, long ShortcutChannels, long? GroupSizeDw,
    Func<nn.Module<Tensor, Tensor>> Activation)
{
    /// <summary>The norm of every block: xnn DefaultNorm2d = BatchNorm2d (eps 1e-5).</summary>
    public NormLayer Norm { get; init; } = Norms.Batch();

    /// <summary>ASPP dilations (model_config.aspp_dil).</summary>
    public int[] AsppDilations { get; init; } = [6, 12, 18];
}
