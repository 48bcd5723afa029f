using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// TF DeepLab's DeepLabV3 head as model.py builds it for MobileNetV2 (atrous_rates and decoder_output_stride None,
/// add_image_level_feature and aspp_with_batch_norm True: tensorflow/models@3100470f research/deeplab/model.py
/// extract_features, get_branch_logits; defaults in common.py @d575e99d):
/// <c>image_pooling</c> (average over the whole feature map, 1x1 conv + BN + ReLU, back to the map's size),
/// <c>aspp0</c> (1x1 conv + BN + ReLU), concatenated in that order, <c>concat_projection</c> (1x1 conv + BN + ReLU),
/// dropout (keep 0.9, training only), <c>logits.semantic</c> (1x1 conv with bias). BN eps 1e-5, 256 channels.
/// <para>
/// TF pools with an avg_pool2d whose kernel is the crop size / output stride (scale_dimension), which is the whole
/// feature map when the network sees an image of its crop size; TF's evaluation pads every image to the crop
/// (513x513 for VOC, 1025x2049 for Cityscapes) and so pools over that padding too. This head always pools the whole
/// map it is given: pad the input as TF does to reproduce TF's evaluation exactly. Upsampling the 1x1 pooled feature
/// with resize_bilinear(align_corners=True) is a broadcast.
/// </para>
/// </summary>
public sealed class TfDeepLabV3Head : nn.Module<Dictionary<string, Tensor>, Tensor>
{
    /// <summary>model.py extract_features' batch_norm_params epsilon.</summary>
    public const double BatchNormEps = 1e-5;

    /// <summary>model.py: depth = 256.</summary>
    public const long Depth = 256;

#pragma warning disable IDE1006 // state-dict names: TF's scopes
    readonly TfConv image_pooling;
    readonly TfConv aspp0;
    readonly TfConv concat_projection;
    readonly Dropout concat_projection_dropout;
    readonly ModuleDict<TfConv> logits;
#pragma warning restore IDE1006

    /// <param name="inChannels">Channels of the backbone's c5 (320 x depth multiplier).</param>
    /// <param name="numClasses">Output channels.</param>
    public TfDeepLabV3Head(long inChannels, int numClasses) : base(nameof(TfDeepLabV3Head))
    {
        image_pooling = new TfConv(inChannels, Depth, 1, BatchNormEps, Activations.ReLU);
        aspp0 = new TfConv(inChannels, Depth, 1, BatchNormEps, Activations.ReLU);
        concat_projection = new TfConv(2 * Depth, Depth, 1, BatchNormEps, Activations.ReLU);
        // slim.dropout(keep_prob=0.9): drops elements (not channels) while training.
        concat_projection_dropout = nn.Dropout(0.1);
        // get_branch_logits: scope logits/<output type 'semantic'>, one 1x1 conv with biases, no norm or activation.
        logits = nn.ModuleDict(("semantic", new TfConv(Depth, numClasses, 1, null, null)));
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        if (!features.TryGetValue("c5", out var x))
            throw new ArgumentException($"TfDeepLabV3Head reads backbone stage 'c5', which the backbone does not return (it returns {string.Join(", ", features.Keys)})");
        using var scope = NewDisposeScope();
        var pooled = image_pooling.forward(x.mean([2, 3], keepdim: true)).expand(-1, -1, x.shape[2], x.shape[3]);
        var h = concat_projection.forward(cat([pooled, aspp0.forward(x)], 1));
        return logits["semantic"].forward(concat_projection_dropout.forward(h)).MoveToOuterDisposeScope();
    }
}
