using SegNets.Backbones;
using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// The Mix Transformer (MiT) encoder of SegFormer with Hugging Face's module layout (HF SegformerEncoder,
/// huggingface/transformers@ba30cbf8 modeling_segformer.py; keys patch_embeddings.0.proj.weight,
/// block.0.0.attention.self.query.weight, layer_norm.0.weight). Four stages, each an overlapping patch embedding,
/// <c>Depths[i]</c> transformer layers and a LayerNorm, returned as NCHW maps: c2..c5 at strides 4, 8, 16, 32 (for odd
/// sizes each stage is ceil(previous / stride)). Usable as a <see cref="Backbone"/> for any head.
/// </summary>
/// <remarks>In SegFormer this module sits at <c>segformer.encoder</c>; as a backbone of another model it is
/// registered wherever that model puts it. Output stride is fixed at 32 (MiT has no dilated variant).</remarks>
public sealed class MixVisionTransformer : Backbone
{
    // Field names are the checkpoint's state-dict keys.
#pragma warning disable IDE1006
    readonly ModuleList<OverlapPatchEmbedding> patch_embeddings;
    readonly ModuleList<ModuleList<MixTransformerLayer>> block;
    readonly ModuleList<LayerNorm> layer_norm;
#pragma warning restore IDE1006

    readonly FeatureInfo[] info;

    public MixVisionTransformer(MixTransformerConfig config, int inChannels = 3) : base(config.Name)
    {
        config.Validate();
        Config = config;
        patch_embeddings = new ModuleList<OverlapPatchEmbedding>();
        block = new ModuleList<ModuleList<MixTransformerLayer>>();
        layer_norm = new ModuleList<LayerNorm>();
        int totalLayers = config.Depths.Sum(), layerIndex = 0;
        int stride = 1;
        var features = new List<FeatureInfo>();
        for (int i = 0; i < 4; i++)
        {
            int width = config.HiddenSizes[i];
            patch_embeddings.Add(new OverlapPatchEmbedding(i == 0 ? inChannels : config.HiddenSizes[i - 1], width, config.PatchSizes[i], config.Strides[i]));
            var layers = new ModuleList<MixTransformerLayer>();
            for (int j = 0; j < config.Depths[i]; j++, layerIndex++)
            {
                // HF: torch.linspace(0, drop_path_rate, sum(depths)), one value per layer in order.
                double dropPath = totalLayers == 1 ? 0 : config.DropPathRate * layerIndex / (totalLayers - 1);
                layers.Add(new MixTransformerLayer(width, config.NumAttentionHeads[i], config.SrRatios[i], config.MlpRatio, dropPath));
            }
            block.Add(layers);
            layer_norm.Add(nn.LayerNorm(width));
            stride *= config.Strides[i];
            features.Add(new FeatureInfo($"c{i + 2}", width, stride));
        }
        info = [.. features];
        RegisterComponents();
        HuggingFaceInit.HuggingFace(this);
    }

    public MixTransformerConfig Config { get; }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride => info[^1].Stride;

    /// <summary>The four stage outputs c2..c5 (N, C_i, h_i, w_i), HF's encoder hidden_states.</summary>
    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != patch_embeddings[0].InChannels)
            throw new ArgumentException($"{Config.Name}: expected a batch (N, {patch_embeddings[0].InChannels}, H, W), got [{string.Join(", ", x.shape)}]", nameof(x));
        var result = new Dictionary<string, Tensor>();
        long n = x.shape[0];
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (tokens, h, w) = patch_embeddings[i].forward(x);
            foreach (var layer in block[i]) tokens = layer.forward(tokens, h, w);
            tokens = layer_norm[i].forward(tokens);
            x = tokens.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
            result[info[i].Name] = x;
        }
        return result;
    }
}
