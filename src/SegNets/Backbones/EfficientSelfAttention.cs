using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// SegFormer's efficient self-attention (HF SegformerEfficientSelfAttention, huggingface/transformers@ba30cbf8
/// modeling_segformer.py): queries from every token; keys and values from the tokens reduced by a convolution with
/// kernel = stride = sr (then LayerNorm) when sr &gt; 1, which cuts the key sequence by sr^2 (PVT's spatial reduction);
/// softmax(q k^T / sqrt(head size)) v over the heads, heads concatenated. Attention dropout is 0 in the released
/// configs and not modelled.
/// </summary>
public sealed class EfficientSelfAttention : nn.Module<Tensor, long, long, Tensor>
{
    // Field names are the checkpoint's state-dict keys.
#pragma warning disable IDE1006
    readonly Linear query, key, value;
    readonly Conv2d? sr;
    readonly LayerNorm? layer_norm;
#pragma warning restore IDE1006

    readonly long heads, headSize;

    public EfficientSelfAttention(long hiddenSize, long numHeads, int srRatio) : base(nameof(EfficientSelfAttention))
    {
        if (hiddenSize % numHeads != 0)
            throw new ArgumentException($"hidden size {hiddenSize} is not a multiple of the number of heads {numHeads}");
        heads = numHeads;
        headSize = hiddenSize / numHeads;
        query = nn.Linear(hiddenSize, hiddenSize);
        key = nn.Linear(hiddenSize, hiddenSize);
        value = nn.Linear(hiddenSize, hiddenSize);
        if (srRatio > 1)
        {
            sr = nn.Conv2d(hiddenSize, hiddenSize, srRatio, stride: srRatio);
            layer_norm = nn.LayerNorm(hiddenSize);
        }
        RegisterComponents();
    }

    /// <param name="x">Tokens (N, h*w, C).</param>
    /// <param name="height">Token grid height h.</param>
    /// <param name="width">Token grid width w.</param>
    public override Tensor forward(Tensor x, long height, long width)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], length = x.shape[1], c = x.shape[2];
        var q = SplitHeads(query.forward(x));
        var kv = x;
        if (sr is not null)
        {
            var grid = x.permute(0, 2, 1).reshape(n, c, height, width);
            kv = layer_norm!.forward(sr.forward(grid).reshape(n, c, -1).permute(0, 2, 1));
        }
        var k = SplitHeads(key.forward(kv));
        var v = SplitHeads(value.forward(kv));
        var scores = matmul(q, k.transpose(-1, -2)) / Math.Sqrt(headSize);
        var context = matmul(scores.softmax(-1), v);
        return context.permute(0, 2, 1, 3).contiguous().view(n, length, heads * headSize).MoveToOuterDisposeScope();
    }

    // (N, L, C) -> (N, heads, L, head size)
    Tensor SplitHeads(Tensor t) => t.view(t.shape[0], t.shape[1], heads, headSize).permute(0, 2, 1, 3);
}
