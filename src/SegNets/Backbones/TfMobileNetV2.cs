using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The MobileNetV2 feature extractor of TF DeepLab (model_variant mobilenet_v2): slim's V2_DEF built by mobilenet_base
/// up to layer_18 (the 320-channel block; the 1x1 conv to 1280 is not built), as
/// tensorflow/models@965cc3ee research/deeplab/core/feature_extractor.py _mobilenet_v2 calls it. Facts it follows:
/// <list type="bullet">
/// <item>Depths: mobilenet.py depth_multiplier → _make_divisible(d x multiplier, divisible_by, min_depth) with
/// divisible_by = min_depth = 8 at multiplier 1.0 and 1 otherwise (feature_extractor.py); the first conv is
/// multiplied too. Expansions: expand_input_by_factor(6) → _make_divisible(in x 6, 8), the first block's factor 1
/// (no expand conv) (conv_blocks.py, mobilenet_v2.py V2_DEF @e2e441f8).</item>
/// <item>Output stride (mobilenet.py @0ba83cf0 mobilenet_base): once the running stride equals the output stride, a
/// strided layer gets stride 1 and the current atrous rate (1 for the first such layer) and multiplies the rate by
/// its stride for the layers after it. OS 16: expanded_conv_13 stride 1 rate 1, _14.._16 rate 2; OS 8: _6 stride 1
/// rate 1, _7.._13 rate 2, _14.._16 rate 4.</item>
/// <item>'SAME' padding everywhere, BatchNorm eps 1e-3 (slim's default), ReLU6.</item>
/// </list>
/// Module names are TF's scopes under MobilenetV2/: Conv, expanded_conv, expanded_conv_1 ... expanded_conv_16.
/// Stages: c1 expanded_conv (stride 2), c2 expanded_conv_2 (4), c3 expanded_conv_5 (8), c4 expanded_conv_12 (16 or
/// the output stride), c5 expanded_conv_16 (the output stride), the last layer at each stride as in
/// <see cref="MobileNetV2"/>.
/// </summary>
public sealed class TfMobileNetV2 : Backbone
{
    /// <summary>slim.batch_norm's default epsilon (tensorflow/tensorflow@df09a10c contrib/layers/python/layers/layers.py).</summary>
    public const double BatchNormEps = 1e-3;

    // V2_DEF after the first conv: (stride, num_outputs) of the expanded_conv ops.
    static readonly (int Stride, int Outputs)[] Blocks =
    [
        (1, 16), (2, 24), (1, 24), (2, 32), (1, 32), (1, 32), (2, 64), (1, 64), (1, 64), (1, 64),
        (1, 96), (1, 96), (1, 96), (2, 160), (1, 160), (1, 160), (1, 320),
    ];

    // Index into the layer list (0 = Conv) of c1..c5.
    static readonly int[] Taps = [1, 3, 6, 13, 17];

    readonly List<nn.Module<Tensor, Tensor>> layers = [];
    readonly FeatureInfo[] info;

    /// <param name="depthMultiplier">1.0 or 0.5 for TF DeepLab's released checkpoints.</param>
    /// <param name="outputStride">8, 16 or 32.</param>
    public TfMobileNetV2(double depthMultiplier = 1.0, int outputStride = 8) : base(nameof(TfMobileNetV2))
    {
        if (depthMultiplier <= 0) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, "TfMobileNetV2: the depth multiplier must be positive");
        CheckOutputStride(nameof(TfMobileNetV2), outputStride);
        DepthMultiplier = depthMultiplier;
        OutputStride = outputStride;
        int divisibleBy = depthMultiplier == 1.0 ? 8 : 1;
        var strides = new List<int>();
        int current = 1, rate = 1;
        // mobilenet_base's output-stride rule: (layer stride, layer rate) of each op, in order.
        (long Stride, long Rate) Next(int stride)
        {
            if (current == outputStride)
            {
                int layerRate = rate;
                rate *= stride;
                strides.Add(current);
                return (1, layerRate);
            }
            current *= stride;
            strides.Add(current);
            return (stride, 1);
        }

        long channels = MakeDivisible(32 * depthMultiplier, divisibleBy, divisibleBy);
        var (convStride, convRate) = Next(2);
        Add("Conv", new TfConv(3, channels, 3, BatchNormEps, Activations.ReLU6, convStride, convRate));
        for (int i = 0; i < Blocks.Length; i++)
        {
            var (stride, outputs) = Blocks[i];
            long output = MakeDivisible(outputs * depthMultiplier, divisibleBy, divisibleBy);
            long expanded = i == 0 ? MakeDivisible(channels * 1.0, 1) : MakeDivisible(channels * 6.0, 8);
            var (layerStride, layerRate) = Next(stride);
            Add(i == 0 ? "expanded_conv" : $"expanded_conv_{i}", new TfExpandedConv(channels, expanded, output, layerStride, layerRate, BatchNormEps));
            channels = output;
        }
        info = [.. Taps.Select((t, i) => new FeatureInfo($"c{i + 1}", OutChannels(t), strides[t]))];
        RegisterComponents();
    }

    public double DepthMultiplier { get; }

    public override int OutputStride { get; }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var result = new Dictionary<string, Tensor>();
        int next = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (Taps[next] == i) result[info[next++].Name] = x;
        }
        return result;
    }

    /// <summary>mobilenet.py / conv_blocks.py _make_divisible: round to a multiple of the divisor (at least
    /// <paramref name="minValue"/>), never more than 10% down.</summary>
    internal static long MakeDivisible(double value, int divisor, int? minValue = null)
    {
        long rounded = Math.Max(minValue ?? divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    void Add(string name, nn.Module<Tensor, Tensor> layer)
    {
        register_module(name, layer);
        layers.Add(layer);
    }

    long OutChannels(int index) => layers[index] switch
    {
        TfExpandedConv block => block.OutChannels,
        TfConv conv => conv.OutChannels,
        _ => throw new InvalidOperationException(),
    };
}
