using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV .npz keys (read by <see cref="Checkpoints.NumpyArchive.LoadNpz(string)"/>) → SegNets' ChainerCV models
/// (<see cref="ChainerCVModels"/>). Chainer keys are link paths joined by '/' rooted at the saved
/// link (chainer/chainer@a8e15cbe:chainer/serializers/npz.py `DictionarySerializer`; chainer/link.py
/// `Link.serialize`). SegNets' module names are ChainerCV's link names, so the table only spells '/' as '.', renames
/// the parameter names to PyTorch's, puts the heads under `head.`/`backbone.`, and re-numbers Xception65's blocks into
/// timm's layout, which SegNets' Xception65 shares with the other zoos. The same rule, written in Python, is
/// tools/reference/chainercv_segmentation.py `chainer_to_segnets()`; the tests hold the two to each other.
/// Layouts need no transform: Chainer's Convolution2D W is (out, in/groups, kh, kw) like PyTorch's.
/// </summary>
public static class ChainerCVConverter
{
    /// <summary>The conversion table for SegNetBasic, PSPNet (DilatedResNet-50/101) and DeepLabV3+ Xception65.</summary>
    public static CheckpointConverter Create() => new("chainercv", Rules());

    static IEnumerable<KeyRule> Rules()
    {
        // BatchNormalization's persistent batch counter `N` (chainer/links/normalization/batch_normalization.py
        // L206-242): a training statistic with no place in a PyTorch BN.
        yield return new KeyRule(@"(^|/)N$", null);
        yield return new KeyRule("/", ".");

        // chainer.links parameter and persistent names → torch.nn's.
        foreach (var (chainer, torch) in new[]
                 {
                     ("W", "weight"), ("b", "bias"), ("gamma", "weight"), ("beta", "bias"),
                     ("avg_mean", "running_mean"), ("avg_var", "running_var"),
                 })
            yield return new KeyRule($@"(^|\.){chainer}$", $"$1{torch}");

        // PSPNet (chainercv/experimental/links/model/pspnet/pspnet.py): extractor / ppm, head_conv1, head_conv2.
        // DeepLabV3+ (chainercv/links/model/deeplab/deeplab_v3_plus.py): feature_extractor / aspp, decoder.
        yield return new KeyRule(@"^extractor\.", "backbone.");
        yield return new KeyRule(@"^(ppm|head_conv1|head_conv2|aspp|decoder)\.", "head.$1.");

        // Xception65 (chainercv/links/model/deeplab/xception.py) → timm's layout: stem.{0,1}, blocks.0..20.
        // The block numbers are an offset per flow; one rule per block keeps the table pure data.
        foreach (var (flow, count, first) in new[] { ("entryflow_conv", 2, "stem."), ("entryflow_block", 3, "blocks."), ("middleflow_block", 16, "blocks."), ("exitflow_block", 2, "blocks.") })
        {
            int offset = flow switch { "entryflow_conv" or "entryflow_block" => -1, "middleflow_block" => 2, _ => 18 };
            for (int n = 1; n <= count; n++)
                yield return new KeyRule($@"^feature_extractor\.{flow}{n}\.", $"backbone.{first}{n + offset}.");
        }
        // XceptionBlock: separable{1,2,3} → stack.conv{1,2,3}; the 1x1 skip Conv2DBNActiv `conv` → shortcut.
        yield return new KeyRule(@"^(backbone\.blocks\.\d+\.)separable(\d)\.", "$1stack.conv$2.");
        yield return new KeyRule(@"^(backbone\.blocks\.\d+\.)conv\.", "$1shortcut.");
        // SeparableConv2DBNActiv's links inside the backbone (the ASPP and decoder keep ChainerCV's names).
        foreach (var (chainer, timm) in new[] { ("depthwise", "conv_dw"), ("dw_bn", "bn_dw"), ("pointwise", "conv_pw"), ("pw_bn", "bn_pw") })
            yield return new KeyRule($@"^(backbone\.blocks\.\d+\.stack\.conv\d\.){chainer}\.", $"$1{timm}.");
    }
}
