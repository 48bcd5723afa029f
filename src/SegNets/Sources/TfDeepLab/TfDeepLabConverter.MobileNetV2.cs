using SegNets.Backbones;
using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// TF DeepLab checkpoints (tensorflow/models research/deeplab model zoo tarballs: model.ckpt.index + .data, read by
/// <see cref="Checkpoints.TensorFlowCheckpoint"/>) → SegNets' TF DeepLab models (<see cref="TfDeepLabModels"/>).
/// </summary>
public static partial class TfDeepLabConverter
{
    /// <summary>
    /// The table for DeepLabV3 MobileNetV2 (mobilenetv2_coco_voc_trainaug/trainval, mobilenetv2_coco_cityscapes_trainfine,
    /// mobilenetv2_dm05_coco_voc_*). SegNets' module names are TF's scopes, so the table only moves MobilenetV2/ under
    /// `backbone` and the DeepLab scopes (image_pooling, aspp0, concat_projection, logits) under `head`, renames the
    /// variables' last parts to PyTorch's, and writes '/' as '.'. Kernels become OIHW: conv [kh, kw, in, out] by
    /// <see cref="Transforms.HwioToOihw"/>, depthwise [kh, kw, in, 1] by <see cref="Transforms.DepthwiseHwimToOihw"/>.
    /// Dropped: global_step and the optimizer's and EMA's copies (`.../Momentum`, `.../ExponentialMovingAverage`).
    /// The same mapping, written in Python, is tools/reference/tf_deeplab_mobilenet.py's variable list; the parity
    /// tests hold every variable of such a bundle to it.
    /// </summary>
    public static CheckpointConverter MobileNetV2() => new("tfdeeplab-mobilenetv2", MobileNetV2Rules(),
    [
        new TensorTransform(@"\.depthwise\.weight$", "TF depthwise [kh,kw,in,mult]->OIHW", Transforms.DepthwiseHwimToOihw),
        new TensorTransform(@"\.(Conv|expand|project|image_pooling|aspp0|concat_projection|semantic)\.weight$", "TF HWIO->OIHW", Transforms.HwioToOihw),
    ])
    {
        Refuse = RefuseOtherThanMobileNetV2,
    };

    static IEnumerable<KeyRule> MobileNetV2Rules()
    {
        foreach (var rule in TrainingState) yield return rule; // shared with Xception65 (TfDeepLabConverter.cs)
        yield return new KeyRule("^MobilenetV2/", "backbone/");
        yield return new KeyRule("^(image_pooling|aspp0|concat_projection|logits)/", "head/$1/");
        // slim's variable names → torch.nn's (slim.conv2d weights/biases, separable_conv2d depthwise_weights, batch_norm)
        foreach (var (tf, torch) in new[]
                 {
                     ("weights", "weight"), ("depthwise_weights", "weight"), ("biases", "bias"), ("gamma", "weight"),
                     ("beta", "bias"), ("moving_mean", "running_mean"), ("moving_variance", "running_var"),
                 })
            yield return new KeyRule($"/{tf}$", $"/{torch}");
        yield return new KeyRule("/", ".");
    }

    /// <summary>Names the first variable that is neither part of the MobileNetV2 DeepLabV3 graph nor training state
    /// (an Xception checkpoint, a decoder or atrous ASPP branch this network does not have).</summary>
    static string? RefuseOtherThanMobileNetV2(IReadOnlyCollection<string> keys)
    {
        var known = new System.Text.RegularExpressions.Regex(
            @"^(MobilenetV2/(Conv|expanded_conv(_\d+)?)/|image_pooling/|aspp0/|concat_projection/|logits/semantic/)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        var training = TrainingState.Select(r => new System.Text.RegularExpressions.Regex(r.Pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant)).ToList();
        var foreign = keys.Where(k => !training.Any(t => t.IsMatch(k)) && !known.IsMatch(k)).Order(StringComparer.Ordinal).ToList();
        return foreign.Count == 0
            ? null
            : $"'{foreign[0]}'{(foreign.Count > 1 ? $" and {foreign.Count - 1} more variables" : "")} are not part of TF DeepLab's " +
              "DeepLabV3 MobileNetV2 (MobilenetV2/Conv, MobilenetV2/expanded_conv*, image_pooling, aspp0, concat_projection, " +
              "logits/semantic); the tfdeeplab-mobilenetv2 table converts the mobilenetv2_* checkpoints of TF DeepLab's model zoo only";
    }
}
