using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// DeepLabV3PlusEdgeAILiteDecoder (edgeai-torchvision@f85ec314 deeplabv3plus_edgeailite.py): `aspp` = DWASPPLite on the
/// last stage (output stride 16); `shortcut` = 1x1 + norm + activation on the stride-4 stage (TI takes the last block
/// output at stride 4 = c2); the ASPP output upsampled to stride 4 and concatenated [aspp, shortcut]; `pred`. The
/// result is at stride 4; <see cref="Models.BackboneHeadModel"/> does TI's final x4 upsampling (upsample2). Keys equal TI's
/// under decoders.0.
/// </summary>
public sealed class DeepLabV3PlusLiteDecoder : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly DwAsppLite aspp;
    readonly Sequential shortcut;
    readonly Sequential pred;
#pragma warning restore IDE1006

    readonly string lowStage;
    readonly string highStage;

    /// <param name="lowStage">The stride-4 stage for the shortcut (c2).</param>
    /// <param name="highStage">The last stage, input of the ASPP (c5).</param>
    public DeepLabV3PlusLiteDecoder(Backbone backbone, int numClasses, LiteDecoderSettings settings, string lowStage = "c2", string highStage = "c5")
        : base(nameof(DeepLabV3PlusLiteDecoder))
    {
        this.lowStage = lowStage;
        this.highStage = highStage;
        aspp = new DwAsppLite(LiteDecoderParts.Channels(backbone, highStage), settings);
        shortcut = ConvDwSepNormAct.Conv(LiteDecoderParts.Channels(backbone, lowStage), settings.ShortcutChannels, 1, settings.Norm, settings.Activation);
        pred = LiteDecoderParts.Prediction(settings.DecoderChannels + settings.ShortcutChannels, numClasses, settings);
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var low = shortcut.forward(LiteDecoderParts.Stage(features, lowStage));
        var x = LiteDecoderParts.UpsampleTo(aspp.forward(LiteDecoderParts.Stage(features, highStage)), low);
        return pred.forward(torch.cat([x, low], 1)).MoveToOuterDisposeScope();
    }
}
