using SegNets.Backbones;
using SegNets.Data;
using SegNets.Layers;
using SegNets.Models;
using SegNets.Sources.ChainerCV;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// Builders of TF DeepLab's networks (tensorflow/models research/deeplab: model.py @05ccaf88, core/xception.py
/// @015d6ed6, core/feature_extractor.py @08eebbce), whose model-zoo checkpoints
/// <see cref="TfDeepLabConverter"/> maps onto them.
/// </summary>
public static partial class TfDeepLabModels
{
    /// <summary>
    /// DeepLabV3+ on Xception-65 as TF DeepLab builds it for its model-zoo checkpoints (model_variant xception_65,
    /// decoder_output_stride 4, aspp_with_separable_conv, add_image_level_feature). It is the graph ChainerCV converted
    /// (<see cref="ChainerCVModels.DeepLabV3PlusXception65"/>, same modules and keys) with two differences read from the
    /// TF sources: the output stride is selectable (16 with rates 6/12/18, or 8 with 12/24/36, as g3doc/model_zoo.md
    /// lists them; ChainerCV fixes 8), and the decoder's feature_projection0 BN uses eps 1e-5 like the rest of the
    /// decoder (model.py refine_by_decoder), where ChainerCV's feature_proj uses Chainer's 2e-5. BN eps: 1e-3 in the
    /// backbone (feature_extractor.py passes batch_norm_epsilon=1e-3 to xception_arg_scope), 1e-5 in ASPP and decoder.
    /// <para>
    /// Padding: xception.py's separable_conv2d_same pads explicitly (fixed_padding: total k_eff - 1, the smaller half
    /// first) before a strided conv and uses 'SAME' at stride 1, resnet_utils.conv2d_same does the same for the stem,
    /// and every ASPP/decoder conv is 'SAME' at stride 1; for the 3x3 kernels (and the 1x1 strided shortcuts) that is
    /// PyTorch's symmetric padding, whatever the input's parity. Image pooling: TF averages over a window of the
    /// eval crop's feature size (avg_pool2d, VALID) and resizes the 1x1 result back; with the image padded to the
    /// crop, as eval.py/vis.py do, that is the global mean used here. The ASPP output and the low-level projection are
    /// resized (align_corners) to the crop's stride-4 size, and the logits to the input (predict_labels,
    /// align_corners=True) — the actual feature sizes when the input is the crop.
    /// </para>
    /// Input: x / 127.5 - 1 (feature_extractor.py _preprocess_zero_mean_unit_range); TF pads images with 127.5
    /// (0 after normalisation) to the eval crop (513x513; 1025x2049 for Cityscapes), which is the caller's job here.
    /// </summary>
    /// <param name="numClasses">Output channels (TF's ADE20K checkpoint has 151 logits; its converter drops channel 0
    /// so that the model has ADE20K's 150 classes).</param>
    /// <param name="outputStride">16 or 8.</param>
    /// <param name="asppRates">The ASPP's atrous rates; by default 6/12/18 at output stride 16 and 12/24/36 at 8.</param>
    public static BackboneHeadModel Xception65(int numClasses, int outputStride = 8, int[]? asppRates = null)
    {
        if (outputStride is not (8 or 16))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "TF DeepLab's Xception-65 checkpoints are evaluated at output stride 8 or 16");
        var rates = asppRates ?? (outputStride == 16 ? [6, 12, 18] : [12, 24, 36]);
        var backbone = new Xception65(outputStride: outputStride, norm: Norms.Batch(eps: 1e-3), numClasses: 0);
        var head = new DeepLabV3PlusHead(numClasses, 2048, 256, rates, Norms.Batch(eps: 1e-5), projectionNorm: Norms.Batch(eps: 1e-5));
        Init.TorchvisionDefault(head);
        return new BackboneHeadModel("deeplabv3plus_xception65_tf", numClasses, backbone, head, alignCorners: true, headKey: "head")
        {
            Normalization = InputNormalization.TfDeepLab,
        };
    }
}
