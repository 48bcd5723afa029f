using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// VGG-16 with batch norm as torchvision builds it (vgg.py, configuration "D", batch_norm=True; keys features.N...,
/// classifier.0/3/6). Stages are the outputs of the five max-pools: c1 (64 ch, stride 2) ... c5 (512, 32); SegNet's
/// encoder. Only output stride 32.
/// </summary>
public sealed class Vgg16Bn : Backbone
{
    static readonly int[] Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential features;
    readonly Sequential? classifier;
#pragma warning restore IDE1006

    readonly int[] pools;
    readonly FeatureInfo[] info;

    public Vgg16Bn(NormLayer? norm = null, int numClasses = 1000, double dropout = 0.5) : base(nameof(Vgg16Bn))
    {
        norm ??= Norms.Batch();
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var poolList = new List<int>();
        var infoList = new List<FeatureInfo>();
        long channels = 3;
        foreach (var width in Configuration)
        {
            if (width == 0)
            {
                layers.Add(nn.MaxPool2d(2, stride: 2));
                poolList.Add(layers.Count - 1);
                infoList.Add(new FeatureInfo($"c{infoList.Count + 1}", channels, 1 << infoList.Count + 1));
                continue;
            }
            layers.Add(nn.Conv2d(channels, width, 3, padding: 1));
            layers.Add(norm(width));
            layers.Add(nn.ReLU());
            channels = width;
        }
        features = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));
        if (numClasses > 0)
            classifier = nn.Sequential(
                ("0", nn.Linear(512 * 7 * 7, 4096)), ("1", nn.ReLU()), ("2", nn.Dropout(dropout)),
                ("3", nn.Linear(4096, 4096)), ("4", nn.ReLU()), ("5", nn.Dropout(dropout)),
                ("6", nn.Linear(4096, numClasses)));
        pools = [.. poolList];
        info = [.. infoList];
        RegisterComponents();
        Init.TorchvisionDefault(this, linearStd: 0.01);
    }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride => 32;

    public override Dictionary<string, Tensor> forward(Tensor x) => ForwardTaps(features, pools, info, x);

    /// <summary>ImageNet logits from c5: adaptive average pool to 7x7, flatten, three linear layers.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(classifier, c5, poolSize: 7);
}
