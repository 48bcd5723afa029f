using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models.Compact;

/// <summary>The encoder of <see cref="TinyUNet"/>: features at strides 2, 4 and 8.</summary>
public sealed class TinyUNetEncoder : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict keys.
    readonly nn.Module<Tensor, Tensor> stage1, stage2, stage3;

    public TinyUNetEncoder(int width) : base(nameof(TinyUNetEncoder))
    {
        var norm = Norms.Batch();
        stage1 = nn.Sequential(new ConvBnAct(3, width, 3, norm, stride: 2), new ConvBnAct(width, width, 3, norm));
        stage2 = nn.Sequential(new ConvBnAct(width, 2 * width, 3, norm, stride: 2), new ConvBnAct(2 * width, 2 * width, 3, norm));
        stage3 = nn.Sequential(
            new ConvBnAct(2 * width, 4 * width, 3, norm, stride: 2), new ConvBnAct(4 * width, 4 * width, 3, norm),
            new ConvBnAct(4 * width, 4 * width, 3, norm, dilation: 2), new ConvBnAct(4 * width, 4 * width, 3, norm, dilation: 4));
        RegisterComponents();
    }

    /// <summary>The stride-8 features.</summary>
    public override Tensor forward(Tensor x) => stage3.forward(stage2.forward(stage1.forward(x)));

    /// <summary>Features at strides 2, 4 and 8.</summary>
    public (Tensor S2, Tensor S4, Tensor S8) Stages(Tensor x)
    {
        var s2 = stage1.forward(x);
        var s4 = stage2.forward(s2);
        return (s2, s4, stage3.forward(s4));
    }
}
