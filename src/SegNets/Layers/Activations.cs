using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>Activation factories, for blocks that take the activation as a parameter (TI's MobileNetV2 uses ReLU
/// where torchvision's uses ReLU6).</summary>
public static class Activations
{
    public static nn.Module<Tensor, Tensor> ReLU() => nn.ReLU();

    public static nn.Module<Tensor, Tensor> ReLU6() => nn.ReLU6();

    public static nn.Module<Tensor, Tensor> Hardswish() => nn.Hardswish();
}
