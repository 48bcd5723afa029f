using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// Mix-FFN (HF SegformerMixFFN + SegformerDWConv, huggingface/transformers@ba30cbf8 modeling_segformer.py): dense1
/// (C -&gt; 4C), a 3x3 depthwise convolution (stride 1, padding 1, with bias) on the token grid, which gives MiT its
/// positional information, GELU (HF's "gelu": the exact erf form), dense2 (4C -&gt; C). Dropout is 0 in the released
/// configs and not modelled.
/// </summary>
public sealed class MixFfn : nn.Module<Tensor, long, long, Tensor>
{
    // Field names are the checkpoint's state-dict keys; HF wraps the depthwise conv in a module whose conv is also
    // called dwconv (mlp.dwconv.dwconv.weight), hence the one-entry Sequential.
#pragma warning disable IDE1006
    readonly Linear dense1, dense2;
    readonly Sequential dwconv;
#pragma warning restore IDE1006

    public MixFfn(long inFeatures, long hiddenFeatures) : base(nameof(MixFfn))
    {
        dense1 = nn.Linear(inFeatures, hiddenFeatures);
        dwconv = nn.Sequential(("dwconv", nn.Conv2d(hiddenFeatures, hiddenFeatures, 3, stride: 1, padding: 1, groups: hiddenFeatures)));
        dense2 = nn.Linear(hiddenFeatures, inFeatures);
        RegisterComponents();
    }

    /// <param name="x">Tokens (N, h*w, C).</param>
    /// <param name="height">Token grid height h.</param>
    /// <param name="width">Token grid width w.</param>
    public override Tensor forward(Tensor x, long height, long width)
    {
        using var scope = NewDisposeScope();
        var h = dense1.forward(x);
        long n = h.shape[0], c = h.shape[2];
        var grid = h.transpose(1, 2).reshape(n, c, height, width);
        h = dwconv.forward(grid).flatten(2).transpose(1, 2);
        return dense2.forward(nn.functional.gelu(h)).MoveToOuterDisposeScope();
    }
}
