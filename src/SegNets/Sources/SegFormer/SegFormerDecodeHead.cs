using SegNets.Backbones;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.SegFormer;

/// <summary>
/// SegFormer's all-MLP decode head (HF SegformerDecodeHead, huggingface/transformers@ba30cbf8 modeling_segformer.py):
/// each stage c2..c5 goes through its own linear layer to D channels (<c>linear_c.i.proj</c>, applied per token),
/// is resized bilinearly (align_corners=False) to c2's size (1/4 of the input), and the four maps are concatenated in
/// reverse stage order (c5, c4, c3, c2); then <c>linear_fuse</c> (1x1 conv, 4D -&gt; D, no bias), <c>batch_norm</c>,
/// ReLU, dropout (classifier_dropout_prob 0.1, training only) and the 1x1 <c>classifier</c>. Returns logits at 1/4 of
/// the input (HF's SemanticSegmenterOutput.logits).
/// </summary>
public sealed class SegFormerDecodeHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
    // Field names are the checkpoint's state-dict keys (linear_c.0.proj.weight: HF's SegformerMLP holds `proj`).
#pragma warning disable IDE1006
    readonly ModuleList<Sequential> linear_c;
    readonly Conv2d linear_fuse;
    readonly BatchNorm2d batch_norm;
    readonly Dropout dropout;
    readonly Conv2d classifier;
#pragma warning restore IDE1006

    readonly string[] stages;

    /// <param name="features">The encoder's stages, finest first (<see cref="MixVisionTransformer.Features"/>).</param>
    /// <param name="hiddenSize">Width D (decoder_hidden_size).</param>
    /// <param name="numClasses">Output classes.</param>
    /// <param name="dropout">Dropout before the classifier.</param>
    public SegFormerDecodeHead(IReadOnlyList<FeatureInfo> features, long hiddenSize, int numClasses, double dropout = 0.1) : base(nameof(SegFormerDecodeHead))
    {
        stages = [.. features.Select(f => f.Name)];
        linear_c = new ModuleList<Sequential>([.. features.Select(f => nn.Sequential(("proj", nn.Linear(f.Channels, hiddenSize))))]);
        linear_fuse = nn.Conv2d(hiddenSize * features.Count, hiddenSize, 1, bias: false);
        batch_norm = nn.BatchNorm2d(hiddenSize);
        this.dropout = nn.Dropout(dropout);
        classifier = nn.Conv2d(hiddenSize, numClasses, 1);
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        var first = features[stages[0]];
        long n = first.shape[0], height = first.shape[2], width = first.shape[3];
        var resized = new Tensor[stages.Length];
        for (int i = 0; i < stages.Length; i++)
        {
            var x = features[stages[i]];
            long h = x.shape[2], w = x.shape[3];
            var projected = linear_c[i].forward(x.flatten(2).transpose(1, 2)).permute(0, 2, 1).reshape(n, -1, h, w);
            // HF interpolates every stage, c2 onto its own size included (an identity there).
            resized[stages.Length - 1 - i] = Models.Upsample.Bilinear(projected, height, width, alignCorners: false);
        }
        var fused = nn.functional.relu(batch_norm.forward(linear_fuse.forward(cat(resized, 1))));
        return classifier.forward(dropout.forward(fused)).MoveToOuterDisposeScope();
    }
}
