using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.GluonCV;

/// <summary>
/// GluonCV segmentation checkpoints (`.params` from the model store, read by <see cref="Checkpoints.MxNetParams"/>) onto SegNets'
/// GluonCV models (<c>Fcn.GluonCV</c>, <c>PspNet.GluonCV</c>, <c>DeepLabV3.GluonCV</c>, <c>DeepLabV3bPlus.GluonCV</c>).
/// Gluon's `save_parameters` names are structural (attribute path joined by '.', apache/mxnet@1.9.1
/// python/mxnet/gluon/block.py save_parameters L418-453), so SegNets' modules, whose fields carry GluonCV's attribute names, need only:
/// <list type="bullet">
/// <item>BatchNorm `gamma`/`beta` -> `weight`/`bias` (`running_mean`/`running_var` keep their names);</item>
/// <item>the backbone under `backbone.`: GluonCV's SegBaseModel copies the backbone's conv1, bn1, layer1..4 onto the
/// segmentation model (dmlc/gluon-cv@56777561 gluoncv/model_zoo/segbase.py L76-83) and DeepLabWV3Plus holds the
/// WideResNet's mod1..mod7 (deeplabv3b_plus.py), so their keys have no prefix; `head.*` and `auxlayer.*` stay;</item>
/// <item>ResNeSt's split-attention BN: GluonCV's SplitAttentionConv calls it `bn` (gluoncv/nn/splat.py), SegNets'
/// ResNeSt follows the original PyTorch ResNeSt (`bn0`), so `layerN.M.conv2.bn.` -> `conv2.bn0.`. A plain ResNet
/// block's conv2 is a convolution, never a container with `bn`, so the rule touches ResNeSt only.</item>
/// </list>
/// Files saved with the pre-1.3 `save_params` hold global names without dots (`resnetv1b_conv0_weight`) in creation
/// order; Gluon's loader maps those by the live network's global prefixes, which no rename table can recover, so
/// they are refused with an explanation.
/// </summary>
public static class GluonCVConverter
{
    public static CheckpointConverter Create() => new(
        "gluoncv",
        [
            new KeyRule(@"\.gamma$", ".weight"),
            new KeyRule(@"\.beta$", ".bias"),
            new KeyRule(@"^(conv1|bn1|layer[1-4]|mod[1-7])\.", "backbone.$1."),
            new KeyRule(@"^(backbone\.layer[1-4]\.\d+\.conv2)\.bn\.", "$1.bn0."),
        ])
    {
        // block.py@1.9.1 load_parameters L527: "if not any('.' in i for i in loaded.keys())" -> the legacy save_params format
        Refuse = keys => keys.Count > 0 && !keys.Any(k => k.Contains('.', StringComparison.Ordinal))
            ? $"holds names without dots (e.g. '{keys.First()}'): the pre-1.3 Gluon save_params format, whose names depend on the " +
              "MXNet network's global name counters and cannot be mapped by a table. Load it in MXNet/GluonCV " +
              "(net.load_parameters) and save it again with net.save_parameters, which writes structural names."
            : null,
    };
}
