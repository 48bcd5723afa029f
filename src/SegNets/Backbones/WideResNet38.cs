using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// Wider ResNet-38 "A2" (GluonCV wideresnet.py WiderResNetA2 with structure [3, 3, 6, 3, 1, 1]; the backbone of
/// deeplab_v3b_plus_wideresnet_citys): mod1 = 3x3 conv to 64 at full resolution; max-pool + mod2 (3 x [128, 128]);
/// max-pool + mod3 (3 x [256, 256]); mod4 (6 x [512, 512], strided); mod5 (3 x [512, 1024]); mod6 (1 bottleneck
/// [512, 1024, 2048], dropout 0.3); mod7 (1 bottleneck [1024, 2048, 4096], dropout 0.5). Output stride 32 strides the
/// first block of mod4, mod5 and mod6; output stride 8 (GluonCV's dilation=True) strides only mod4 and dilates mod5 by
/// 2 and mod6/mod7 by 4. Stages: c1 = mod2 (128 ch, stride 2; VPLR's low-level feature), c2 = mod3, c3 = mod4,
/// c4 = mod5, c5 = mod7 (4096 ch) — the raw block sum: the final BN + ReLU (bn_out) exists only with a classifier.
/// Field names are the state-dict keys (mod1.0, mod2.0.bn1.0, mod7.0.convs.5, classifier.1).
/// </summary>
public sealed class WideResNet38 : Backbone
{
    static readonly long[][] Widths = [[128, 128], [256, 256], [512, 512], [512, 1024], [512, 1024, 2048], [1024, 2048, 4096]];
    static readonly int[] Structure = [3, 3, 6, 3, 1, 1];

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential mod1;
    readonly MaxPool2d pool2;
    readonly Sequential mod2;
    readonly MaxPool2d pool3;
    readonly Sequential mod3;
    readonly Sequential mod4;
    readonly Sequential mod5;
    readonly Sequential mod6;
    readonly Sequential mod7;
    readonly Sequential? bn_out;
    readonly Sequential? classifier;
#pragma warning restore IDE1006

    readonly FeatureInfo[] info;

    /// <param name="outputStride">32, or 8 (GluonCV dilation=True); the original has no 16.</param>
    public WideResNet38(int outputStride = 8, NormLayer? norm = null, int numClasses = 0) : base(nameof(WideResNet38))
    {
        if (outputStride is not (32 or 8))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "WideResNet38: output stride must be 32 or 8");
        norm ??= Norms.Batch();
        OutputStride = outputStride;
        bool dilated = outputStride == 8;
        mod1 = nn.Sequential(("0", nn.Conv2d(3, 64, 3, padding: 1, bias: false)));
        pool2 = nn.MaxPool2d(3, stride: 2, padding: 1);
        pool3 = nn.MaxPool2d(3, stride: 2, padding: 1);
        var mods = new Sequential[6];
        long inChannels = 64;
        for (int m = 0; m < 6; m++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < Structure[m]; b++)
            {
                long dilation = dilated ? m == 3 ? 2 : m > 3 ? 4 : 1 : 1;
                long stride = b == 0 && (dilated ? m == 2 : m is >= 2 and <= 4) ? 2 : 1;
                double dropout = m == 4 ? 0.3 : m == 5 ? 0.5 : 0;
                blocks.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    new IdentityResidualBlock(inChannels, Widths[m], stride, dilation, norm, dropout)));
                inChannels = Widths[m][^1];
            }
            mods[m] = nn.Sequential(blocks);
        }
        (mod2, mod3, mod4, mod5, mod6, mod7) = (mods[0], mods[1], mods[2], mods[3], mods[4], mods[5]);
        if (numClasses > 0)
        {
            bn_out = IdentityResidualBlock.BnRelu(4096, norm);
            classifier = nn.Sequential(("1", nn.Linear(4096, numClasses)));
        }
        int deep = dilated ? 8 : 32;
        info =
        [
            new("c1", 128, 2), new("c2", 256, 4), new("c3", 512, 8), new("c4", 1024, dilated ? 8 : 16), new("c5", 4096, deep),
        ];
        RegisterComponents();
        Init.TorchvisionDefault(this);
    }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var c1 = mod2.forward(pool2.forward(mod1.forward(x)));
        var c2 = mod3.forward(pool3.forward(c1));
        var c3 = mod4.forward(c2);
        var c4 = mod5.forward(c3);
        var c5 = mod7.forward(mod6.forward(c4));
        return new() { ["c1"] = c1, ["c2"] = c2, ["c3"] = c3, ["c4"] = c4, ["c5"] = c5 };
    }

    /// <summary>ImageNet logits from c5: bn_out (BN + ReLU), global average pool, dense.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(classifier, bn_out is null ? c5 : bn_out.forward(c5));
}
