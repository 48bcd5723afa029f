using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>Weight initialisation for training from scratch, as the original classification backbones do it.</summary>
public static class Init
{
    /// <summary>
    /// torchvision's backbone initialisation: Kaiming-normal convs (fan_out, ReLU gain) with zero biases, norms at unit
    /// scale and zero shift, and — when <paramref name="linearStd"/> is given — N(0, std) linear weights with zero bias
    /// (ResNet keeps PyTorch's default linear init). RegNet computes fan_out per group (<paramref name="fanOutPerGroup"/>).
    /// </summary>
    public static void TorchvisionDefault(nn.Module root, double? linearStd = null, bool fanOutPerGroup = false)
    {
        using var _ = no_grad();
        foreach (var module in root.modules())
        {
            switch (module)
            {
                case Conv2d conv when fanOutPerGroup:
                    long fanOut = conv.weight!.shape[0] * conv.weight.shape[2] * conv.weight.shape[3] / conv.groups;
                    nn.init.normal_(conv.weight, 0, Math.Sqrt(2.0 / fanOut));
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case BatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
                case GroupNorm gn:
                    nn.init.ones_(gn.weight);
                    nn.init.zeros_(gn.bias);
                    break;
                case Linear linear when linearStd is { } std:
                    nn.init.normal_(linear.weight, 0, std);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }
}
