using SegNets.Layers;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The feature API every backbone implements: <c>forward</c> returns the named stages c1..c5 (strides 2, 4, 8, 16, 32
/// at output stride 32; with output stride 16 or 8 the last stages keep stride 16 or 8 through dilation), and
/// <see cref="Features"/> says what each one is. Heads depend only on this.
/// </summary>
public abstract class Backbone : nn.Module<Tensor, Dictionary<string, Tensor>>
{
    protected Backbone(string name) : base(name)
    {
        // Constructing a module before anything touches `torch` would skip TorchSharp's native loader.
        TorchBackend.EnsureLoaded();
    }

    /// <summary>The stages <c>forward</c> returns, in order.</summary>
    public abstract IReadOnlyList<FeatureInfo> Features { get; }

    /// <summary>Input size over the size of the last stage: 32, 16 or 8.</summary>
    public abstract int OutputStride { get; }

    /// <summary>
    /// Runs <paramref name="layers"/> in order up to the last tap and returns the outputs of the tapped layers under
    /// the names of <paramref name="stages"/> (for backbones that are one numbered Sequential, as torchvision's).
    /// </summary>
    protected static Dictionary<string, Tensor> ForwardTaps(TorchSharp.Modules.Sequential layers, int[] taps, IReadOnlyList<FeatureInfo> stages, Tensor x)
    {
        var result = new Dictionary<string, Tensor>();
        int next = 0;
        for (int i = 0; i <= taps[^1]; i++)
        {
            x = ((nn.Module<Tensor, Tensor>)layers[i]).forward(x);
            if (taps[next] == i) result[stages[next++].Name] = x;
        }
        return result;
    }

    /// <summary>
    /// The ImageNet head the classification backbones end with: global average pool (to <paramref name="poolSize"/>),
    /// flatten, <paramref name="classifier"/>. Throws, naming the backbone, when it was built with numClasses: 0.
    /// </summary>
    protected Tensor PoolAndClassify(nn.Module<Tensor, Tensor>? classifier, Tensor features, long poolSize = 1)
    {
        if (classifier is null) throw new InvalidOperationException($"{GetName()} was built with numClasses: 0 and has no classifier");
        using var scope = NewDisposeScope();
        return classifier.forward(nn.functional.adaptive_avg_pool2d(features, poolSize).flatten(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Checks that an output stride is one dilation can produce, naming the backbone if not.</summary>
    protected static void CheckOutputStride(string backbone, int outputStride)
    {
        if (outputStride is not (32 or 16 or 8))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, $"{backbone}: output stride must be 32, 16 or 8");
    }
}
