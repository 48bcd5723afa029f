using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// MiT's overlapping patch embedding (HF SegformerOverlapPatchEmbeddings, huggingface/transformers@ba30cbf8
/// modeling_segformer.py): a convolution with kernel k, stride s and padding k / 2 (7/4/3 before stage 1, 3/2/1 before
/// the others), flattened to tokens (N, h*w, C), then LayerNorm. Returns the tokens and the grid (h, w).
/// </summary>
/// <remarks>HF builds this LayerNorm, like every LayerNorm of the model, with PyTorch's default eps 1e-5
/// (config.layer_norm_eps = 1e-6 is never passed to a layer), so SegNets does too.</remarks>
public sealed class OverlapPatchEmbedding : nn.Module<Tensor, (Tensor Tokens, long Height, long Width)>
{
    // Field names are the checkpoint's state-dict keys.
#pragma warning disable IDE1006
    readonly Conv2d proj;
    readonly LayerNorm layer_norm;
#pragma warning restore IDE1006

    public OverlapPatchEmbedding(long inChannels, long outChannels, int patchSize, int stride) : base(nameof(OverlapPatchEmbedding))
    {
        InChannels = inChannels;
        proj = nn.Conv2d(inChannels, outChannels, patchSize, stride: stride, padding: patchSize / 2);
        layer_norm = nn.LayerNorm(outChannels);
        RegisterComponents();
    }

    /// <summary>Channels of the input map.</summary>
    public long InChannels { get; }

    public override (Tensor Tokens, long Height, long Width) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = proj.forward(x);
        long h = y.shape[2], w = y.shape[3];
        return (layer_norm.forward(y.flatten(2).transpose(1, 2)).MoveToOuterDisposeScope(), h, w);
    }
}
