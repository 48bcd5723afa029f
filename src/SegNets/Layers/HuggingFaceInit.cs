using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Layers;

/// <summary>Weight initialisation of Hugging Face transformers models (SegFormer) for training from scratch.</summary>
static class HuggingFaceInit
{
    /// <summary>
    /// HF SegformerPreTrainedModel._init_weights (huggingface/transformers@ba30cbf8 modeling_segformer.py): Linear and
    /// Conv2d weights N(0, 0.02) (config.initializer_range) with zero biases, LayerNorm at unit scale and zero shift;
    /// BatchNorm keeps PyTorch's defaults.
    /// </summary>
    public static void HuggingFace(nn.Module root, double std = 0.02)
    {
        using var _ = no_grad();
        foreach (var module in root.modules())
        {
            switch (module)
            {
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, std);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case Conv2d conv:
                    nn.init.normal_(conv.weight, 0, std);
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case LayerNorm norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }
}
