using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV DeepLabV3plus's head (chainercv links/model/deeplab/deeplab_v3_plus.py, DeepLabV3plus.forward): the
/// <see cref="SeparableAspp"/> (<c>aspp</c>) on the high-level feature (c5), then the <see cref="DeepLabV3PlusDecoder"/>
/// (<c>decoder</c>) with the low-level feature (c2). Returns logits at the low-level feature's size (output stride 4).
/// </summary>
public sealed class DeepLabV3PlusHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly SeparableAspp aspp;
    readonly DeepLabV3PlusDecoder decoder;
#pragma warning restore IDE1006

    /// <param name="numClasses">Output channels.</param>
    /// <param name="highChannels">Channels of c5 (2048).</param>
    /// <param name="lowChannels">Channels of c2 (256); ChainerCV's Decoder(256, ...) takes it equal to the ASPP width.</param>
    /// <param name="rates">The ASPP's three atrous rates.</param>
    /// <param name="norm">ASPP and decoder separable convs' norm (eps 1e-5 in the pretrained configs).</param>
    /// <param name="projectionNorm">The decoder's feature_proj norm; null for ChainerCV's eps 2e-5 (see <see cref="DeepLabV3PlusDecoder"/>).</param>
    public DeepLabV3PlusHead(int numClasses, long highChannels, long lowChannels, int[] rates, NormLayer norm, NormLayer? projectionNorm = null)
        : base(nameof(DeepLabV3PlusHead))
    {
        // deeplab_v3_plus.py DeepLabV3plusXception65: SeparableASPP(2048, 256), Decoder(256, n_class, 48, 256)
        if (lowChannels != 256) throw new ArgumentException($"ChainerCV's decoder takes a 256-channel low-level feature, got {lowChannels}", nameof(lowChannels));
        aspp = new SeparableAspp(highChannels, 256, rates, norm);
        decoder = new DeepLabV3PlusDecoder(256, numClasses, 48, 256, norm, projectionNorm);
        RegisterComponents();
    }

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        return decoder.forward(features["c2"], aspp.forward(features["c5"])).MoveToOuterDisposeScope();
    }
}
