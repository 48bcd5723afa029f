using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>Pieces the three edgeai Lite decoders share.</summary>
static class LiteDecoderParts
{
    /// <summary>
    /// The `pred` module (edgeai-torchvision@f85ec314 pixel2pixelnet_utils.py add_lite_prediction_modules):
    /// ConvDWSepNormAct2d(in, classes, 3, normalization=(True, False), activation=(False, False)) — depthwise 3x3 + norm,
    /// then a pointwise 1x1 without norm, activation or bias.
    /// </summary>
    public static Sequential Prediction(long inChannels, int numClasses, LiteDecoderSettings settings) =>
        ConvDwSepNormAct.Create(inChannels, numClasses, 3, settings.GroupSizeDw, settings.Norm, null, null, null);

    /// <summary>The channels of a backbone stage, naming the stage and backbone when it is missing.</summary>
    public static long Channels(Backbone backbone, string stage) =>
        backbone.Features.FirstOrDefault(f => f.Name == stage)?.Channels
        ?? throw new ArgumentException($"{backbone.GetName()} has no stage '{stage}' (it has {string.Join(", ", backbone.Features.Select(f => f.Name))})");

    public static Tensor Stage(Dictionary<string, Tensor> features, string stage) =>
        features.TryGetValue(stage, out var x)
            ? x
            : throw new ArgumentException($"the edgeai Lite decoder reads backbone stage '{stage}', which the backbone does not return (it returns {string.Join(", ", features.Keys)})");

    /// <summary>
    /// TI's UpsampleWith('upsample', 'bilinear'): interpolate by scale factor 2 (or 4), align_corners False,
    /// recompute_scale_factor False. On the sizes TI supports (the skip is exactly that factor larger) this equals a
    /// resize to the skip's size, which is what we do, so that other input sizes, where TI's shape-matched shortcuts
    /// fail, still work.
    /// </summary>
    public static Tensor UpsampleTo(Tensor x, Tensor skip) => Models.Upsample.Bilinear(x, skip.shape[^2], skip.shape[^1], alignCorners: false);
}
