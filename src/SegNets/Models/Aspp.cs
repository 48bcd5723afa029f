using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// Atrous spatial pyramid pooling of DeepLabV3: a 1x1 branch, one 3x3 branch per rate, an image-pooling branch, all
/// conv - BN - ReLU without bias, concatenated in that order (pool last) and projected by 1x1 - BN - ReLU - Dropout(0.5).
/// torchvision (segmentation/deeplabv3.py ASPP) and GluonCV (deeplabv3.py _ASPP) compute the same thing; only the names
/// differ: torchvision `convs.N` with the pool's layers at convs.4.{1,2}, GluonCV `concurent.N` with convs at concurent.4.gap.{1,2}.
/// </summary>
public sealed class Aspp : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor>[] branches;
    readonly Sequential project;

    /// <param name="gluonNames">GluonCV's names (concurent, gap) instead of torchvision's (convs).</param>
    public Aspp(long inChannels, long[] rates, NormLayer norm, long outChannels = 256, bool gluonNames = false) : base(nameof(Aspp))
    {
        var list = new List<nn.Module<Tensor, Tensor>> { ConvNormAct.Create(inChannels, outChannels, 1, norm, Activations.ReLU) };
        foreach (var rate in rates) list.Add(ConvNormAct.Create(inChannels, outChannels, 3, norm, Activations.ReLU, dilation: rate));
        var pool = nn.Sequential(("0", nn.AdaptiveAvgPool2d(1)), ("1", nn.Conv2d(inChannels, outChannels, 1, bias: false)),
            ("2", norm(outChannels)), ("3", nn.ReLU()));
        list.Add(new ImagePooling(pool, gluonNames ? "gap" : null));
        branches = [.. list];
        register_module(gluonNames ? "concurent" : "convs", nn.ModuleList(branches));
        project = nn.Sequential(("0", nn.Conv2d(outChannels * branches.Length, outChannels, 1, bias: false)), ("1", norm(outChannels)),
            ("2", nn.ReLU()), ("3", nn.Dropout(0.5)));
        register_module("project", project);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return project.forward(cat(branches.Select(b => b.forward(x)).ToList(), 1)).MoveToOuterDisposeScope();
    }
}
