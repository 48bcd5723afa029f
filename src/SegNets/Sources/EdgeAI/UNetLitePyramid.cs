using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// UNetEdgeAILitePyramid (edgeai-torchvision@f85ec314 unet_edgeailite.py): from the coarsest map down, x = upsample x2
/// (x), concatenated [x, stage], then smooth = depthwise-separable 3x3 (norm + activation in both halves) to
/// max(minimum, stage channels) channels, minimum = max(2 x classes, 32). TI's smooth_convs[0] is None, so keys start
/// at 1 (smooth_convs.1 merges the stride-16 stage, smooth_convs.4 the stride-2 one).
/// </summary>
sealed class UNetLitePyramid : nn.Module<Tensor, Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ModuleDict<nn.Module<Tensor, Tensor>> smooth_convs;
#pragma warning restore IDE1006

    readonly string[] stages;

    /// <param name="stages">The stages to merge, coarsest first (c4, c3, c2, c1).</param>
    /// <param name="inChannels">Channels of the map entering the pyramid (the ASPP output).</param>
    public UNetLitePyramid(IReadOnlyList<(string Stage, long Channels)> stages, long inChannels, long minimumChannels, LiteDecoderSettings settings)
        : base(nameof(UNetLitePyramid))
    {
        this.stages = [.. stages.Select(s => s.Stage)];
        var convs = new List<(string, nn.Module<Tensor, Tensor>)>();
        long current = inChannels;
        for (int i = 0; i < stages.Count; i++)
        {
            long output = Math.Max(minimumChannels, stages[i].Channels);
            convs.Add((Key(i), ConvDwSepNormAct.Create(current + stages[i].Channels, output, 3, settings.GroupSizeDw,
                settings.Norm, settings.Activation, settings.Norm, settings.Activation)));
            current = output;
        }
        OutputChannels = current;
        smooth_convs = nn.ModuleDict(convs.ToArray());
        RegisterComponents();
    }

    public long OutputChannels { get; }

    static string Key(int i) => (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The finest merged map (stride 2) from the ASPP output <paramref name="top"/>.</summary>
    public override Tensor forward(Tensor top, Dictionary<string, Tensor> features)
    {
        var x = top;
        for (int i = 0; i < stages.Length; i++)
        {
            var skip = LiteDecoderParts.Stage(features, stages[i]);
            x = smooth_convs[Key(i)].forward(torch.cat([LiteDecoderParts.UpsampleTo(x, skip), skip], 1));
        }
        return x;
    }
}
