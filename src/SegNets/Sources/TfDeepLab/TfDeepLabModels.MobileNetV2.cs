using SegNets.Backbones;
using SegNets.Data;
using SegNets.Models;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// Builders of TF DeepLab's networks (tensorflow/models research/deeplab), each with TF's input normalisation
/// (x / 127.5 - 1: feature_extractor.py _preprocess_zero_mean_unit_range). State-dict keys follow TF's variable
/// scopes, so <see cref="TfDeepLabConverter"/> maps a TF checkpoint onto them with a short rename
/// table: `MobilenetV2/expanded_conv_3/depthwise/BatchNorm/gamma` is `backbone.expanded_conv_3.depthwise.BatchNorm.weight`.
/// </summary>
public static partial class TfDeepLabModels
{
    /// <summary>
    /// DeepLabV3 on MobileNetV2 as TF DeepLab builds it for model_variant mobilenet_v2 (no ASPP atrous branches, no
    /// decoder): <see cref="TfMobileNetV2"/> and <see cref="TfDeepLabV3Head"/>; the logits are resized to the input
    /// with align_corners=True, as model.py predict_labels does before its argmax.
    /// </summary>
    /// <param name="numClasses">Output channels (21 for VOC, 19 for Cityscapes).</param>
    /// <param name="depthMultiplier">1.0 or 0.5 (mobilenetv2_dm05_*) for TF's checkpoints.</param>
    /// <param name="outputStride">8 (TF's frozen graphs and multi-scale numbers) or 16 (its single-scale numbers).</param>
    public static BackboneHeadModel DeepLabV3MobileNetV2(int numClasses, double depthMultiplier = 1.0, int outputStride = 8)
    {
        var backbone = new TfMobileNetV2(depthMultiplier, outputStride);
        var head = new TfDeepLabV3Head(backbone.Features[^1].Channels, numClasses);
        string width = depthMultiplier == 1.0 ? "" : $"_dm{depthMultiplier.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return new BackboneHeadModel($"deeplabv3_mobilenetv2{width}_tf", numClasses, backbone, head, alignCorners: true, headKey: "head")
        {
            Normalization = InputNormalization.TfDeepLab,
        };
    }
}
