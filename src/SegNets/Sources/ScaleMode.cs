using SegNets.Data.Transforms;

namespace SegNets.Sources;

/// <summary>What a training stage's random scale range multiplies.</summary>
public enum ScaleMode
{
    /// <summary>GluonCV: the long side becomes s x BaseSize.</summary>
    LongSide,

    /// <summary>torchvision: the short side becomes s x BaseSize.</summary>
    ShortSide,

    /// <summary>TF DeepLab, ChainerCV, mmsegmentation: both sides of the image x s.</summary>
    Image,

    /// <summary>TI edgeai: the image is resized to ResizeHeight x ResizeWidth first, then each side x its own s.</summary>
    Resize,

    /// <summary>No random scaling.</summary>
    None,
}
