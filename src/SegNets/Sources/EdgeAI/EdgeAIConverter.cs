using SegNets.Checkpoints.Converters;

namespace SegNets.Sources.EdgeAI;

/// <summary>
/// TI edgeai "Lite" checkpoints (edgeai-torchvision pixel2pixel models: `encoder.features.*`, `decoders.0.*`) →
/// SegNets' <see cref="EdgeAIModels"/>. The decoder and MobileNetV2 keep TI's layout, so they only move;
/// TI's RegNetX uses pycls names (models/regnet.py: stem.conv/bn, sI.bJ.f.{a,b,c}[_bn], proj, bn) which SegNets'
/// RegNetX spells the torchvision way (trunk_output.blockI.blockI-(J-1).f.{a,b,c}.{0,1}, proj.{0,1}). The same rule,
/// written in Python, is tools/reference/edgeai_lite.py `rename()`; the tests hold the two to each other.
/// </summary>
public static class EdgeAIConverter
{
    /// <summary>pycls numbers blocks from 1 and torchvision from 0; RegNetX-3.2GF's deepest stage has 15 blocks.</summary>
    const int MaxBlocksPerStage = 32;

    /// <summary>The conversion table for DeepLabV3Plus-, FPN- and UNet-EdgeAILite on MobileNetV2 and RegNetX.</summary>
    public static CheckpointConverter Create() => new("edgeai", Rules());

    static IEnumerable<KeyRule> Rules()
    {
        yield return new KeyRule(@"^decoders\.0\.", "decoder.");
        yield return new KeyRule(@"^encoder\.features\.stem\.conv\.", "backbone.stem.0.");
        yield return new KeyRule(@"^encoder\.features\.stem\.bn\.", "backbone.stem.1.");
        // one rule per block number: J - 1 is data, not code
        for (int j = 1; j <= MaxBlocksPerStage; j++)
            yield return new KeyRule($@"^encoder\.features\.s(\d+)\.b{j}\.", $"backbone.trunk_output.block$1.block$1-{j - 1}.");
        const string Block = @"^(backbone\.trunk_output\.block\d+\.block\d+-\d+\.)";
        // f.a → f.a.0 before f.a_bn → f.a.1, so that the second's result is not rewritten by the first
        yield return new KeyRule(Block + @"f\.([abc])\.", "$1f.$2.0.");
        yield return new KeyRule(Block + @"f\.([abc])_bn\.", "$1f.$2.1.");
        yield return new KeyRule(Block + @"proj\.", "$1proj.0.");
        yield return new KeyRule(Block + @"bn\.", "$1proj.1.");
        // MobileNetV2: TI's features are torchvision's
        yield return new KeyRule(@"^encoder\.features\.", "backbone.features.");
    }
}
