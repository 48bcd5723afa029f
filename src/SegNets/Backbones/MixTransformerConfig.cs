namespace SegNets.Backbones;

/// <summary>
/// One Mix Transformer (MiT) size with its SegFormer decode-head width, as Hugging Face's SegformerConfig holds it.
/// </summary>
/// <remarks>
/// B0 is SegformerConfig's defaults (huggingface/transformers@1001bb00 configuration_segformer.py); B1..B5 change only
/// hidden sizes, depths and decoder_hidden_size (huggingface/transformers@03fed904
/// convert_segformer_original_to_pytorch.py, convert_segformer_checkpoint), the same sizes as NVlabs' mit_b0..mit_b5
/// (NVlabs/SegFormer@073b02d9 mmseg/models/backbones/mix_transformer.py). The hub configs of
/// nvidia/segformer-b0-finetuned-ade-512-512 and nvidia/segformer-b5-finetuned-ade-640-640 were not readable here;
/// configs of models fine-tuned from them (their _name_or_path) have these values.
/// </remarks>
/// <param name="Name">"mit_b0" ... "mit_b5".</param>
/// <param name="HiddenSizes">Channels of the four stages (hidden_sizes).</param>
/// <param name="Depths">Transformer layers per stage (depths).</param>
/// <param name="NumAttentionHeads">Heads per stage (num_attention_heads).</param>
/// <param name="SrRatios">Spatial reduction of keys and values per stage (sr_ratios).</param>
/// <param name="PatchSizes">Kernel of each overlapping patch embedding (patch_sizes); padding is half of it.</param>
/// <param name="Strides">Stride of each patch embedding (strides).</param>
/// <param name="MlpRatio">Mix-FFN hidden width over the stage width (mlp_ratios, 4 in every stage of every size).</param>
/// <param name="DecoderHiddenSize">Width of the all-MLP decode head (decoder_hidden_size): 256 for B0/B1, 768 for B2..B5.</param>
/// <param name="DropPathRate">Stochastic depth at the last layer, linear from 0 over all layers (drop_path_rate).</param>
/// <param name="ClassifierDropout">Dropout before the classifier (classifier_dropout_prob).</param>
public sealed record MixTransformerConfig(
    string Name, int[] HiddenSizes, int[] Depths, int[] NumAttentionHeads, int[] SrRatios, int[] PatchSizes, int[] Strides,
    int MlpRatio, int DecoderHiddenSize, double DropPathRate = 0.1, double ClassifierDropout = 0.1)
{
    static MixTransformerConfig Make(string name, int[] hidden, int[] depths, int decoder) =>
        new(name, hidden, depths, [1, 2, 5, 8], [8, 4, 2, 1], [7, 3, 3, 3], [4, 2, 2, 2], 4, decoder);

    public static MixTransformerConfig B0 { get; } = Make("mit_b0", [32, 64, 160, 256], [2, 2, 2, 2], 256);

    public static MixTransformerConfig B1 { get; } = Make("mit_b1", [64, 128, 320, 512], [2, 2, 2, 2], 256);

    public static MixTransformerConfig B2 { get; } = Make("mit_b2", [64, 128, 320, 512], [3, 4, 6, 3], 768);

    public static MixTransformerConfig B3 { get; } = Make("mit_b3", [64, 128, 320, 512], [3, 4, 18, 3], 768);

    public static MixTransformerConfig B4 { get; } = Make("mit_b4", [64, 128, 320, 512], [3, 8, 27, 3], 768);

    public static MixTransformerConfig B5 { get; } = Make("mit_b5", [64, 128, 320, 512], [3, 6, 40, 3], 768);

    public static IReadOnlyDictionary<string, MixTransformerConfig> All { get; } = new Dictionary<string, MixTransformerConfig>(StringComparer.Ordinal)
    {
        ["mit_b0"] = B0, ["mit_b1"] = B1, ["mit_b2"] = B2, ["mit_b3"] = B3, ["mit_b4"] = B4, ["mit_b5"] = B5,
    };

    public static MixTransformerConfig Get(string name) =>
        All.TryGetValue(name, out var config)
            ? config
            : throw new ArgumentException($"'{name}' is not a Mix Transformer size; expected one of {string.Join(", ", All.Keys)}", nameof(name));

    /// <summary>Throws, naming the config, when the per-stage lists are not four long or a width does not split into its heads.</summary>
    public void Validate()
    {
        foreach (var (list, what) in new[] { (HiddenSizes, "HiddenSizes"), (Depths, "Depths"), (NumAttentionHeads, "NumAttentionHeads"),
                     (SrRatios, "SrRatios"), (PatchSizes, "PatchSizes"), (Strides, "Strides") })
            if (list.Length != 4) throw new ArgumentException($"{Name}: {what} must have 4 entries (one per stage), got {list.Length}");
        for (int i = 0; i < 4; i++)
        {
            if (HiddenSizes[i] % NumAttentionHeads[i] != 0)
                throw new ArgumentException($"{Name}: stage {i} width {HiddenSizes[i]} is not a multiple of its {NumAttentionHeads[i]} heads");
            if (Depths[i] < 1 || SrRatios[i] < 1 || PatchSizes[i] < 1 || Strides[i] < 1)
                throw new ArgumentException($"{Name}: stage {i} needs depth, sr ratio, patch size and stride of at least 1");
        }
        if (MlpRatio < 1 || DecoderHiddenSize < 1) throw new ArgumentException($"{Name}: MlpRatio and DecoderHiddenSize must be at least 1");
    }
}
