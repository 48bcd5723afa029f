using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using static TorchSharp.torch;

namespace SegNets.Sources.Encoding;

/// <summary>
/// EncNet, "Context Encoding for Semantic Segmentation" (Zhang et al., CVPR 2018), as PyTorch-Encoding builds it
/// (zhanghang1989/PyTorch-Encoding@b05334f encoding/models/{base,encnet,fcn}.py): a dilated ResNet (output stride 8),
/// <see cref="EncHead"/> on stage 4, an FCN auxiliary head (`auxlayer.conv5`) on stage 3, both resized bilinearly to
/// the input with align_corners=True (base.py up_kwargs).
/// </summary>
/// <remarks>
/// The backbone is encoding/dilated/resnet.py at that commit: torchvision's ResNet (7x7 stem, stride in the 3x3 conv,
/// BN eps 1e-5, with its 1000-class fc, which the released state dicts carry) with layer3 dilated 2 and layer4
/// dilated 4, the first block of each keeping the smaller dilation — SegNets' <see cref="ResNetV1b"/> at output
/// stride 8. Not the deep-stem "resnet50s/101s" of PyTorch-Encoding v0.5.0+ (f891919), whose EncNet files are
/// other downloads. State-dict keys are PyTorch-Encoding's under `backbone.` instead of `pretrained.` (the
/// "encoding" conversion table, <see cref="EncodingConverter"/>); `head.*` and `auxlayer.*` are
/// the original's.
/// </remarks>
public static class EncNet
{
    /// <summary>PyTorch-Encoding's EncNet (get_encnet): keys backbone.* (ResNet), head.*, auxlayer.conv5.*.</summary>
    /// <param name="backbone">resnet50 or resnet101 (also resnet152).</param>
    /// <param name="numClasses">Output classes (59 Pascal Context, 150 ADE20K, 21 VOC).</param>
    /// <param name="lateral">The stage-2/3 fusion of EncHead; get_encnet sets it for Pascal Context only.</param>
    /// <param name="softmax">The Encoding layer's assignment axis: <see cref="EncodingSoftmax.OverPositions"/> for the
    /// 2018 releases (v0.4.x), <see cref="EncodingSoftmax.OverCodewords"/> as the paper and v0.5.0+ define it.</param>
    /// <param name="aux">With the auxiliary FCN head (every release has it).</param>
    public static BackboneHeadModel Build(string backbone, int numClasses, bool lateral, EncodingSoftmax softmax, bool aux = true)
    {
        var config = backbone switch
        {
            "resnet50" or "resnet101" or "resnet152" => ResNetConfig.Get(backbone + "_v1b"),
            _ => throw new ArgumentException($"EncNet: unknown backbone '{backbone}'; PyTorch-Encoding's BaseNet builds resnet50, resnet101 or resnet152", nameof(backbone)),
        };
        var net = new ResNetV1b(config, outputStride: 8, numClasses: 1000);
        return new BackboneHeadModel("encnet", numClasses, net, new EncHead(2048, numClasses, lateral, seLoss: true, softmax), alignCorners: true, "head",
            aux ? new FeatureHead("c4", Fcn.Head(1024, numClasses), "conv5") : null, "auxlayer");
    }

    /// <summary>
    /// The forward of PyTorch-Encoding's EncNet with its SE-loss output: main and auxiliary logits at the input size and
    /// the SE logits (B, classes) of the context vector, which only training uses (the SE loss).
    /// </summary>
    public static (SegmentationOutput Output, Tensor? SeLogits) ForwardWithSe(BackboneHeadModel model, Tensor x)
    {
        if (model.Head is not EncHead head)
            throw new ArgumentException($"{model.Architecture} is not an EncNet (its head is {model.Head.GetType().Name})", nameof(model));
        var features = model.Backbone.forward(x);
        var (logits, se) = head.ForwardWithSe(features);
        var main = Upsample.BilinearLike(logits, x, model.AlignCorners);
        var aux = model.AuxHead is null ? null : Upsample.BilinearLike(model.AuxHead.forward(features), x, model.AlignCorners);
        return (new SegmentationOutput(main, aux), se);
    }
}
