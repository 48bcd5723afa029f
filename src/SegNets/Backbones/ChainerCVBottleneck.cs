using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// ChainerCV's ResNet bottleneck (chainercv links/model/resnet/resblock.py, Bottleneck with stride_first=False):
/// 1x1 conv1, 3x3 conv2 carrying the stride and the dilation (padding = dilation), 1x1 conv3 without ReLU, plus the
/// input or — in each stage's first block — <c>residual_conv</c> (1x1, stride, BN, no ReLU); ReLU after the sum. Every
/// conv is Conv2DBNActiv (children conv, bn), so keys read conv2.conv.weight, residual_conv.bn.running_var.
/// </summary>
public sealed class ChainerCVBottleneck : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ConvBnAct conv1;
    readonly ConvBnAct conv2;
    readonly ConvBnAct conv3;
    readonly ConvBnAct? residual_conv;
#pragma warning restore IDE1006

    public ChainerCVBottleneck(long inChannels, long midChannels, long outChannels, long stride, long dilation, bool residualConv, NormLayer norm)
        : base(nameof(ChainerCVBottleneck))
    {
        conv1 = new ConvBnAct(inChannels, midChannels, 1, norm);
        conv2 = new ConvBnAct(midChannels, midChannels, 3, norm, stride: stride, dilation: dilation);
        conv3 = new ConvBnAct(midChannels, outChannels, 1, norm, relu: false);
        if (residualConv) residual_conv = new ConvBnAct(inChannels, outChannels, 1, norm, relu: false, stride: stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv3.forward(conv2.forward(conv1.forward(x)));
        var residual = residual_conv is null ? x : residual_conv.forward(x);
        return nn.functional.relu(h + residual).MoveToOuterDisposeScope();
    }
}
