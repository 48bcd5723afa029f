namespace SegNets.Training;

/// <summary>The learning-rate schedules of the original training scripts.</summary>
public enum ScheduleKind
{
    /// <summary>GluonCV / torchvision / ChainerCV PSPNet: base x (1 - t/T)^power.</summary>
    Poly,

    /// <summary>TI edgeai-torchvision's default for RegNetX and COCO/ADE runs: half a cosine from base to 0.</summary>
    Cosine,

    /// <summary>Multiply by gamma at each milestone epoch (TI's Cityscapes MobileNetV2 Adam runs).</summary>
    Step,

    /// <summary>The base rate throughout (ChainerCV SegNet).</summary>
    Constant,
}
