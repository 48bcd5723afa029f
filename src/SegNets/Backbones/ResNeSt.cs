using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// ResNeSt-50/101/200/269 as the original PyTorch implementation (zhanghang1989/ResNeSt resnet.py, resnest.py) and
/// GluonCV build them: radix 2, cardinality 1, width 64, deep stem (32 for 50, 64 otherwise), average-pool shortcut,
/// avd. Stages c1 = stem, c2..c5 = layer1..layer4; output stride 16/8 through dilation as in ResNetV1b (first block of
/// a dilated stage keeps the previous dilation). Field names are the PyTorch state-dict keys.
/// </summary>
public sealed class ResNeSt : Backbone
{
    static readonly Dictionary<string, (int[] Layers, int StemWidth)> Configurations = new(StringComparer.Ordinal)
    {
        ["resnest50"] = ([3, 4, 6, 3], 32),
        ["resnest101"] = ([3, 4, 23, 3], 64),
        ["resnest200"] = ([3, 24, 36, 3], 64),
        ["resnest269"] = ([3, 30, 48, 8], 64),
    };

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly MaxPool2d maxpool;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly Sequential layer3;
    readonly Sequential layer4;
    readonly Linear? fc;
#pragma warning restore IDE1006

    readonly FeatureInfo[] info;

    public static IReadOnlyCollection<string> Names => Configurations.Keys;

    public ResNeSt(string name, int outputStride = 32, NormLayer? norm = null, int numClasses = 1000) : base(name)
    {
        if (!Configurations.TryGetValue(name, out var config))
            throw new ArgumentException($"'{name}' is not a ResNeSt; expected one of {string.Join(", ", Configurations.Keys)}", nameof(name));
        CheckOutputStride(name, outputStride);
        norm ??= Norms.Batch();
        OutputStride = outputStride;
        long w = config.StemWidth;
        conv1 = nn.Sequential(
            ("0", nn.Conv2d(3, w, 3, stride: 2, padding: 1, bias: false)), ("1", norm(w)), ("2", nn.ReLU()),
            ("3", nn.Conv2d(w, w, 3, padding: 1, bias: false)), ("4", norm(w)), ("5", nn.ReLU()),
            ("6", nn.Conv2d(w, 2 * w, 3, padding: 1, bias: false)));
        bn1 = norm(2 * w);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);

        long inplanes = 2 * w;
        var schedule = StageSchedule.For(outputStride);
        var stages = new Sequential[4];
        var infoList = new List<FeatureInfo> { new("c1", 2 * w, 2) };
        for (int i = 0; i < 4; i++)
        {
            var s = schedule[i];
            stages[i] = MakeStage(norm, ref inplanes, 64L << i, config.Layers[i], s.Stride, s.Dilation, s.FirstDilation, isFirst: i > 0);
            infoList.Add(new FeatureInfo($"c{i + 2}", (64L << i) * 4, s.OutputStride));
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        if (numClasses > 0) fc = nn.Linear(2048, numClasses);
        info = [.. infoList];
        RegisterComponents();
        Init.TorchvisionDefault(this);
    }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var c1 = nn.functional.relu(bn1.forward(conv1.forward(x)));
        var c2 = layer1.forward(maxpool.forward(c1));
        var c3 = layer2.forward(c2);
        var c4 = layer3.forward(c3);
        var c5 = layer4.forward(c4);
        return new() { ["c1"] = c1, ["c2"] = c2, ["c3"] = c3, ["c4"] = c4, ["c5"] = c5 };
    }

    /// <summary>ImageNet logits from c5: global average pool, flatten, fc.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(fc, c5);

    static Sequential MakeStage(NormLayer norm, ref long inplanes, long planes, int blocks, long stride, long dilation, long previousDilation, bool isFirst)
    {
        long outplanes = planes * 4;
        nn.Module<Tensor, Tensor>? downsample = null;
        if (stride != 1 || inplanes != outplanes)
        {
            // ResNeSt _make_layer (avg_down): pool by the stride (kernel 1 = identity when it became dilation), 1x1 conv.
            downsample = nn.Sequential(
                ("0", nn.AvgPool2d(stride, stride: stride, ceil_mode: true, count_include_pad: false)),
                ("1", nn.Conv2d(inplanes, outplanes, 1, bias: false)),
                ("2", norm(outplanes)));
        }
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int b = 0; b < blocks; b++)
        {
            modules.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), b == 0
                ? new ResNeStBottleneck(inplanes, planes, stride, previousDilation, isFirst, downsample, norm)
                : new ResNeStBottleneck(outplanes, planes, 1, dilation, isFirst: false, downsample: null, norm)));
            inplanes = outplanes;
        }
        return nn.Sequential(modules);
    }
}
