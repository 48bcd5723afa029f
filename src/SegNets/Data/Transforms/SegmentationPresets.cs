using SegNets.Data;
using SegNets.Models;

namespace SegNets.Data.Transforms;

/// <summary>
/// The training and evaluation pipelines of GluonCV and torchvision, as <see cref="Compose"/> chains. With a
/// normalisation (e.g. <c>ModelZoo.Info(name).Normalization</c>) a <see cref="Normalize"/> step ends the chain;
/// without one the image stays uint8 0..255.
/// </summary>
public static class SegmentationPresets
{
    /// <summary>GluonCV <c>mode='train'</c>: <see cref="RandomScaleCropFlip"/> (defaults base 520, crop 480).</summary>
    public static Compose GluonCVTrain(int baseSize = 520, int cropSize = 480, InputNormalization? normalization = null) =>
        Chain(normalization, new RandomScaleCropFlip(baseSize, cropSize));

    /// <summary>
    /// GluonCV <c>mode='val'</c> (gluoncv/data/segbase.py <c>_val_sync_transform</c>): short side resized to the crop
    /// size (long side truncated), then the centred crop x crop window.
    /// </summary>
    public static Compose GluonCVVal(int cropSize = 480, InputNormalization? normalization = null) =>
        Chain(normalization, Resize.ToShortSide(cropSize), new CenterCrop(cropSize, cropSize));

    /// <summary>GluonCV <c>mode='testval'</c>: the image as it is (the evaluator resizes and tiles it).</summary>
    public static Compose GluonCVTestVal(InputNormalization? normalization = null) => Chain(normalization);

    /// <summary>
    /// torchvision references/segmentation/presets.py <c>SegmentationPresetTrain</c>: RandomResize(int(0.5 base),
    /// int(2 base)) on the short side, flip with <paramref name="hflipProbability"/>, RandomCrop(crop) padding the mask
    /// with 255. (torchvision's defaults: base 520, crop 480.)
    /// </summary>
    public static Compose TorchvisionTrain(int baseSize = 520, int cropSize = 480, double hflipProbability = 0.5, InputNormalization? normalization = null)
    {
        List<IJointTransform> steps = [new RandomResize((int)(0.5 * baseSize), (int)(2.0 * baseSize))];
        if (hflipProbability > 0)
            steps.Add(new HorizontalFlip(hflipProbability));
        steps.Add(new RandomCrop(cropSize, cropSize));
        return Chain(normalization, [.. steps]);
    }

    /// <summary>torchvision <c>SegmentationPresetEval</c>: short side resized to <paramref name="baseSize"/> (520), no crop.</summary>
    public static Compose TorchvisionEval(int baseSize = 520, InputNormalization? normalization = null) =>
        Chain(normalization, Resize.ToShortSide(baseSize));

    static Compose Chain(InputNormalization? normalization, params IJointTransform[] steps) =>
        new(normalization is null ? steps : [.. steps, new Normalize(normalization)]);
}
