namespace SegNets.Training;

/// <summary>The number format of the forward and backward pass during training.</summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary>
    /// bfloat16 forward/backward with float32 master weights, BatchNorm and loss in float32 (see
    /// <see cref="MixedPrecision"/>). TorchSharp 0.107 has no autocast, so this casts explicitly. Meant for CUDA.
    /// </summary>
    BFloat16,
}
