using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// PSPNet's pyramid pooling as GluonCV's _PyramidPooling: adaptive average pools to 1, 2, 3 and 6 bins, each 1x1 conv -
/// BN - ReLU to a quarter of the channels, resized back (align_corners, MXNet's BilinearResize2D) and concatenated after
/// the input: [x, 1, 2, 3, 6]. Keys conv1..conv4.
/// </summary>
public sealed class PyramidPooling : nn.Module<Tensor, Tensor>
{
    static readonly long[] Bins = [1, 2, 3, 6];

#pragma warning disable IDE1006 // state-dict names
    readonly Sequential conv1;
    readonly Sequential conv2;
    readonly Sequential conv3;
    readonly Sequential conv4;
#pragma warning restore IDE1006

    public PyramidPooling(long inChannels, NormLayer norm) : base(nameof(PyramidPooling))
    {
        long outChannels = inChannels / 4;
        conv1 = ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU);
        conv2 = ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU);
        conv3 = ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU);
        conv4 = ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { x };
        Sequential[] convs = [conv1, conv2, conv3, conv4];
        for (int i = 0; i < Bins.Length; i++)
        {
            var pooled = convs[i].forward(nn.functional.adaptive_avg_pool2d(x, Bins[i]));
            parts.Add(Upsample.BilinearLike(pooled, x, alignCorners: true));
        }
        return cat(parts, 1).MoveToOuterDisposeScope();
    }
}
