using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// One MiT transformer layer (HF SegformerLayer, the original's Block; huggingface/transformers@ba30cbf8
/// modeling_segformer.py): x + attention(LayerNorm(x)), then x + MixFFN(LayerNorm(x)), each branch through stochastic
/// depth (drop path) while training; in eval mode drop path is the identity, as in HF.
/// </summary>
public sealed class MixTransformerLayer : nn.Module<Tensor, long, long, Tensor>
{
    // Field names are the checkpoint's state-dict keys.
#pragma warning disable IDE1006
    readonly LayerNorm layer_norm_1, layer_norm_2;
    readonly SegFormerAttention attention;
    readonly MixFfn mlp;
#pragma warning restore IDE1006

    /// <param name="hiddenSize">Channels C of the stage.</param>
    /// <param name="numHeads">Attention heads.</param>
    /// <param name="srRatio">Spatial reduction of keys and values.</param>
    /// <param name="mlpRatio">Mix-FFN hidden width over C.</param>
    /// <param name="dropPath">Probability of dropping each residual branch per sample while training.</param>
    public MixTransformerLayer(long hiddenSize, long numHeads, int srRatio, int mlpRatio, double dropPath) : base(nameof(MixTransformerLayer))
    {
        if (dropPath is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropPath), dropPath, "drop path must be in [0, 1)");
        DropPath = dropPath;
        layer_norm_1 = nn.LayerNorm(hiddenSize);
        attention = new SegFormerAttention(hiddenSize, numHeads, srRatio);
        layer_norm_2 = nn.LayerNorm(hiddenSize);
        mlp = new MixFfn(hiddenSize, hiddenSize * mlpRatio);
        RegisterComponents();
    }

    /// <summary>Drop-path probability of this layer (HF: linear from 0 to drop_path_rate over all layers).</summary>
    public double DropPath { get; }

    public override Tensor forward(Tensor x, long height, long width)
    {
        using var scope = NewDisposeScope();
        x = Drop(attention.forward(layer_norm_1.forward(x), height, width)) + x;
        x = Drop(mlp.forward(layer_norm_2.forward(x), height, width)) + x;
        return x.MoveToOuterDisposeScope();
    }

    // HF drop_path: keep each sample's branch with probability 1 - p and scale it by 1 / (1 - p).
    Tensor Drop(Tensor branch)
    {
        if (!training || DropPath == 0) return branch;
        double keep = 1 - DropPath;
        var mask = (rand([branch.shape[0], 1, 1], dtype: branch.dtype, device: branch.device) + keep).floor_();
        return branch.div(keep) * mask;
    }
}
