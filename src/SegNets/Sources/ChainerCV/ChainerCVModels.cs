using SegNets.Backbones;
using SegNets.Data;
using SegNets.Layers;
using SegNets.Models;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// Builders of ChainerCV's semantic segmentation networks (chainer/chainercv@7159616), each with the input
/// normalisation its weights were trained with. State-dict keys follow ChainerCV's link names: a Chainer .npz key
/// maps by '/' → '.', the parameter names W → weight, b → bias, gamma → weight, beta → bias, avg_mean → running_mean,
/// avg_var → running_var, and the top-level prefixes extractor/ → backbone. (PSPNet), ppm/, head_conv1/, head_conv2/,
/// aspp/, decoder/ → head.… ; DeepLabV3+'s feature_extractor/ goes to the timm-named <see cref="Xception65"/> through
/// a rename table (entryflow_conv1 → stem.0, entryflow_blockN → blocks.N-1, middleflow_blockN → blocks.N+2,
/// exitflow_blockN → blocks.N+18, separableN → stack.convN, conv → shortcut, depthwise/dw_bn/pointwise/pw_bn →
/// conv_dw/bn_dw/conv_pw/bn_pw).
/// </summary>
public static class ChainerCVModels
{
    /// <summary>SegNetBasic (CamVid: 11 classes), raw 0-255 RGB input.</summary>
    public static SegNetBasic SegNetBasic(int numClasses = 11) => new(numClasses);

    /// <summary>PSPNet with ChainerCV's DilatedResNet-50/101, built for square inputs of <paramref name="inputSize"/>
    /// (713 for Cityscapes' 19 classes, 473 for ADE20K's 150).</summary>
    public static BackboneHeadModel PspNet(int depth, int numClasses, int inputSize) => PspNet(depth, numClasses, inputSize, inputSize);

    /// <summary>
    /// PSPNet with ChainerCV's DilatedResNet-50/101 (PSPNetResNet50/101). The configured input size fixes the pyramid
    /// pooling kernels ((size // 8) // 6, 3, 2, 1), as ChainerCV's <c>input_size</c> does; inputs must be at least
    /// that large (ChainerCV predicts in tiles of this size). Input: 0-255 RGB minus the ImageNet mean.
    /// </summary>
    public static BackboneHeadModel PspNet(int depth, int numClasses, int inputHeight, int inputWidth)
    {
        var norm = Norms.Batch(eps: 2e-5);
        var backbone = new ChainerCVDilatedResNet(depth, norm);
        var head = new PspNetHead(numClasses, inputHeight, inputWidth, norm);
        Init.TorchvisionDefault(head);
        return new BackboneHeadModel($"pspnet_resnet{depth}_chainercv", numClasses, backbone, head, alignCorners: true, headKey: "head")
        {
            Normalization = InputNormalization.ChainerCVPspNet,
        };
    }

    /// <summary>
    /// DeepLabV3+ with Xception65 at output stride 8 (DeepLabV3plusXception65: VOC 21, Cityscapes 19, ADE20K 150
    /// classes; TF DeepLab's converted weights). BN eps: backbone 1e-3, ASPP and decoder separable convs 1e-5, the
    /// decoder's feature_proj 2e-5. Logits are resized (align_corners) from output stride 4 to the input. Input:
    /// x / 127.5 - 1; ChainerCV pads images bottom/right with 127.5 to at least 513x513 (1025x2049 for Cityscapes)
    /// before that, which is the caller's job here.
    /// </summary>
    /// <param name="numClasses">Output channels.</param>
    /// <param name="asppRates">The ASPP's atrous rates; ChainerCV's SeparableASPP default 12, 24, 36 when null.</param>
    public static BackboneHeadModel DeepLabV3PlusXception65(int numClasses, int[]? asppRates = null)
    {
        var backbone = new Xception65(outputStride: 8, norm: Norms.Batch(eps: 1e-3), numClasses: 0);
        var head = new DeepLabV3PlusHead(numClasses, 2048, 256, asppRates ?? [12, 24, 36], Norms.Batch(eps: 1e-5));
        Init.TorchvisionDefault(head);
        return new BackboneHeadModel("deeplabv3plus_xception65_chainercv", numClasses, backbone, head, alignCorners: true, headKey: "head")
        {
            Normalization = InputNormalization.TfDeepLab,
        };
    }
}
