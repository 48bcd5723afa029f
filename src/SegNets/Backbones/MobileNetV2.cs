using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// MobileNetV2 as torchvision builds it (mobilenetv2.py; keys features.N..., classifier.1), at any width (1.0 and 1.4
/// have published weights). Stages are the last block at each stride: c1 (16 ch at width 1, stride 2), c2 (24, 4),
/// c3 (32, 8), c4 (96, 16), c5 (320, 32). The 1x1 conv to 1280 channels (features.{last}) belongs to the classifier
/// path and exists only with <c>numClasses &gt; 0</c>, as in TI edgeai's segmentation encoders, which end at 320.
/// Output stride 16 is TI's "MobileNetV2S16": the 160-channel stage keeps stride 1 and gets no dilation.
/// </summary>
public sealed class MobileNetV2 : Backbone
{
    // (expand ratio t, channels c, blocks n, stride s) per stage — the paper's Table 2.
    static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential features;
    readonly Sequential? classifier;
#pragma warning restore IDE1006

    readonly int[] taps;
    readonly FeatureInfo[] info;

    /// <param name="widthMultiplier">1.0 or 1.4 for the published weights.</param>
    /// <param name="outputStride">32, or 16 (TI's S16: last strided stage not strided, no dilation).</param>
    /// <param name="activation">ReLU6 (torchvision) by default; TI's Lite models use ReLU.</param>
    public MobileNetV2(double widthMultiplier = 1.0, int outputStride = 32, NormLayer? norm = null,
        Func<nn.Module<Tensor, Tensor>>? activation = null, int numClasses = 1000, double dropout = 0.2)
        : base(nameof(MobileNetV2))
    {
        if (outputStride is not (32 or 16))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "MobileNetV2: output stride must be 32 or 16");
        norm ??= Norms.Batch();
        activation ??= Activations.ReLU6;
        OutputStride = outputStride;
        WidthMultiplier = widthMultiplier;

        long input = MakeDivisible(32 * widthMultiplier);
        long last = MakeDivisible(1280 * Math.Max(1.0, widthMultiplier));
        var layers = new List<nn.Module<Tensor, Tensor>> { ConvNormAct.Create(3, input, 3, norm, activation, stride: 2) };
        var tapList = new List<int>();
        var infoList = new List<FeatureInfo>();
        int stride = 2;
        foreach (var (t, c, n, s) in Settings)
        {
            long output = MakeDivisible(c * widthMultiplier);
            int stageStride = s == 2 && stride * 2 > outputStride ? 1 : s;
            if (s == 2 && layers.Count > 1) RecordTap(tapList, infoList, layers.Count - 1, input, stride);
            for (int i = 0; i < n; i++)
            {
                layers.Add(new InvertedResidual(input, output, i == 0 ? stageStride : 1, t, norm, activation));
                input = output;
            }
            stride *= stageStride;
        }
        RecordTap(tapList, infoList, layers.Count - 1, input, stride);
        if (numClasses > 0)
        {
            layers.Add(ConvNormAct.Create(input, last, 1, norm, activation));
            classifier = nn.Sequential(("0", nn.Dropout(dropout)), ("1", nn.Linear(last, numClasses)));
        }
        features = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        taps = [.. tapList];
        info = [.. infoList];
        RegisterComponents();
        Init.TorchvisionDefault(this, linearStd: 0.01);
    }

    public double WidthMultiplier { get; }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x) => ForwardTaps(features, taps, info, x);

    /// <summary>ImageNet logits from c5: the 1x1 conv to 1280 (x width), global average pool, dropout, linear.</summary>
    public Tensor Classify(Tensor c5) =>
        PoolAndClassify(classifier, classifier is null ? c5 : ((nn.Module<Tensor, Tensor>)features[taps[^1] + 1]).forward(c5));

    /// <summary>torchvision's _make_divisible: round to a multiple of 8, never more than 10% down.</summary>
    internal static long MakeDivisible(double value, int divisor = 8)
    {
        long rounded = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    static void RecordTap(List<int> taps, List<FeatureInfo> info, int index, long channels, int stride)
    {
        taps.Add(index);
        info.Add(new FeatureInfo($"c{info.Count + 1}", channels, stride));
    }

}
