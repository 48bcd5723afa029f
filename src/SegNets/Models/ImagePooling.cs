using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// The image-level branch of ASPP: a Sequential that starts with a global average pool, its 1x1 result spread back over
/// the feature map (bilinear from 1x1 is a broadcast in every framework, whatever align_corners says). torchvision's
/// ASPPPooling is the Sequential itself; GluonCV's _AsppPooling holds it as `gap`.
/// </summary>
public sealed class ImagePooling : nn.Module<Tensor, Tensor>
{
    readonly Sequential body;

    public ImagePooling(Sequential body, string? key = null) : base(nameof(ImagePooling))
    {
        this.body = body;
        if (key is not null) register_module(key, body);
        else foreach (var (name, child) in body.named_children()) register_module(name, child);
    }

    // TorchSharp registers a module's fields when the module is registered in a parent; the body is registered above
    // (flattened or under its key) and must not appear a second time under its field name.
    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor x)
    {
        using var pooled = body.forward(x);
        return pooled.expand(pooled.shape[0], pooled.shape[1], x.shape[^2], x.shape[^1]).contiguous();
    }
}
