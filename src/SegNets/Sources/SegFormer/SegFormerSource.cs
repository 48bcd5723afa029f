using SegNets.Checkpoints.Converters;
using SegNets.Sources;

namespace SegNets.Sources.SegFormer;

/// <summary>SegFormer as Hugging Face transformers implements it (NVIDIA's checkpoints on the hub, listed in TI's
/// EdgeAI-HF-Transformers table); the hub's pytorch_model.bin keys are SegNets' own.</summary>
public sealed class SegFormerSource : ModelSource
{
    SegFormerSource() : base("segformer", "SegFormer (Hugging Face transformers)",
        "huggingface/transformers@ba30cbf8 models/segformer (Xie et al. 2021, SegFormer, NeurIPS)")
    {
    }

    public static SegFormerSource Instance { get; } = new();

    protected override IEnumerable<ZooEntry> BuildEntries() => SegFormerZoo.Entries();

    protected override IEnumerable<TrainingRecipe> BuildRecipes() => SegFormerRecipes.All();

    protected override IEnumerable<CheckpointConverter> BuildConverters() => [CheckpointConverter.Identity];
}
