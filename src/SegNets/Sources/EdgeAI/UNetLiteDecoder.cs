using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// UNetEdgeAILiteDecoder with ASPP (edgeai-torchvision@f85ec314 unet_edgeailite.py, the unet_aspp_* models): `rfblock`
/// = DWASPPLite on the stride-32 stage; `unet` = <see cref="UNetLitePyramid"/> over the stride-16, 8, 4 and 2 stages
/// (the last block output at each stride: c1..c4); `pred` on the stride-2 map. The result is at stride 2;
/// <see cref="Models.BackboneHeadModel"/> does TI's final x2 upsampling. Keys equal TI's under decoders.0.
/// </summary>
public sealed class UNetLiteDecoder : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly DwAsppLite rfblock;
    readonly UNetLitePyramid unet;
    readonly Sequential pred;
#pragma warning restore IDE1006

    readonly string topStage;

    /// <param name="stages">The stages from fine to coarse, TI's shortcut order (c1, c2, c3, c4, c5).</param>
    public UNetLiteDecoder(Backbone backbone, int numClasses, LiteDecoderSettings settings, params string[] stages)
        : base(nameof(UNetLiteDecoder))
    {
        if (stages.Length == 0) stages = ["c1", "c2", "c3", "c4", "c5"];
        topStage = stages[^1];
        rfblock = new DwAsppLite(LiteDecoderParts.Channels(backbone, topStage), settings);
        // unet_edgeailite.py: minimum_channels = max(output_channels * 2, 32)
        long minimum = Math.Max(2L * numClasses, 32);
        unet = new UNetLitePyramid([.. stages[..^1].Reverse().Select(s => (s, LiteDecoderParts.Channels(backbone, s)))],
            settings.DecoderChannels, minimum, settings);
        pred = LiteDecoderParts.Prediction(unet.OutputChannels, numClasses, settings);
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var x = unet.forward(rfblock.forward(LiteDecoderParts.Stage(features, topStage)), features);
        return pred.forward(x).MoveToOuterDisposeScope();
    }
}
