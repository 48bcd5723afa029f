using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// InLoopFPNEdgeAILitePyramid (edgeai-torchvision@f85ec314 fpn_edgeailite.py, inloop_fpn=True): from the coarsest map
/// down, x = upsample x2 (x) + shortcut (1x1 + norm + activation of the stage), then x = smooth (depthwise-separable
/// 3x3, norm + activation in both halves). TI's shortcuts[0] and smooth_convs[0] are None (the ASPP output already has
/// the decoder width), so the keys start at 1: shortcuts.1 is the stride-16 stage, shortcuts.3 the stride-4 one.
/// </summary>
sealed class FpnLitePyramid : nn.Module<Tensor, Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ModuleDict<nn.Module<Tensor, Tensor>> shortcuts;
    readonly ModuleDict<nn.Module<Tensor, Tensor>> smooth_convs;
#pragma warning restore IDE1006

    readonly string[] stages;

    /// <param name="stages">The stages to merge, coarsest first (c4, c3, c2).</param>
    public FpnLitePyramid(IReadOnlyList<(string Stage, long Channels)> stages, LiteDecoderSettings settings) : base(nameof(FpnLitePyramid))
    {
        this.stages = [.. stages.Select(s => s.Stage)];
        long width = settings.DecoderChannels;
        shortcuts = nn.ModuleDict(stages.Select((s, i) => (Key(i),
            (nn.Module<Tensor, Tensor>)ConvDwSepNormAct.Conv(s.Channels, width, 1, settings.Norm, settings.Activation))).ToArray());
        smooth_convs = nn.ModuleDict(stages.Select((s, i) => (Key(i),
            (nn.Module<Tensor, Tensor>)ConvDwSepNormAct.Create(width, width, 3, settings.GroupSizeDw,
                settings.Norm, settings.Activation, settings.Norm, settings.Activation))).ToArray());
        RegisterComponents();
    }

    static string Key(int i) => (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The finest merged map (stride 4) from the ASPP output <paramref name="top"/>.</summary>
    public override Tensor forward(Tensor top, Dictionary<string, Tensor> features)
    {
        var x = top;
        for (int i = 0; i < stages.Length; i++)
        {
            var skip = shortcuts[Key(i)].forward(LiteDecoderParts.Stage(features, stages[i]));
            x = smooth_convs[Key(i)].forward(LiteDecoderParts.UpsampleTo(x, skip) + skip);
        }
        return x;
    }
}
