using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV's SeparableASPP (chainercv links/model/deeplab/aspp.py): image pooling (spatial mean → 1x1
/// Conv2DBNActiv → broadcast), a 1x1 Conv2DBNActiv, three separable 3x3 branches at rates 12/24/36 (ReLU after the
/// depthwise and the pointwise BN), concat [pool, 1x1, atrous1, atrous2, atrous3], <c>proj</c> 1x1 Conv2DBNActiv.
/// The trailing F.dropout is a no-op at inference and is left out. Names are ChainerCV's.
/// </summary>
public sealed class SeparableAspp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ConvBnAct image_pooling_conv;
    readonly ConvBnAct conv1x1;
    readonly SeparableConv2d atrous1;
    readonly SeparableConv2d atrous2;
    readonly SeparableConv2d atrous3;
    readonly ConvBnAct proj;
#pragma warning restore IDE1006

    /// <param name="inChannels">2048 for Xception65.</param>
    /// <param name="outChannels">256.</param>
    /// <param name="rates">The three dilations (ChainerCV's dilate_list, default 12, 24, 36).</param>
    /// <param name="norm">ChainerCV's pretrained configs pass bn_kwargs eps 1e-5.</param>
    public SeparableAspp(long inChannels, long outChannels, int[] rates, NormLayer norm) : base(nameof(SeparableAspp))
    {
        if (rates.Length != 3) throw new ArgumentException($"SeparableASPP takes three atrous rates, got {rates.Length}", nameof(rates));
        image_pooling_conv = new ConvBnAct(inChannels, outChannels, 1, norm);
        conv1x1 = new ConvBnAct(inChannels, outChannels, 1, norm);
        atrous1 = new SeparableConv2d(inChannels, outChannels, norm, dilation: rates[0], depthwiseRelu: true, pointwiseRelu: true, names: SeparableConv2d.ChainerCVNames);
        atrous2 = new SeparableConv2d(inChannels, outChannels, norm, dilation: rates[1], depthwiseRelu: true, pointwiseRelu: true, names: SeparableConv2d.ChainerCVNames);
        atrous3 = new SeparableConv2d(inChannels, outChannels, norm, dilation: rates[2], depthwiseRelu: true, pointwiseRelu: true, names: SeparableConv2d.ChainerCVNames);
        proj = new ConvBnAct(outChannels * 5, outChannels, 1, norm);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // aspp.py image_pooling: F.average over (2, 3) keepdims, conv, broadcast_to (B, C, H, W)
        var pooled = image_pooling_conv.forward(x.mean([2, 3], keepdim: true)).expand(-1, -1, x.shape[2], x.shape[3]);
        var h = cat([pooled, conv1x1.forward(x), atrous1.forward(x), atrous2.forward(x), atrous3.forward(x)], 1);
        return proj.forward(h).MoveToOuterDisposeScope();
    }
}
