using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Data;

/// <summary>
/// How a model wants its input: an RGB image with values 0..255 becomes <c>(x * Scale - Mean) / Std</c> per channel,
/// after reordering to BGR when <see cref="Bgr"/> is set (Mean and Std are then given in BGR order too).
/// </summary>
public sealed record InputNormalization(double Scale, double[] Mean, double[] Std, bool Bgr = false)
{
    /// <summary>torchvision, GluonCV: 0-1 RGB, ImageNet mean/std.</summary>
    public static InputNormalization ImageNet { get; } = new(1 / 255.0, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    /// <summary>ChainerCV PSPNet: 0-255 RGB minus the ImageNet mean in 0-255 units, no scaling.</summary>
    public static InputNormalization ChainerCVPspNet { get; } = new(1, [123.68, 116.779, 103.939], [1, 1, 1]);

    /// <summary>ChainerCV DeepLabV3+ (TF DeepLab's converted weights): x / 127.5 - 1.</summary>
    public static InputNormalization TfDeepLab { get; } = new(1 / 127.5, [1, 1, 1], [1, 1, 1]);

    /// <summary>ChainerCV SegNetBasic: raw 0-255 RGB (its first layer is a local response normalisation).</summary>
    public static InputNormalization Raw { get; } = new(1, [0, 0, 0], [1, 1, 1]);

    /// <summary>TI edgeai (train_pixel2pixel defaults): (x - 128) / 64 on 0-255 RGB.</summary>
    public static InputNormalization EdgeAI { get; } = new(1, [128, 128, 128], [64, 64, 64]);

    /// <summary>Normalises a (3, H, W) or (N, 3, H, W) RGB image with values 0..255 (any dtype) into float32.</summary>
    public Tensor Apply(Tensor image)
    {
        if (image.dim() is not (3 or 4) || image.shape[^3] != 3)
            throw new ArgumentException($"expected an RGB image (3, H, W) or a batch (N, 3, H, W), got shape [{string.Join(", ", image.shape)}]", nameof(image));
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Float32);
        if (Bgr) x = x.flip(-3);
        var mean = tensor(Mean, dtype: ScalarType.Float32, device: x.device).view(3, 1, 1);
        var std = tensor(Std, dtype: ScalarType.Float32, device: x.device).view(3, 1, 1);
        return ((x * Scale - mean) / std).MoveToOuterDisposeScope();
    }
}
