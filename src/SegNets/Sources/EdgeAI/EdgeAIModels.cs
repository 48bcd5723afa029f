using SegNets.Backbones;
using SegNets.Data;
using SegNets.Layers;
using SegNets.Models;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// TI edgeai-torchvision's "Lite" segmentation models (references/edgeailite/.../pixel2pixel/*_edgeailite.py @f85ec314;
/// TI's model zoo calls them MobileNetV2S16+DeepLabV3Lite, MobileNetV2+UNetLite, MobileNetV2+FPNLite,
/// MobileNetV2-1.4+FPNLite, RegNetX*+FPNLite) as <see cref="Models.BackboneHeadModel"/>s: the encoder under `backbone`, the
/// decoder under `decoder`, input normalised as TI trains ((x - 128) / 64 on 0-255 RGB). Encoders:
/// "mobilenetv2" (TI's mobilenetv2_tv: torchvision layout with ReLU), "mobilenetv2_1.4" (ReLU6, decoder widths x1.4),
/// "regnetx400mf", "regnetx800mf", "regnetx1.6gf", "regnetx3.2gf" (pycls regnetx_*). forward returns logits; TI's
/// eval-mode decoder returns their argmax, which is <see cref="SegmentationModel.Predict"/> here.
/// Checkpoint keys: TI's decoders.0.X is decoder.X; encoder.features.X is backbone.features.X for MobileNetV2; for
/// RegNetX, encoder.features.stem.{conv,bn} is backbone.stem.{0,1} and encoder.features.sI.bJ.{f.a,f.a_bn,...,proj,bn}
/// is backbone.trunk_output.blockI.blockI-(J-1).{f.a.0,f.a.1,...,proj.0,proj.1}.
/// </summary>
public static class EdgeAIModels
{
    /// <summary>The encoders each decoder has in TI's source.</summary>
    public static IReadOnlyDictionary<string, string[]> Encoders { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // deeplabv3plus_mobilenetv2_tv_edgeailite, _mobilenetv2_tv_1p4_, _regnetx800mf_
        ["deeplabv3plus"] = ["mobilenetv2", "mobilenetv2_1.4", "regnetx800mf"],
        // fpn_aspp_mobilenetv2_tv_edgeailite, _mobilenetv2_1p4_tv_, _regnetx400mf/800mf/1p6gf/3p2gf_
        ["fpn"] = ["mobilenetv2", "mobilenetv2_1.4", "regnetx400mf", "regnetx800mf", "regnetx1.6gf", "regnetx3.2gf"],
        // unet_aspp_mobilenetv2_tv_edgeailite, _regnetx800mf_
        ["unet"] = ["mobilenetv2", "regnetx800mf"],
    };

    /// <summary>DeepLabV3Plus-EdgeAILite: output stride 16 (the encoder's last strided stage keeps stride 1, no
    /// dilation: TI's strides (2, 2, 2, 2, 1), "MobileNetV2S16").</summary>
    public static BackboneHeadModel DeepLabV3PlusLite(string encoder, int numClasses)
    {
        var (backbone, settings) = Encoder("deeplabv3plus", encoder, outputStride: 16);
        return Model("deeplabv3plus_edgeailite", numClasses, backbone, new DeepLabV3PlusLiteDecoder(backbone, numClasses, settings));
    }

    /// <summary>FPN-EdgeAILite with ASPP (TI's fpn_aspp_*): output stride 32.</summary>
    public static BackboneHeadModel FpnLite(string encoder, int numClasses)
    {
        var (backbone, settings) = Encoder("fpn", encoder, outputStride: 32);
        return Model("fpn_aspp_edgeailite", numClasses, backbone, new FpnLiteDecoder(backbone, numClasses, settings));
    }

    /// <summary>UNet-EdgeAILite with ASPP (TI's unet_aspp_*): output stride 32.</summary>
    public static BackboneHeadModel UNetLite(string encoder, int numClasses)
    {
        var (backbone, settings) = Encoder("unet", encoder, outputStride: 32);
        return Model("unet_aspp_edgeailite", numClasses, backbone, new UNetLiteDecoder(backbone, numClasses, settings));
    }

    static BackboneHeadModel Model(string architecture, int numClasses, Backbone backbone, TorchSharp.torch.nn.Module<Dictionary<string, TorchSharp.torch.Tensor>, TorchSharp.torch.Tensor> decoder) =>
        new(architecture, numClasses, backbone, decoder, alignCorners: false, headKey: "decoder") { Normalization = InputNormalization.EdgeAI };

    static (Backbone, LiteDecoderSettings) Encoder(string decoder, string encoder, int outputStride)
    {
        if (!Encoders[decoder].Contains(encoder))
            throw new ArgumentException($"TI edgeai has no {decoder} Lite model on '{encoder}'; its encoders are {string.Join(", ", Encoders[decoder])}", nameof(encoder));
        return encoder switch
        {
            // mobilenetv2.py get_config: activation = DefaultAct2d (ReLU); the seg configs set num_classes None, so the
            // encoder ends at 320 channels
            "mobilenetv2" => (new MobileNetV2(1.0, outputStride, activation: Activations.ReLU, numClasses: 0),
                new LiteDecoderSettings(256, 256, 48, null, Activations.ReLU)),
            // *_1p4_* builders: width_mult 1.4, activation ReLU6 (encoder and decoder), decoder_chan / aspp_chan /
            // shortcut_out = make_divisible_by8(x * 1.4) = 360 / 360 / 64
            "mobilenetv2_1.4" => (new MobileNetV2(1.4, outputStride, activation: Activations.ReLU6, numClasses: 0),
                new LiteDecoderSettings(MobileNetV2.MakeDivisible(256 * 1.4), MobileNetV2.MakeDivisible(256 * 1.4),
                    MobileNetV2.MakeDivisible(48 * 1.4), null, Activations.ReLU6)),
            // get_config_*_regnetx*: group_size_dw = the RegNet group width; 1.6GF and 3.2GF widen the decoder
            "regnetx400mf" => RegNet("regnetx_400mf", outputStride, 256, 16),
            "regnetx800mf" => RegNet("regnetx_800mf", outputStride, 256, 16),
            "regnetx1.6gf" => RegNet("regnetx_1_6gf", outputStride, 264, 24),
            _ => RegNet("regnetx_3_2gf", outputStride, 288, 48),
        };
    }

    static (Backbone, LiteDecoderSettings) RegNet(string config, int outputStride, long decoderChannels, long groupSizeDw) =>
        (new RegNetX(RegNetConfig.Get(config), numClasses: 0, outputStride: outputStride),
            new LiteDecoderSettings(decoderChannels, decoderChannels, 48, groupSizeDw, Activations.ReLU));
}
