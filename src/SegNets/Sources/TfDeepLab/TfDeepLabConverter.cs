using SegNets.Backbones;
using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// TF DeepLab model-zoo checkpoints (TF V2 bundles read by <see cref="Checkpoints.TensorFlowCheckpoint"/>) → SegNets' TF DeepLab
/// models (<see cref="TfDeepLabModels"/>). Variable names are slim's scopes: a conv's
/// <c>&lt;scope&gt;/weights</c> (HWIO) with <c>&lt;scope&gt;/BatchNorm/{gamma,beta,moving_mean,moving_variance}</c>
/// (no biases under a normalizer), a split separable conv's <c>&lt;scope&gt;_depthwise/depthwise_weights</c>
/// ([kh, kw, in, 1]) and <c>&lt;scope&gt;_pointwise/weights</c>, each with its BatchNorm; only the logits carry
/// <c>biases</c>. A training checkpoint also holds <c>global_step</c> and the optimizer's slots, which are dropped.
/// </summary>
public static partial class TfDeepLabConverter
{
    /// <summary>Training state with no place in the network: the step counter, MomentumOptimizer's per-variable slots
    /// (train.py), moving averages of variables.</summary>
    static readonly KeyRule[] TrainingState =
    [
        new(@"^global_step$", null),
        new(@"/Momentum(_\d+)?$", null),
        new(@"/ExponentialMovingAverage$", null),
    ];

    /// <summary>slim.batch_norm's variables → torch.nn.BatchNorm2d's (after the scope became a module path).</summary>
    static readonly KeyRule[] BatchNormNames =
    [
        new(@"\.gamma$", ".weight"),
        new(@"\.beta$", ".bias"),
        new(@"\.moving_mean$", ".running_mean"),
        new(@"\.moving_variance$", ".running_var"),
    ];

    /// <summary>
    /// The table for DeepLabV3+ Xception-65 (xception65_coco_voc_trainaug/trainval, xception65_cityscapes_trainfine,
    /// xception65_ade20k_train). Scopes (model.py @05ccaf88, core/xception.py @015d6ed6, core/feature_extractor.py
    /// @08eebbce; the same names ChainerCV's examples/deeplab/tf2npz.py @7159616 reads from the frozen graphs):
    /// <c>xception_65/entry_flow/conv1_{1,2}</c> → backbone.stem.{0,1};
    /// <c>xception_65/{entry_flow/block1..3, middle_flow/block1/unit_1..16, exit_flow/block1..2}/…/xception_module/</c>
    /// → backbone.blocks.0..20 (timm's layout), <c>separable_convN_{depthwise,pointwise}</c> → stack.convN.{conv_dw,
    /// bn_dw, conv_pw, bn_pw}, <c>shortcut</c> → shortcut.{conv,bn}; <c>image_pooling</c>, <c>aspp0</c>,
    /// <c>aspp1..3</c>, <c>concat_projection</c> → head.aspp.{image_pooling_conv, conv1x1, atrous1..3, proj};
    /// <c>decoder/feature_projection0</c>, <c>decoder/decoder_conv{0,1}</c> → head.decoder.{feature_proj, conv1,
    /// conv2}; <c>logits/semantic</c> → head.decoder.conv_logits.
    /// </summary>
    /// <param name="dropFirstClass">Drop logit 0: TF DeepLab's ADE20K model predicts 151 classes whose 0 is "other",
    /// the ignore label of its ADE20K data (datasets/data_generator.py: num_classes 151, ignore_label 0), so that
    /// channel is never trained. ChainerCV's converter drops it too (tf2npz.py `_eliminated_channels`), which makes the
    /// model ADE20K's 150 classes (SegNets' Datasets.Ade20k, the ChainerCV ADE entry's class count).</param>
    public static CheckpointConverter Xception65(bool dropFirstClass = false)
    {
        var transforms = new List<TensorTransform>
        {
            new(@"\.(conv_dw|depthwise)\.weight$", "depthwise [kh,kw,in,1]->[in,1,kh,kw]", Transforms.DepthwiseHwimToOihw),
            new(@"\.(conv|conv_pw|pointwise|conv_logits)\.weight$", "HWIO->OIHW", Transforms.HwioToOihw),
        };
        if (dropFirstClass)
            transforms.Add(new(@"^head\.decoder\.conv_logits\.(weight|bias)$", "drop logit 0 (ADE20K 'other')", Transforms.DropFirstOutput));
        return new CheckpointConverter(dropFirstClass ? "tfdeeplab-xception65-ade20k" : "tfdeeplab-xception65", Xception65Rules(), transforms);
    }

    static IEnumerable<KeyRule> Xception65Rules()
    {
        foreach (var rule in TrainingState) yield return rule;

        // Backbone scopes → module paths. One rule per block keeps the table data; the flows are numbered on.
        yield return new(@"^xception_65/entry_flow/conv1_1/", "backbone.stem.0/");
        yield return new(@"^xception_65/entry_flow/conv1_2/", "backbone.stem.1/");
        for (int n = 1; n <= 3; n++) yield return new($@"^xception_65/entry_flow/block{n}/unit_1/xception_module/", $"backbone.blocks.{n - 1}/");
        for (int n = 1; n <= 16; n++) yield return new($@"^xception_65/middle_flow/block1/unit_{n}/xception_module/", $"backbone.blocks.{n + 2}/");
        for (int n = 1; n <= 2; n++) yield return new($@"^xception_65/exit_flow/block{n}/unit_1/xception_module/", $"backbone.blocks.{n + 18}/");
        yield return new(@"^(backbone\.blocks\.\d+)/separable_conv(\d)_depthwise/depthwise_weights$", "$1.stack.conv$2.conv_dw.weight");
        yield return new(@"^(backbone\.blocks\.\d+)/separable_conv(\d)_depthwise/BatchNorm/", "$1.stack.conv$2.bn_dw.");
        yield return new(@"^(backbone\.blocks\.\d+)/separable_conv(\d)_pointwise/weights$", "$1.stack.conv$2.conv_pw.weight");
        yield return new(@"^(backbone\.blocks\.\d+)/separable_conv(\d)_pointwise/BatchNorm/", "$1.stack.conv$2.bn_pw.");
        yield return new(@"^(backbone\.blocks\.\d+)/shortcut/", "$1.shortcut/");

        // Head scopes → module paths (ChainerCV's names, which SegNets' DeepLabV3PlusHead keeps).
        yield return new(@"^image_pooling/", "head.aspp.image_pooling_conv/");
        yield return new(@"^aspp0/", "head.aspp.conv1x1/");
        yield return new(@"^aspp([123])_(depthwise|pointwise)/", "head.aspp.atrous$1_$2/");
        yield return new(@"^concat_projection/", "head.aspp.proj/");
        yield return new(@"^decoder/feature_projection0/", "head.decoder.feature_proj/");
        yield return new(@"^decoder/decoder_conv0_", "head.decoder.conv1_");
        yield return new(@"^decoder/decoder_conv1_", "head.decoder.conv2_");
        yield return new(@"^logits/semantic/weights$", "head.decoder.conv_logits.weight");
        yield return new(@"^logits/semantic/biases$", "head.decoder.conv_logits.bias");

        // Split separable convs of the head (ChainerCV's SeparableConv2DBNActiv names), before the plain convs.
        yield return new(@"^(head\.\w+\.\w+?)_depthwise/depthwise_weights$", "$1.depthwise.weight");
        yield return new(@"^(head\.\w+\.\w+?)_depthwise/BatchNorm/", "$1.dw_bn.");
        yield return new(@"^(head\.\w+\.\w+?)_pointwise/weights$", "$1.pointwise.weight");
        yield return new(@"^(head\.\w+\.\w+?)_pointwise/BatchNorm/", "$1.pw_bn.");

        // Conv + BN scopes (ConvBnAct: conv, bn): the stem, the shortcuts, image pooling, aspp0, projections.
        yield return new(@"^([\w.]+)/weights$", "$1.conv.weight");
        yield return new(@"^([\w.]+)/BatchNorm/", "$1.bn.");

        foreach (var rule in BatchNormNames) yield return rule;
    }
}
