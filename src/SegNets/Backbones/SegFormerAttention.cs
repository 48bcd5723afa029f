using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// HF SegformerAttention (huggingface/transformers@ba30cbf8 modeling_segformer.py): the efficient self-attention
/// (<c>self</c>) followed by its output projection (<c>output.dense</c>, SegformerSelfOutput; its dropout is 0 in the
/// released configs).
/// </summary>
public sealed class SegFormerAttention : nn.Module<Tensor, long, long, Tensor>
{
    // Field names are the checkpoint's state-dict keys (attention.self.query.weight, attention.output.dense.weight).
#pragma warning disable IDE1006
    readonly EfficientSelfAttention @self;
    readonly Sequential output;
#pragma warning restore IDE1006

    public SegFormerAttention(long hiddenSize, long numHeads, int srRatio) : base(nameof(SegFormerAttention))
    {
        @self = new EfficientSelfAttention(hiddenSize, numHeads, srRatio);
        output = nn.Sequential(("dense", nn.Linear(hiddenSize, hiddenSize)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, long height, long width)
    {
        using var scope = NewDisposeScope();
        return output.forward(@self.forward(x, height, width)).MoveToOuterDisposeScope();
    }
}
