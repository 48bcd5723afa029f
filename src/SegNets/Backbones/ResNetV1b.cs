using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The ResNetV1b family (GluonCV resnetv1b.py; torchvision's ResNet is v1b): stem, max-pool, four stages, and an
/// optional ImageNet classifier. Stages: c1 = stem (stride 2), c2..c5 = layer1..layer4 (strides 4..32).
/// Output stride 16 or 8 replaces the stride of layer4 (and layer3) with dilation as torchvision's
/// replace_stride_with_dilation and GluonCV's dilated=True do: a dilated stage's first block keeps the previous
/// dilation, the others get the new one. Field names are the PyTorch state-dict keys (conv1, bn1, layer1.0.conv1, fc).
/// </summary>
public sealed class ResNetV1b : Backbone
{
#pragma warning disable IDE1006 // state-dict names
    readonly nn.Module<Tensor, Tensor> conv1;
    readonly nn.Module<Tensor, Tensor> bn1;
    readonly MaxPool2d maxpool;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly Sequential layer3;
    readonly Sequential layer4;
    readonly Linear? fc;
#pragma warning restore IDE1006

    readonly FeatureInfo[] features;

    /// <param name="config">Which member of the family (see <see cref="ResNetConfig.All"/>).</param>
    /// <param name="outputStride">32 (classification), 16 or 8 (segmentation).</param>
    /// <param name="norm">Normalisation layer; BatchNorm (eps 1e-5) by default.</param>
    /// <param name="numClasses">Size of the classifier; 0 builds the backbone without pooling and fc.</param>
    /// <param name="zeroInitResidual">Zero the last BN scale of each block (GluonCV last_gamma, torchvision zero_init_residual).</param>
    public ResNetV1b(ResNetConfig config, int outputStride = 32, NormLayer? norm = null, int numClasses = 1000, bool zeroInitResidual = false)
        : base(config.Name)
    {
        CheckOutputStride(config.Name, outputStride);
        norm ??= Norms.Batch();
        Config = config;
        OutputStride = outputStride;

        if (config.DeepStem)
        {
            long w = config.StemWidth;
            conv1 = nn.Sequential(
                ("0", nn.Conv2d(3, w, 3, stride: 2, padding: 1, bias: false)),
                ("1", norm(w)),
                ("2", nn.ReLU()),
                ("3", nn.Conv2d(w, w, 3, padding: 1, bias: false)),
                ("4", norm(w)),
                ("5", nn.ReLU()),
                ("6", nn.Conv2d(w, 2 * w, 3, padding: 1, bias: false)));
        }
        else
        {
            conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        }
        bn1 = norm(config.StemChannels);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);

        long inplanes = config.StemChannels;
        var schedule = StageSchedule.For(outputStride);
        var stages = new Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            var s = schedule[i];
            stages[i] = MakeStage(config, norm, ref inplanes, 64L << i, config.Layers[i], s.Stride, s.Dilation, s.FirstDilation);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);

        if (numClasses > 0) fc = nn.Linear(512 * config.Expansion, numClasses);

        features =
        [
            new("c1", config.StemChannels, 2),
            .. Enumerable.Range(0, 4).Select(i => new FeatureInfo($"c{i + 2}", (64L << i) * config.Expansion, schedule[i].OutputStride)),
        ];

        RegisterComponents();
        Initialize(zeroInitResidual);
    }

    public ResNetConfig Config { get; }

    public override IReadOnlyList<FeatureInfo> Features => features;

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

    /// <summary>ImageNet logits from the last stage: global average pool, flatten, fc.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(fc, c5);

    static Sequential MakeStage(ResNetConfig config, NormLayer norm, ref long inplanes, long planes, int blocks, long stride, long dilation, long previousDilation)
    {
        long outplanes = planes * config.Expansion;
        nn.Module<Tensor, Tensor>? downsample = null;
        if (stride != 1 || inplanes != outplanes)
        {
            if (config.AvgDown)
            {
                // GluonCV: average-pool by the stride (identity when the stride became dilation), then a 1x1 conv.
                nn.Module<Tensor, Tensor> pool = stride == 1
                    ? nn.Identity()
                    : nn.AvgPool2d(stride, stride: stride, ceil_mode: true, count_include_pad: false);
                downsample = nn.Sequential(("0", pool), ("1", nn.Conv2d(inplanes, outplanes, 1, bias: false)), ("2", norm(outplanes)));
            }
            else
            {
                downsample = nn.Sequential(("0", nn.Conv2d(inplanes, outplanes, 1, stride: stride, bias: false)), ("1", norm(outplanes)));
            }
        }

        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int b = 0; b < blocks; b++)
        {
            // The first block of a dilated stage keeps the previous dilation (torchvision _make_layer; GluonCV passes
            // dilation 1 for a stage of dilation 2 and 2 for 4, which is the same).
            long blockDilation = b == 0 ? previousDilation : dilation;
            nn.Module<Tensor, Tensor> block = config.Bottleneck
                ? new BottleneckV1b(inplanes, planes, b == 0 ? stride : 1, blockDilation, b == 0 ? downsample : null, norm)
                : new BasicBlockV1b(inplanes, planes, b == 0 ? stride : 1, blockDilation, dilation, b == 0 ? downsample : null, norm);
            modules.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            inplanes = outplanes;
        }
        return nn.Sequential(modules);
    }

    void Initialize(bool zeroInitResidual)
    {
        // torchvision resnet.py; the fc keeps PyTorch's default init there too.
        Init.TorchvisionDefault(this);
        using var _ = no_grad();
        if (!zeroInitResidual) return;
        foreach (var module in modules())
        {
            var last = module switch
            {
                BottleneckV1b block => block.LastNorm,
                BasicBlockV1b block => block.LastNorm,
                _ => null,
            };
            if (last is BatchNorm2d bn) nn.init.zeros_(bn.weight);
            else if (last is GroupNorm gn) nn.init.zeros_(gn.weight);
        }
    }
}
