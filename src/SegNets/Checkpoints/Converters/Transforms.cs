using static TorchSharp.torch;

namespace SegNets.Checkpoints.Converters;

/// <summary>The layout changes the original frameworks' weights need to become PyTorch's.</summary>
public static class Transforms
{
    /// <summary>TF conv kernel [kh, kw, in, out] -> [out, in, kh, kw].</summary>
    public static Tensor HwioToOihw(Tensor w) => w.permute(3, 2, 0, 1).contiguous();

    /// <summary>TF depthwise kernel [kh, kw, in, multiplier] -> [in x multiplier, 1, kh, kw].</summary>
    public static Tensor DepthwiseHwimToOihw(Tensor w) =>
        w.permute(2, 3, 0, 1).reshape(w.shape[2] * w.shape[3], 1, w.shape[0], w.shape[1]).contiguous();

    /// <summary>Swaps the input channels of a first conv trained on BGR input so that it takes RGB.</summary>
    public static Tensor BgrToRgbInput(Tensor w) => w.flip(1).contiguous();

    /// <summary>Drops output 0 (e.g. TF DeepLab's ADE20K "other" logit that ChainerCV removes).</summary>
    public static Tensor DropFirstOutput(Tensor w) => w[1..].contiguous();
}
