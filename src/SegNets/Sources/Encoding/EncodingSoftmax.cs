namespace SegNets.Sources.Encoding;

/// <summary>
/// The axis over which <see cref="EncodingLayer"/> normalises its soft-assignment weights exp(s_k ||x_i - d_k||^2).
/// PyTorch-Encoding changed it between releases, and checkpoints only work with the axis they were trained with.
/// </summary>
public enum EncodingSoftmax
{
    /// <summary>
    /// Over the N = H·W positions, for each codeword: <c>F.softmax(scaledL2(...), dim=1)</c> on (B, N, K) in
    /// zhanghang1989/PyTorch-Encoding@b05334f encoding/nn/encoding.py, the version of the 2018 EncNet releases
    /// (encnet_resnet101_pcontext-6f7c3722, encnet_resnet50_ade-558e8904).
    /// </summary>
    OverPositions,

    /// <summary>
    /// Over the K codewords, for each position (the paper's soft assignment): <c>dim=2</c> from v0.5.0 (f891919) on.
    /// </summary>
    OverCodewords,
}
