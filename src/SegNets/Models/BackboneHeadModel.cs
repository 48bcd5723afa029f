using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// Backbone, head, optional auxiliary head, each output resized bilinearly to the input (torchvision's
/// _SimpleSegmentationModel, GluonCV's SegBaseModel): FCN, PSPNet, DeepLabV3, DeepLabV3+, LR-ASPP and the edgeai Lite
/// decoders are all this with a different head. The heads are registered under the original's names (torchvision:
/// classifier / aux_classifier, GluonCV: head / auxlayer), the backbone under `backbone`.
/// </summary>
public sealed class BackboneHeadModel : SegmentationModel
{
    readonly Backbone backbone;
    readonly nn.Module<Dictionary<string, Tensor>, Tensor> head;
    readonly nn.Module<Dictionary<string, Tensor>, Tensor>? auxHead;

    /// <param name="architecture">A short name for messages and <see cref="Architecture"/> (e.g. "deeplabv3").</param>
    /// <param name="alignCorners">How logits are resized to the input: true for GluonCV/ChainerCV (MXNet, Chainer
    /// resizes), false for torchvision and TI.</param>
    /// <param name="headKey">State-dict name of the head.</param>
    /// <param name="auxKey">State-dict name of the auxiliary head.</param>
    public BackboneHeadModel(string architecture, int numClasses, Backbone backbone, nn.Module<Dictionary<string, Tensor>, Tensor> head,
        bool alignCorners, string headKey, nn.Module<Dictionary<string, Tensor>, Tensor>? auxHead = null, string auxKey = "aux")
        : base(architecture, numClasses)
    {
        Architecture = architecture;
        AlignCorners = alignCorners;
        this.backbone = backbone;
        this.head = head;
        this.auxHead = auxHead;
        register_module("backbone", backbone);
        register_module(headKey, head);
        if (auxHead is not null) register_module(auxKey, auxHead);
        AuxKey = auxHead is null ? null : auxKey;
    }

    public string Architecture { get; }

    /// <summary>State-dict name of the auxiliary head (torchvision aux_classifier, GluonCV auxlayer); null without one.</summary>
    public string? AuxKey { get; }

    public bool AlignCorners { get; }

    public Backbone Backbone => backbone;

    public nn.Module<Dictionary<string, Tensor>, Tensor> Head => head;

    public nn.Module<Dictionary<string, Tensor>, Tensor>? AuxHead => auxHead;

    /// <summary>Main and (when the model has an auxiliary head) auxiliary logits at the input's size, in any mode, as
    /// torchvision and GluonCV return them.</summary>
    public override SegmentationOutput forward(Tensor x)
    {
        var features = backbone.forward(x);
        var main = Upsample.BilinearLike(head.forward(features), x, AlignCorners);
        var aux = auxHead is null ? null : Upsample.BilinearLike(auxHead.forward(features), x, AlignCorners);
        return new SegmentationOutput(main, aux);
    }

    /// <summary>The main logits only: prediction skips the auxiliary head.</summary>
    protected override Tensor ForwardMain(Tensor x) => Upsample.BilinearLike(head.forward(backbone.forward(x)), x, AlignCorners);
}
