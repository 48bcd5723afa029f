using SegNets.Data;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models.Compact;

/// <summary>
/// SegNets' own small encoder-decoder for CPU training from scratch (the quickstart, tests, tiny custom datasets): not
/// a model of any zoo, so it has no published weights. Three stride-2 stages of 3x3 conv-BN-ReLU pairs (width w, 2w,
/// 4w; the last stage adds dilation 2 and 4 for context at output stride 8), then two U-Net style decoder steps that
/// upsample bilinearly and fuse the skip connection by concatenation, a 1x1 classifier at stride 2 and a bilinear
/// resize to the input size. About 0.5 M parameters at w = 32.
/// </summary>
/// <remarks>The encoder is registered as <c>backbone</c> and the rest as <c>decoder</c>/<c>classifier</c>, so the
/// Trainer's backbone/head learning rates and freezing apply as for the zoo models.</remarks>
public sealed class TinyUNet : SegmentationModel
{
    // Field names are the state-dict keys.
    readonly TinyUNetEncoder backbone;
    readonly nn.Module<Tensor, Tensor> decoder2, decoder1;
    readonly nn.Module<Tensor, Tensor> classifier;

    public TinyUNet(int numClasses, int width = 32) : base("TinyUNet", numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 4);
        Width = width;
        backbone = new TinyUNetEncoder(width);
        decoder2 = new ConvBnAct(6 * width, 2 * width, 3, Norms.Batch());
        decoder1 = new ConvBnAct(3 * width, width, 3, Norms.Batch());
        classifier = nn.Conv2d(width, numClasses, 1);
        RegisterComponents();
        Normalization = InputNormalization.ImageNet;
    }

    /// <summary>Channels of the first stage.</summary>
    public int Width { get; }

    public override SegmentationOutput forward(Tensor x) => new(ForwardMain(x), null);

    protected override Tensor ForwardMain(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (s2, s4, s8) = backbone.Stages(x);
        var d4 = decoder2.forward(cat([Upsample.BilinearLike(s8, s4, false), s4], 1));
        var d2 = decoder1.forward(cat([Upsample.BilinearLike(d4, s2, false), s2], 1));
        return Upsample.BilinearLike(classifier.forward(d2), x, false).MoveToOuterDisposeScope();
    }
}
