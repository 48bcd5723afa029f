using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// FPNEdgeAILiteDecoder with ASPP (edgeai-torchvision@f85ec314 fpn_edgeailite.py, the fpn_aspp_* models): `rfblock` =
/// DWASPPLite on the stride-32 stage; `fpn` = <see cref="FpnLitePyramid"/> over the stride-16, 8 and 4 stages (TI's
/// shortcut strides 4, 8, 16 take the last block output at each stride: c2, c3, c4); `pred` on the stride-4 map. The
/// result is at stride 4; <see cref="Models.BackboneHeadModel"/> does TI's final x4 upsampling. Keys equal TI's under
/// decoders.0.
/// </summary>
public sealed class FpnLiteDecoder : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly DwAsppLite rfblock;
    readonly FpnLitePyramid fpn;
    readonly Sequential pred;
#pragma warning restore IDE1006

    readonly string topStage;

    /// <param name="stages">The stages from fine to coarse, TI's shortcut order (c2, c3, c4, c5).</param>
    public FpnLiteDecoder(Backbone backbone, int numClasses, LiteDecoderSettings settings, params string[] stages)
        : base(nameof(FpnLiteDecoder))
    {
        if (stages.Length == 0) stages = ["c2", "c3", "c4", "c5"];
        topStage = stages[^1];
        rfblock = new DwAsppLite(LiteDecoderParts.Channels(backbone, topStage), settings);
        fpn = new FpnLitePyramid([.. stages[..^1].Reverse().Select(s => (s, LiteDecoderParts.Channels(backbone, s)))], settings);
        pred = LiteDecoderParts.Prediction(settings.DecoderChannels, numClasses, settings);
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var x = fpn.forward(rfblock.forward(LiteDecoderParts.Stage(features, topStage)), features);
        return pred.forward(x).MoveToOuterDisposeScope();
    }
}
