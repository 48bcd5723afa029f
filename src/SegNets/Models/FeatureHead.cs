using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Models;

/// <summary>
/// A head that reads one backbone stage and runs a body on it (FCN, PSP and DeepLabV3 heads). Its state-dict keys are
/// the body's own keys (torchvision's classifier.0.weight) or, given a key, nested under it (GluonCV's head.block.0.weight).
/// </summary>
public sealed class FeatureHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
    readonly nn.Module<Tensor, Tensor> body;

    /// <param name="feature">The backbone stage the head reads (c4, c5 ...).</param>
    /// <param name="body">The head itself.</param>
    /// <param name="key">Register the body under this name; null registers the body's children directly.</param>
    public FeatureHead(string feature, nn.Module<Tensor, Tensor> body, string? key = null) : base(nameof(FeatureHead))
    {
        Feature = feature;
        this.body = body;
        if (key is not null) register_module(key, body);
        else foreach (var (name, child) in body.named_children()) register_module(name, child);
    }

    public string Feature { get; }

    // TorchSharp registers a module's fields when the module is registered in a parent; the body is registered above
    // (flattened or under its key) and must not appear a second time under its field name.
    protected override void RegisterComponents() { }

    public override Tensor forward(Dictionary<string, Tensor> features) =>
        features.TryGetValue(Feature, out var x)
            ? body.forward(x)
            : throw new ArgumentException($"the head reads backbone stage '{Feature}', which the backbone does not return (it returns {string.Join(", ", features.Keys)})");
}
