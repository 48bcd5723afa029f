using SegNets.Layers;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// What a segmentation model's forward returns: the main logits (N, classes, H, W) at the input's size and, for models
/// trained with an auxiliary head (GluonCV's auxlayer, torchvision's aux_classifier), that head's logits at the same size.
/// </summary>
public sealed record SegmentationOutput(Tensor Main, Tensor? Aux = null);
