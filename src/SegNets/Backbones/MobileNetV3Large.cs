using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// MobileNetV3-Large as torchvision builds it (mobilenetv3.py; BN eps 0.001, momentum 0.01; keys features.N...,
/// classifier.0/3). Stages are taken where torchvision's segmentation models take them — the first block at each new
/// stride, then the last 1x1 conv (its `stage_indices`): c1 features.0 (16 ch, stride 2), c2 features.2 (24, 4),
/// c3 features.4 (40, 8; LR-ASPP's "low" and the aux head's input), c4 features.7 (80, 16), c5 features.16 (960, 32).
/// Output stride 16 is torchvision's dilated=True: the last three blocks get dilation 2 instead of the stride.
/// </summary>
public sealed class MobileNetV3Large : Backbone
{
    // torchvision _mobilenet_v3_conf("mobilenet_v3_large"): in, kernel, expanded, out, SE, hardswish, stride.
    static readonly (int In, int K, int Exp, int Out, bool Se, bool Hs, int S)[] Blocks =
    [
        (16, 3, 16, 16, false, false, 1), (16, 3, 64, 24, false, false, 2), (24, 3, 72, 24, false, false, 1),
        (24, 5, 72, 40, true, false, 2), (40, 5, 120, 40, true, false, 1), (40, 5, 120, 40, true, false, 1),
        (40, 3, 240, 80, false, true, 2), (80, 3, 200, 80, false, true, 1), (80, 3, 184, 80, false, true, 1),
        (80, 3, 184, 80, false, true, 1), (80, 3, 480, 112, true, true, 1), (112, 3, 672, 112, true, true, 1),
        (112, 5, 672, 160, true, true, 2), (160, 5, 960, 160, true, true, 1), (160, 5, 960, 160, true, true, 1),
    ];

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential features;
    readonly Sequential? classifier;
#pragma warning restore IDE1006

    readonly bool segmentationKeys;
    readonly int[] taps;
    readonly FeatureInfo[] info;

    /// <param name="outputStride">32, or 16 (torchvision dilated=True).</param>
    /// <param name="norm">BatchNorm with eps 0.001, momentum 0.01 by default, as torchvision.</param>
    /// <param name="segmentationKeys">Name the layers 0..16 instead of features.0..16: torchvision's segmentation
    /// models wrap `features` in an IntermediateLayerGetter, so their checkpoints say backbone.0.0.weight.</param>
    public MobileNetV3Large(int outputStride = 32, NormLayer? norm = null, int numClasses = 1000, double dropout = 0.2, bool segmentationKeys = false)
        : base(nameof(MobileNetV3Large))
    {
        if (outputStride is not (32 or 16))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "MobileNetV3Large: output stride must be 32 or 16");
        norm ??= Norms.Batch(eps: 0.001, momentum: 0.01);
        OutputStride = outputStride;

        var layers = new List<nn.Module<Tensor, Tensor>> { ConvNormAct.Create(3, 16, 3, norm, Activations.Hardswish, stride: 2) };
        var tapList = new List<int> { 0 };
        var infoList = new List<FeatureInfo> { new("c1", 16, 2) };
        int stride = 2;
        for (int i = 0; i < Blocks.Length; i++)
        {
            var b = Blocks[i];
            // dilated=True: the last stage (from the 160-channel block on) is dilated 2 instead of strided.
            long dilation = outputStride == 16 && i >= 12 ? 2 : 1;
            layers.Add(new InvertedResidualV3(b.In, b.K, b.Exp, b.Out, b.Se, b.Hs, b.S, dilation, norm));
            if (b.S > 1 && dilation == 1) stride *= b.S;
            if (b.S > 1 && i < 12)
            {
                tapList.Add(layers.Count - 1);
                infoList.Add(new FeatureInfo($"c{infoList.Count + 1}", b.Out, stride));
            }
        }
        layers.Add(ConvNormAct.Create(160, 960, 1, norm, Activations.Hardswish));
        tapList.Add(layers.Count - 1);
        infoList.Add(new FeatureInfo("c5", 960, stride));
        features = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        if (numClasses > 0)
            classifier = nn.Sequential(("0", nn.Linear(960, 1280)), ("1", nn.Hardswish()), ("2", nn.Dropout(dropout)), ("3", nn.Linear(1280, numClasses)));
        taps = [.. tapList];
        info = [.. infoList];
        this.segmentationKeys = segmentationKeys;
        if (segmentationKeys)
        {
            if (classifier is not null) throw new ArgumentException("segmentation keys are for the backbone without classifier (numClasses: 0)", nameof(segmentationKeys));
            foreach (var (name, layer) in features.named_children()) register_module(name, layer);
        }
        else
        {
            RegisterComponents();
        }
        Init.TorchvisionDefault(this, linearStd: 0.01);
    }

    public override IReadOnlyList<FeatureInfo> Features => info;

    // With segmentation keys the layers are registered one by one; TorchSharp would otherwise add the `features` field
    // again when this backbone is registered in a model.
    protected override void RegisterComponents()
    {
        if (!segmentationKeys) base.RegisterComponents();
    }

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x) => ForwardTaps(features, taps, info, x);

    /// <summary>ImageNet logits from c5: global average pool, linear 960-1280, Hardswish, dropout, linear.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(classifier, c5);
}
