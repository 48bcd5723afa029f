using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.Encoding;

/// <summary>
/// EncNet's Context Encoding Module (zhanghang1989/PyTorch-Encoding@b05334f encoding/models/encnet.py EncModule):
/// 1x1 conv + BN + ReLU, <see cref="EncodingLayer"/> (32 codewords), BatchNorm1d over the codewords, ReLU, mean over the
/// codewords → a context vector e (B, C); the features are rescaled channel-wise, relu(x + x·sigmoid(fc(e))), and
/// `selayer` predicts from e which classes are present (the SE-loss branch, used in training only).
/// Field names are PyTorch-Encoding's state-dict keys (encoding.0/1/3/4, fc.0, selayer).
/// </summary>
public sealed class EncModule : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential encoding;
    readonly Sequential fc;
    readonly Linear? selayer;
#pragma warning restore IDE1006

    /// <param name="channels">Input and output channels (512 in EncHead).</param>
    /// <param name="numClasses">Outputs of the SE-loss classifier.</param>
    /// <param name="codes">Codewords (32 in EncHead).</param>
    /// <param name="seLoss">Whether the module has the `selayer` classifier (EncNet's default, and every release).</param>
    /// <param name="softmax">The Encoding layer's assignment axis (see <see cref="EncodingSoftmax"/>).</param>
    /// <param name="norm">2-D normalisation; BatchNorm (eps 1e-5) by default.</param>
    public EncModule(long channels, int numClasses, long codes = 32, bool seLoss = true, EncodingSoftmax softmax = EncodingSoftmax.OverCodewords,
        NormLayer? norm = null) : base(nameof(EncModule))
    {
        norm ??= Norms.Batch();
        encoding = nn.Sequential(
            ("0", nn.Conv2d(channels, channels, 1, bias: false)),
            ("1", norm(channels)),
            ("2", nn.ReLU()),
            ("3", new EncodingLayer(channels, codes, softmax)),
            // encoding.nn.BatchNorm1d(ncodes) (encoding/nn/syncbn.py): eps 1e-5, over dim 1 of (B, K, D), i.e. per codeword.
            ("4", nn.BatchNorm1d(codes)),
            ("5", nn.ReLU()),
            ("6", new MeanOver(1)));
        fc = nn.Sequential(("0", nn.Linear(channels, channels)), ("1", nn.Sigmoid()));
        if (seLoss) selayer = nn.Linear(channels, numClasses);
        RegisterComponents();
    }

    /// <summary>The re-weighted features relu(x + x·γ), same shape as the input.</summary>
    public override Tensor forward(Tensor x) => ForwardWithSe(x).Features;

    /// <summary>The re-weighted features and the SE-loss logits (B, classes) of `selayer` (null without one).</summary>
    public (Tensor Features, Tensor? SeLogits) ForwardWithSe(Tensor x)
    {
        var context = encoding.forward(x);
        var gamma = fc.forward(context).view(x.shape[0], x.shape[1], 1, 1);
        var features = nn.functional.relu(x + x * gamma);
        return (features, selayer?.forward(context));
    }
}
