using SegNets.Data;
using SegNets.Layers;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// The base of every semantic segmentation network: forward maps a normalised batch (N, 3, H, W) to logits at the same
/// size (<see cref="SegmentationOutput"/>); <see cref="Predict"/> takes raw RGB images and returns class maps.
/// </summary>
public abstract class SegmentationModel : nn.Module<Tensor, SegmentationOutput>
{
    protected SegmentationModel(string name, int numClasses) : base(name)
    {
        // Constructing a module before anything touches `torch` would skip TorchSharp's native loader.
        TorchBackend.EnsureLoaded();
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{name}: numClasses must be at least 1");
        NumClasses = numClasses;
    }

    /// <summary>Number of output channels of the main (and aux) logits.</summary>
    public int NumClasses { get; }

    /// <summary>How <see cref="Predict"/> normalises raw images; the zoo sets the one the weights were trained with.</summary>
    public InputNormalization Normalization { get; set; } = InputNormalization.ImageNet;

    /// <summary>
    /// Class index per pixel, (H, W) for one image (3, H, W) or (N, H, W) for a batch (N, 3, H, W) of RGB values 0..255
    /// (uint8 or float), on the model's device. Runs in eval mode without gradients; the model's mode is restored.
    /// </summary>
    public Tensor Predict(Tensor image)
    {
        using var scope = NewDisposeScope();
        return Logits(image).argmax(1).squeeze_batch(image).MoveToOuterDisposeScope();
    }

    /// <summary>Per-class softmax probabilities, (C, H, W) for one image or (N, C, H, W) for a batch.</summary>
    public Tensor PredictProbabilities(Tensor image)
    {
        using var scope = NewDisposeScope();
        return Logits(image).softmax(1).squeeze_batch(image).MoveToOuterDisposeScope();
    }

    /// <summary>The main logits of <c>forward</c>; models with an auxiliary head override it to skip that head.</summary>
    protected virtual Tensor ForwardMain(Tensor x) => forward(x).Main;

    /// <summary><see cref="ForwardMain"/> for the evaluator (SegNets.Evaluation), which tiles, pads and flips a
    /// normalised image itself and needs only the main logits of each piece.</summary>
    internal Tensor MainLogits(Tensor normalized) => ForwardMain(normalized);

    Tensor Logits(Tensor image)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            var x = Normalization.Apply(image);
            if (x.dim() == 3) x = x.unsqueeze(0);
            var device = parameters().FirstOrDefault()?.device;
            if (device is not null) x = x.to(device);
            return ForwardMain(x);
        }
        finally
        {
            train(wasTraining);
        }
    }
}

static class BatchExtensions
{
    /// <summary>Drops the batch dimension again when the caller passed one unbatched image.</summary>
    public static Tensor squeeze_batch(this Tensor result, Tensor input) => input.dim() == 3 ? result.squeeze(0) : result;
}
