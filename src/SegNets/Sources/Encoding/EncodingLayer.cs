using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.Encoding;

/// <summary>
/// The Encoding layer of Deep TEN / EncNet (Zhang et al.): K learnable codewords d_k and smoothing factors s_k; each of
/// the N = H·W input features x_i is softly assigned to the codewords with a_ik = softmax(s_k ||x_i - d_k||^2) and the
/// output is the assigned residuals e_k = Σ_i a_ik (x_i - d_k), shape (B, K, D).
/// Parameter names `codewords` (K, D) and `scale` (K) are PyTorch-Encoding's state-dict keys
/// (zhanghang1989/PyTorch-Encoding@b05334f encoding/nn/encoding.py Encoding).
/// </summary>
/// <remarks>
/// The original computes both steps in CUDA kernels (encoding/lib/gpu/encoding_kernel.cu: ScaledL2_Forward_kernel
/// SL[b][i][k] = S[k]·Σ_d (X[b][i][d] - C[k][d])², Aggregate_Forward_kernel E[b][k][d] = Σ_i A[b][i][k]·(X[b][i][d] -
/// C[k][d])). Here they are the same sums written with matrix products, so that no (B, N, K, D) tensor is formed
/// (a 608² crop has N = 5776): ||x - d||² = ||x||² - 2 x·d + ||d||² and E = AᵀX - (Σ_i A_ik) d_k.
/// </remarks>
public sealed class EncodingLayer : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly Parameter codewords;
    readonly Parameter scale;
#pragma warning restore IDE1006

    /// <param name="channels">D, the feature channels.</param>
    /// <param name="codes">K, the number of codewords.</param>
    /// <param name="softmax">The assignment's normalisation axis; see <see cref="EncodingSoftmax"/>.</param>
    public EncodingLayer(long channels, long codes, EncodingSoftmax softmax = EncodingSoftmax.OverCodewords) : base(nameof(EncodingLayer))
    {
        Channels = channels;
        Codes = codes;
        Softmax = softmax;
        // encoding.py reset_params: codewords U(-1/sqrt(K·D), 1/sqrt(K·D)), scale U(-1, 0).
        double bound = 1.0 / Math.Sqrt(codes * channels);
        codewords = new Parameter(empty(codes, channels).uniform_(-bound, bound));
        scale = new Parameter(empty(codes).uniform_(-1, 0));
        RegisterComponents();
    }

    public long Channels { get; }

    public long Codes { get; }

    public EncodingSoftmax Softmax { get; }

    /// <summary>Features (B, D, H, W) or (B, D, N) → encoded residuals (B, K, D).</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() is not (3 or 4) || input.shape[1] != Channels)
            throw new ArgumentException($"Encoding layer: expected (B, {Channels}, H, W) or (B, {Channels}, N), got ({string.Join(", ", input.shape)})");
        using var scope = NewDisposeScope();
        var x = input.flatten(2).transpose(1, 2);                                          // (B, N, D)
        var distance = x.pow(2).sum(2, keepdim: true) - 2 * matmul(x, codewords.t())
            + codewords.pow(2).sum(1).view(1, 1, -1);                                      // (B, N, K)
        var assignment = (distance * scale.view(1, 1, -1)).softmax(Softmax == EncodingSoftmax.OverPositions ? 1 : 2);
        var encoded = matmul(assignment.transpose(1, 2), x)
            - assignment.sum(1).unsqueeze(2) * codewords.unsqueeze(0);                      // (B, K, D)
        return encoded.MoveToOuterDisposeScope();
    }
}
