using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// ChainerCV's DilatedResNet-50/101, the PSPNet extractor (chainercv experimental/links/model/pspnet/pspnet.py,
/// DilatedResNet; blocks from links/model/resnet/resblock.py). It differs from <see cref="ResNetV1b"/>: a deep stem of
/// three 3x3 Conv2DBNActiv (conv1_1 stride 2, 3→64; conv1_2 64→64; conv1_3 64→128), a 3x3/2 max pool with padding 1
/// in Chainer's cover_all (ceil) mode, the stride on each stage's first 3x3, and dilation 2 (res4) and 4 (res5) on
/// EVERY block of the stage — the first one included. BN eps 2e-5 (Chainer's default). Always output stride 8.
/// Module names are ChainerCV's link names (conv1_1.conv, res3.a.residual_conv.bn, res4.b22.conv2.conv), so a
/// Chainer key extractor/res2/a/conv1/conv/W maps to backbone.res2.a.conv1.conv.weight.
/// Stages: c1 = conv1_3 (128 ch, stride 2), c2 = res2 (256, 4), c3 = res3 (512, 8), c4 = res4 (1024, 8),
/// c5 = res5 (2048, 8).
/// </summary>
public sealed class ChainerCVDilatedResNet : Backbone
{
#pragma warning disable IDE1006 // state-dict names
    readonly ConvBnAct conv1_1;
    readonly ConvBnAct conv1_2;
    readonly ConvBnAct conv1_3;
    readonly Sequential res2;
    readonly Sequential res3;
    readonly Sequential res4;
    readonly Sequential res5;
#pragma warning restore IDE1006

    static readonly FeatureInfo[] Stages =
        [new("c1", 128, 2), new("c2", 256, 4), new("c3", 512, 8), new("c4", 1024, 8), new("c5", 2048, 8)];

    /// <param name="depth">50 or 101 (ChainerCV's DilatedResNet._blocks: 3-4-6-3, 3-4-23-3).</param>
    /// <param name="norm">The norm layer; Chainer's BatchNormalization (eps 2e-5) when null.</param>
    public ChainerCVDilatedResNet(int depth, NormLayer? norm = null) : base(nameof(ChainerCVDilatedResNet))
    {
        int[] blocks = depth switch
        {
            50 => [3, 4, 6, 3],
            101 => [3, 4, 23, 3],
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "ChainerCV's DilatedResNet has depth 50 or 101"),
        };
        Depth = depth;
        norm ??= Norms.Batch(eps: 2e-5);
        conv1_1 = new ConvBnAct(3, 64, 3, norm, stride: 2);
        conv1_2 = new ConvBnAct(64, 64, 3, norm);
        conv1_3 = new ConvBnAct(64, 128, 3, norm);
        // pspnet.py DilatedResNet.__init__: ResBlock(n, in, mid, out, stride, dilate)
        res2 = Stage(blocks[0], 128, 64, 256, 1, 1, norm);
        res3 = Stage(blocks[1], 256, 128, 512, 2, 1, norm);
        res4 = Stage(blocks[2], 512, 256, 1024, 1, 2, norm);
        res5 = Stage(blocks[3], 1024, 512, 2048, 1, 4, norm);
        RegisterComponents();
        Init.TorchvisionDefault(this);
    }

    public int Depth { get; }

    public override IReadOnlyList<FeatureInfo> Features => Stages;

    public override int OutputStride => 8;

    // resblock.py ResBlock: block `a` (with residual_conv, the stage's stride) then b1 .. b{n-1}, all with the dilation.
    static Sequential Stage(int count, long inChannels, long midChannels, long outChannels, long stride, long dilation, NormLayer norm)
    {
        var list = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("a", new ChainerCVBottleneck(inChannels, midChannels, outChannels, stride, dilation, residualConv: true, norm)),
        };
        for (int i = 1; i < count; i++)
            list.Add(($"b{i}", new ChainerCVBottleneck(outChannels, midChannels, outChannels, 1, dilation, residualConv: false, norm)));
        return nn.Sequential(list);
    }

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var c1 = conv1_3.forward(conv1_2.forward(conv1_1.forward(x)));
        // pspnet.py pool1: F.max_pooling_2d(x, 3, 2, pad=1) with Chainer's default cover_all=True. For this kernel,
        // stride and padding, cover_all's size (h + 2p - k + s - 1) // s + 1 equals PyTorch's ceil mode for every h.
        var pooled = nn.functional.max_pool2d(c1, [3, 3], [2, 2], [1, 1], ceil_mode: true);
        var c2 = res2.forward(pooled);
        pooled.Dispose();
        var c3 = res3.forward(c2);
        var c4 = res4.forward(c3);
        var c5 = res5.forward(c4);
        return new Dictionary<string, Tensor> { ["c1"] = c1, ["c2"] = c2, ["c3"] = c3, ["c4"] = c4, ["c5"] = c5 };
    }
}
