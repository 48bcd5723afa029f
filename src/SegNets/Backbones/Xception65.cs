using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The modified aligned Xception-65 of DeepLabV3+ (TF DeepLab; ChainerCV's Xception65; timm xception65, whose
/// state-dict keys this uses: stem.0.conv, blocks.N.stack.conv1.conv_dw, head.fc). BN eps 1e-3. Entry flow: stem (two
/// 3x3 convs), three strided blocks (128, 256, 728); middle flow: 16 blocks of 728; exit flow: a strided block
/// (728, 1024, 1024) and a block without shortcut (1536, 1536, 2048). Output stride 16/8 turns the later strides into
/// dilation (a block that loses its stride keeps the previous dilation; the blocks after it get the new one).
/// Stages: c1..c4 = the second separable conv's output (pre-ReLU) of the four strided blocks (128 ch at stride 2,
/// 256 at 4 — DeepLabV3+'s low-level feature — 728 at 8, 1024 at 16), c5 = the last block (2048 ch).
/// </summary>
public sealed class Xception65 : Backbone
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential stem;
    readonly Sequential blocks;
    readonly Sequential? head;
#pragma warning restore IDE1006

    readonly XceptionBlock[] blockList;
    readonly int[] taps;
    readonly FeatureInfo[] info;

    public Xception65(int outputStride = 32, NormLayer? norm = null, int numClasses = 1000) : base(nameof(Xception65))
    {
        CheckOutputStride(nameof(Xception65), outputStride);
        norm ??= Norms.Batch(eps: 1e-3);
        OutputStride = outputStride;
        stem = nn.Sequential(("0", new ConvBnAct(3, 32, 3, norm, stride: 2)), ("1", new ConvBnAct(32, 64, 3, norm)));

        var config = new List<(long In, long[] Out, long Stride, bool StartWithRelu, bool Skip)>
        {
            (64, [128, 128, 128], 2, true, true),
            (128, [256, 256, 256], 2, true, true),
            (256, [728, 728, 728], 2, true, true),
        };
        for (int i = 0; i < 16; i++) config.Add((728, [728, 728, 728], 1, true, true));
        config.Add((728, [728, 1024, 1024], 2, true, true));
        config.Add((1024, [1536, 1536, 2048], 1, false, false));

        var list = new List<XceptionBlock>();
        var tapList = new List<int>();
        var infoList = new List<FeatureInfo>();
        long dilation = 1;
        int stride = 2;
        foreach (var (input, output, nominal, startWithRelu, skip) in config)
        {
            long blockStride = nominal;
            long blockDilation = dilation;
            if (nominal > 1)
            {
                tapList.Add(list.Count);
                infoList.Add(new FeatureInfo($"c{infoList.Count + 1}", output[1], stride));
                if (stride * nominal > outputStride)
                {
                    dilation *= nominal;
                    blockStride = 1;
                }
                else
                {
                    stride *= (int)nominal;
                }
            }
            list.Add(new XceptionBlock(input, output, blockStride, blockDilation, norm, startWithRelu, skip));
        }
        infoList.Add(new FeatureInfo("c5", 2048, stride));
        blockList = [.. list];
        taps = [.. tapList];
        info = [.. infoList];
        blocks = nn.Sequential(blockList.Select((b, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (nn.Module<Tensor, Tensor>)b)));
        if (numClasses > 0) head = nn.Sequential(("fc", nn.Linear(2048, numClasses)));
        RegisterComponents();
        Init.TorchvisionDefault(this);
    }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var result = new Dictionary<string, Tensor>();
        x = stem.forward(x);
        int next = 0;
        for (int i = 0; i < blockList.Length; i++)
        {
            x = blockList[i].forward(x);
            if (next < taps.Length && taps[next] == i) result[info[next++].Name] = blockList[i].SecondOutput!;
        }
        result["c5"] = x;
        return result;
    }

    /// <summary>ImageNet logits from c5: global average pool, fc (timm's head.fc).</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(head, c5);
}
