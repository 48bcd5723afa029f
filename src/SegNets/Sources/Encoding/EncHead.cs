using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.Encoding;

/// <summary>
/// EncNet's head (zhanghang1989/PyTorch-Encoding@b05334f encoding/models/encnet.py EncHead): 3x3 conv 2048→512 + BN +
/// ReLU on the last stage; with `lateral` (the Pascal Context models) 1x1 conv + BN + ReLU branches from stages 2 and 3
/// (512 and 1024 channels) are concatenated and fused by a 3x3 conv; then <see cref="EncModule"/> and Dropout2d(0.1) +
/// 1x1 classifier (`conv6.1`). Field names are PyTorch-Encoding's state-dict keys. Reads SegNets' backbone stages c3,
/// c4, c5 (the original's c2, c3, c4: layer2..layer4).
/// </summary>
public sealed class EncHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential conv5;
    readonly ModuleList<Sequential>? connect;
    readonly Sequential? fusion;
    readonly EncModule encmodule;
    readonly Sequential conv6;
#pragma warning restore IDE1006

    /// <param name="inChannels">Channels of the last stage (2048 for ResNet-50/101).</param>
    /// <param name="numClasses">Output classes.</param>
    /// <param name="lateral">Fuse stages 2 and 3 (get_encnet sets it for pcontext only).</param>
    /// <param name="seLoss">Whether the EncModule has the SE-loss classifier.</param>
    /// <param name="softmax">The Encoding layer's assignment axis.</param>
    /// <param name="norm">2-D normalisation; BatchNorm (eps 1e-5) by default.</param>
    public EncHead(long inChannels, int numClasses, bool lateral, bool seLoss = true, EncodingSoftmax softmax = EncodingSoftmax.OverCodewords,
        NormLayer? norm = null) : base(nameof(EncHead))
    {
        norm ??= Norms.Batch();
        Lateral = lateral;
        conv5 = ConvNormRelu(inChannels, 512, 3, norm);
        if (lateral)
        {
            connect = new ModuleList<Sequential>(ConvNormRelu(512, 512, 1, norm), ConvNormRelu(1024, 512, 1, norm));
            fusion = ConvNormRelu(3 * 512, 512, 3, norm);
        }
        encmodule = new EncModule(512, numClasses, 32, seLoss, softmax, norm);
        conv6 = nn.Sequential(("0", nn.Dropout2d(0.1)), ("1", nn.Conv2d(512, numClasses, 1)));
        RegisterComponents();
    }

    public bool Lateral { get; }

    public EncModule Module => encmodule;

    /// <summary>Class logits at the backbone's output stride.</summary>
    public override Tensor forward(Dictionary<string, Tensor> features) => ForwardWithSe(features).Logits;

    /// <summary>Class logits and the SE-loss logits (B, classes) that EncNet trains with (null without `selayer`).</summary>
    public (Tensor Logits, Tensor? SeLogits) ForwardWithSe(Dictionary<string, Tensor> features)
    {
        var feat = conv5.forward(Stage(features, "c5"));
        if (connect is not null && fusion is not null)
        {
            var c2 = connect[0].forward(Stage(features, "c3"));
            var c3 = connect[1].forward(Stage(features, "c4"));
            feat = fusion.forward(cat([feat, c2, c3], 1));
        }
        var (encoded, se) = encmodule.ForwardWithSe(feat);
        return (conv6.forward(encoded), se);
    }

    static Tensor Stage(Dictionary<string, Tensor> features, string name) =>
        features.TryGetValue(name, out var x)
            ? x
            : throw new ArgumentException($"EncHead reads backbone stage '{name}', which the backbone does not return (it returns {string.Join(", ", features.Keys)})");

    static Sequential ConvNormRelu(long inChannels, long outChannels, long kernel, NormLayer norm) => nn.Sequential(
        ("0", nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false)), ("1", norm(outChannels)), ("2", nn.ReLU()));
}
