using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// One block of the aligned Xception (TF DeepLab xception.py; ChainerCV XceptionBlock; timm XceptionModule): three
/// separable convs, the last one strided, and a shortcut — a 1x1 conv + BN on the block's input when width or stride
/// change, the input itself otherwise, none for the exit flow's last block. "Pre-activation" blocks put a ReLU before
/// each separable conv; the last block instead has ReLUs inside them (depthwise and pointwise). The output of the
/// second separable conv, before the ReLU that follows it, is what DeepLabV3+ takes as its low-level feature
/// (<see cref="SecondOutput"/>). Field names are timm's state-dict keys (shortcut.conv, stack.conv1..3).
/// </summary>
public sealed class XceptionBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ConvBnAct? shortcut;
    readonly nn.Module<Tensor, Tensor> stack;
#pragma warning restore IDE1006
    readonly SeparableConv2d[] convs;
    readonly bool startWithRelu;
    readonly bool skip;

    public XceptionBlock(long inChannels, long[] outChannels, long stride, long dilation, NormLayer norm, bool startWithRelu = true, bool skip = true)
        : base(nameof(XceptionBlock))
    {
        this.startWithRelu = startWithRelu;
        this.skip = skip;
        if (skip && (outChannels[2] != inChannels || stride != 1))
            shortcut = new ConvBnAct(inChannels, outChannels[2], 1, norm, relu: false, stride: stride);
        convs = new SeparableConv2d[3];
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = inChannels;
        for (int i = 0; i < 3; i++)
        {
            convs[i] = new SeparableConv2d(channels, outChannels[i], norm, stride: i == 2 ? stride : 1, dilation: dilation,
                depthwiseRelu: !startWithRelu, pointwiseRelu: !startWithRelu);
            if (startWithRelu) named.Add(($"act{i + 1}", nn.ReLU()));
            named.Add(($"conv{i + 1}", convs[i]));
            channels = outChannels[i];
        }
        stack = nn.Sequential(named);
        OutChannels = outChannels[2];
        SecondChannels = outChannels[1];
        RegisterComponents();
    }

    public long OutChannels { get; }

    public long SecondChannels { get; }

    /// <summary>The second separable conv's output (before the next ReLU) of the last forward; null before one.</summary>
    public Tensor? SecondOutput { get; private set; }

    public override Tensor forward(Tensor x)
    {
        var y = startWithRelu ? nn.functional.relu(x) : x;
        y = convs[0].forward(y);
        if (startWithRelu) y = nn.functional.relu(y);
        y = convs[1].forward(y);
        SecondOutput = y;
        if (startWithRelu) y = nn.functional.relu(y);
        y = convs[2].forward(y);
        if (!skip) return y;
        return y + (shortcut is null ? x : shortcut.forward(x));
    }
}
