namespace SegNets.Training;

/// <summary>The optimizers of the original training scripts.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum and weight decay (coupled, as torch.optim.SGD and MXNet's sgd).</summary>
    Sgd,

    /// <summary>Adam with L2 weight decay added to the gradient (torch.optim.Adam's weight_decay).</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay (torch.optim.AdamW), as mmsegmentation trains SegFormer.</summary>
    AdamW,
}
