using SegNets.Evaluation;

namespace SegNets.Sources;

/// <summary>How the original evaluated the model.</summary>
/// <param name="BaseSize">Short (GluonCV: long) side the image is resized to, if any.</param>
/// <param name="CropHeight">Crop / tile / network input height, if fixed.</param>
/// <param name="CropWidth">Crop / tile / network input width, if fixed.</param>
/// <param name="Description">The protocol in words (scales, flipping, tiling), citing the original.</param>
public sealed record EvaluationSetting(int? BaseSize, int? CropHeight, int? CropWidth, string Description)
{
    /// <summary>The <see cref="SegmentationEvaluator"/> options that reproduce the original's protocol, where SegNets
    /// implements it (the description says how close); null where it does not.</summary>
    public EvaluationOptions? Protocol { get; init; }
}
