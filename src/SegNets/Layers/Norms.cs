using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>The normalisation layers a backbone can be built with.</summary>
public static class Norms
{
    /// <summary>BatchNorm2d. PyTorch and MXNet Gluon use eps 1e-5 (Gluon's momentum 0.9 is PyTorch's 0.1);
    /// Chainer uses 2e-5, torchvision's MobileNetV3 1e-3.</summary>
    public static NormLayer Batch(double eps = 1e-5, double momentum = 0.1) =>
        channels => nn.BatchNorm2d(channels, eps: eps, momentum: momentum);

    /// <summary>BatchNorm with fixed statistics and affine terms (torchvision.ops.FrozenBatchNorm2d), for fine-tuning
    /// with small batches.</summary>
    public static NormLayer FrozenBatch(double eps = 1e-5) => channels => new FrozenBatchNorm2d(channels, eps);

    /// <summary>GroupNorm with <paramref name="groups"/> groups (32 in Wu and He's paper).</summary>
    public static NormLayer Group(long groups = 32, double eps = 1e-5) =>
        channels => channels % groups == 0
            ? nn.GroupNorm(groups, channels, eps)
            : throw new ArgumentException($"GroupNorm with {groups} groups cannot normalise {channels} channels (not divisible).", nameof(channels));
}
