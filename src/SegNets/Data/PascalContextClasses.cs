namespace SegNets.Data;

/// <summary>
/// The two label conventions in which Pascal Context is trained and reported. Both read the same annotations, where
/// 0 is background (every pixel outside the 59 frequent classes) and 1..59 are the classes; they differ in what
/// becomes of background, and numbers reported under one are not comparable with the other.
/// </summary>
/// <remarks>
/// zhanghang1989/PyTorch-Encoding@ac74841:encoding/datasets/pcontext.py (<c>NUM_CLASS = 59</c>, <c>_mask_transform</c>
/// subtracts 1, the loss ignores -1) and open-mmlab/mmsegmentation@a5acc11:mmseg/datasets/pascal_context.py
/// (<c>PascalContextDataset59</c> with <c>reduce_zero_label=True</c>, <c>PascalContextDataset</c> with 60 classes and
/// <c>reduce_zero_label=False</c>).
/// </remarks>
public enum PascalContextClasses
{
    /// <summary>
    /// 59 classes, background ignored (<see cref="Datasets.PascalContext"/>): stored 0 → 255 (ignored), k → class
    /// k-1. PyTorch-Encoding's Pascal Context tables (EncNet, ResNeSt) and mmsegmentation's "59" configs use this.
    /// The default.
    /// </summary>
    Classes59 = 59,

    /// <summary>
    /// 60 classes, background is class 0 (<see cref="Datasets.PascalContext60"/>): stored values are the classes.
    /// mmsegmentation's "60" numbers use this.
    /// </summary>
    Classes60 = 60,
}
