using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.SegFormer;

/// <summary>
/// SegFormer (Xie et al. 2021) as Hugging Face transformers implements it (SegformerForSemanticSegmentation,
/// huggingface/transformers@ba30cbf8 src/transformers/models/segformer/modeling_segformer.py): a Mix Transformer
/// encoder (<see cref="MixVisionTransformer"/>, at <c>segformer.encoder</c>) and the all-MLP decode head
/// (<see cref="SegFormerDecodeHead"/>, at <c>decode_head</c>). The module names are HF's, so the state dict of an HF
/// checkpoint (e.g. nvidia/segformer-b0-finetuned-ade-512-512's pytorch_model.bin) loads strictly as it is.
/// </summary>
/// <remarks>
/// HF's forward returns logits at 1/4 of the input (<see cref="QuarterResolutionLogits"/>); its
/// post_process_semantic_segmentation, and its loss, resize them to the image bilinearly with align_corners=False.
/// SegNets' <c>forward</c> includes that resize so that, like every SegNets model, it returns logits at the input size.
/// To train with the usual backbone/head learning rates, set TrainingOptions.BackbonePrefix to <see cref="EncoderPrefix"/>.
/// </remarks>
public sealed class SegFormer : SegmentationModel
{
    /// <summary>State-dict prefix of the encoder's parameters.</summary>
    public const string EncoderPrefix = "segformer.encoder.";

    readonly MixVisionTransformer encoder;
    readonly SegFormerDecodeHead head;

    public SegFormer(MixTransformerConfig config, int numClasses) : base("SegFormer", numClasses)
    {
        Config = config;
        encoder = new MixVisionTransformer(config);
        head = new SegFormerDecodeHead(encoder.Features, config.DecoderHiddenSize, numClasses, config.ClassifierDropout);
        HuggingFaceInit.HuggingFace(head);
        // HF's SegformerModel (`segformer`) holds only the encoder: a one-entry dict gives segformer.encoder.* keys.
        register_module("segformer", nn.ModuleDict<nn.Module>(("encoder", encoder)));
        register_module("decode_head", head);
    }

    /// <summary>SegFormer-B0 (MiT-B0, decoder width 256): 3,752,694 parameters at 150 classes.</summary>
    public static SegFormer B0(int numClasses) => new(MixTransformerConfig.B0, numClasses);

    /// <summary>SegFormer-B1 (MiT-B1, decoder width 256).</summary>
    public static SegFormer B1(int numClasses) => new(MixTransformerConfig.B1, numClasses);

    /// <summary>SegFormer-B2 (MiT-B2, decoder width 768).</summary>
    public static SegFormer B2(int numClasses) => new(MixTransformerConfig.B2, numClasses);

    /// <summary>SegFormer-B3 (MiT-B3, decoder width 768).</summary>
    public static SegFormer B3(int numClasses) => new(MixTransformerConfig.B3, numClasses);

    /// <summary>SegFormer-B4 (MiT-B4, decoder width 768).</summary>
    public static SegFormer B4(int numClasses) => new(MixTransformerConfig.B4, numClasses);

    /// <summary>SegFormer-B5 (MiT-B5, decoder width 768): 84,708,694 parameters at 150 classes.</summary>
    public static SegFormer B5(int numClasses) => new(MixTransformerConfig.B5, numClasses);

    public MixTransformerConfig Config { get; }

    /// <summary>The MiT encoder (a <see cref="Backbones.Backbone"/>: stages c2..c5).</summary>
    public MixVisionTransformer Encoder => encoder;

    public SegFormerDecodeHead DecodeHead => head;

    /// <summary>Logits at the input's size: HF's logits resized bilinearly (align_corners=False).</summary>
    public override SegmentationOutput forward(Tensor x) => new(ForwardMain(x));

    protected override Tensor ForwardMain(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Models.Upsample.BilinearLike(QuarterResolutionLogits(x), x, alignCorners: false).MoveToOuterDisposeScope();
    }

    /// <summary>HF's <c>outputs.logits</c>: (N, classes, ceil(H/4), ceil(W/4)), before any resize.</summary>
    public Tensor QuarterResolutionLogits(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.forward(encoder.forward(x)).MoveToOuterDisposeScope();
    }
}
