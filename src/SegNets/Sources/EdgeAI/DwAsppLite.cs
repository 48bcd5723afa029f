using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// TI's DWASPPLiteBlock (edgeai-torchvision@26a11a4d xnn/layers/rf_blocks.py, avg_pool=False, linear_dw=False): a 1x1
/// branch and three depthwise-separable 3x3 branches dilated 6/12/18 (both halves norm + activation), concatenated
/// [1x1, d6, d12, d18], Dropout2d(0.2), then aspp_out 1x1 + norm + activation. No image-pooling branch.
/// </summary>
public sealed class DwAsppLite : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential conv1x1;
    readonly Sequential aspp_bra1;
    readonly Sequential aspp_bra2;
    readonly Sequential aspp_bra3;
    readonly Dropout2d dropout;
    readonly Sequential aspp_out;
#pragma warning restore IDE1006

    public DwAsppLite(long inChannels, LiteDecoderSettings settings) : base(nameof(DwAsppLite))
    {
        var (norm, act, aspp) = (settings.Norm, settings.Activation, settings.AsppChannels);
        conv1x1 = ConvDwSepNormAct.Conv(inChannels, aspp, 1, norm, act);
        Sequential Branch(int dilation) =>
            ConvDwSepNormAct.Create(inChannels, aspp, 3, settings.GroupSizeDw, norm, act, norm, act, dilation);
        aspp_bra1 = Branch(settings.AsppDilations[0]);
        aspp_bra2 = Branch(settings.AsppDilations[1]);
        aspp_bra3 = Branch(settings.AsppDilations[2]);
        dropout = nn.Dropout2d(0.2);
        aspp_out = ConvDwSepNormAct.Conv(4 * aspp, settings.DecoderChannels, 1, norm, act);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var cat = torch.cat([conv1x1.forward(x), aspp_bra1.forward(x), aspp_bra2.forward(x), aspp_bra3.forward(x)], 1);
        return aspp_out.forward(dropout.forward(cat)).MoveToOuterDisposeScope();
    }
}
