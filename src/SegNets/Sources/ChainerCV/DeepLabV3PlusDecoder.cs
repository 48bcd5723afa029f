using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV's DeepLabV3+ decoder (chainercv links/model/deeplab/deeplab_v3_plus.py, Decoder): <c>feature_proj</c>
/// 1x1 Conv2DBNActiv on the low-level feature (built WITHOUT the config's bn_kwargs, so Chainer's default eps 2e-5),
/// the ASPP output resized to the low-level size (align_corners, F.resize_images), concat [aspp, low-level],
/// conv1 and conv2 separable 3x3 (ReLU after both BNs), <c>conv_logits</c> 1x1 with bias. Names are ChainerCV's.
/// </summary>
public sealed class DeepLabV3PlusDecoder : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly ConvBnAct feature_proj;
    readonly SeparableConv2d conv1;
    readonly SeparableConv2d conv2;
    readonly Conv2d conv_logits;
#pragma warning restore IDE1006

    /// <param name="inChannels">Channels of the low-level feature and of the ASPP output (ChainerCV passes 256 for both).</param>
    /// <param name="numClasses">Output channels.</param>
    /// <param name="projChannels">feature_proj's width (48).</param>
    /// <param name="depthChannels">The separable convs' width (256).</param>
    /// <param name="norm">The separable convs' norm (the config's bn_kwargs: eps 1e-5).</param>
    /// <param name="projectionNorm">feature_proj's norm: null is ChainerCV's (Chainer's default eps 2e-5); TF DeepLab's
    /// decoder uses eps 1e-5 for it as for the rest (model.py refine_by_decoder's batch_norm_params).</param>
    public DeepLabV3PlusDecoder(long inChannels, int numClasses, long projChannels, long depthChannels, NormLayer norm, NormLayer? projectionNorm = null)
        : base(nameof(DeepLabV3PlusDecoder))
    {
        feature_proj = new ConvBnAct(inChannels, projChannels, 1, projectionNorm ?? Norms.Batch(eps: 2e-5));
        conv1 = new SeparableConv2d(inChannels + projChannels, depthChannels, norm, dilation: 1, depthwiseRelu: true, pointwiseRelu: true, names: SeparableConv2d.ChainerCVNames);
        conv2 = new SeparableConv2d(depthChannels, depthChannels, norm, dilation: 1, depthwiseRelu: true, pointwiseRelu: true, names: SeparableConv2d.ChainerCVNames);
        conv_logits = nn.Conv2d(depthChannels, numClasses, 1, bias: true);
        RegisterComponents();
    }

    /// <param name="lowLevel">The backbone's low-level feature (Xception65 c2).</param>
    /// <param name="aspp">The ASPP output.</param>
    public override Tensor forward(Tensor lowLevel, Tensor aspp)
    {
        using var scope = NewDisposeScope();
        var x = feature_proj.forward(lowLevel);
        var pool = Models.Upsample.Bilinear(aspp, x.shape[2], x.shape[3], alignCorners: true);
        var h = conv2.forward(conv1.forward(cat([pool, x], 1)));
        return conv_logits.forward(h).MoveToOuterDisposeScope();
    }
}
