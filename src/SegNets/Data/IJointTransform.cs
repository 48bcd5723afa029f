namespace SegNets.Data;

/// <summary>
/// A transform applied to an image and its label map together (geometry identically to both; masks always resized
/// with nearest neighbour). The Random passed to Apply is the only source of randomness, so a seeded loader is
/// reproducible whatever thread runs the transform.
/// </summary>
public interface IJointTransform
{
    /// <summary>Returns the transformed sample; the input's tensors may be disposed by the caller afterwards.</summary>
    SegmentationSample Apply(SegmentationSample sample, Random random);
}
