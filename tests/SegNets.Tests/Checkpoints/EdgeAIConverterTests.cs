using FluentAssertions;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Sources.EdgeAI;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// The TI edgeai table against tools/reference/edgeai_lite.py's rename() (keys.txt: every TI key of the transcription
/// of TI's models and its SegNets key), and the mapped keys against SegNets' models.
/// </summary>
public class EdgeAIConverterTests
{
    [Theory]
    [InlineData("deeplabv3plus_mobilenetv2")]
    [InlineData("fpn_regnetx400mf")]
    [InlineData("unet_regnetx800mf")]
    [InlineData("fpn_regnetx3.2gf")] // the deepest stage: 15 blocks
    public void TheConverterIsTheReferenceRenameRuleAndFitsTheModel(string name)
    {
        var dir = PythonReference.Run("edgeai_lite.py", name);
        var converter = EdgeAIConverter.Create();
        var pairs = File.ReadAllLines(Path.Combine(dir, "keys.txt")).Select(l => l.Split(' ')).ToList();
        pairs.Should().NotBeEmpty();
        foreach (var p in pairs)
            converter.MapKey(p[0]).Should().Be(p[1], p[0]);

        using var scope = NewDisposeScope();
        var split = name.IndexOf('_', StringComparison.Ordinal);
        var (decoder, encoder) = (name[..split], name[(split + 1)..]);
        BackboneHeadModel net = decoder switch
        {
            "deeplabv3plus" => EdgeAIModels.DeepLabV3PlusLite(encoder, 5),
            "fpn" => EdgeAIModels.FpnLite(encoder, 5),
            _ => EdgeAIModels.UNetLite(encoder, 5),
        };
        static bool Counter(string k) => k.EndsWith("num_batches_tracked", StringComparison.Ordinal);
        pairs.Where(p => !Counter(p[0])).Select(p => converter.MapKey(p[0])).Should()
            .BeEquivalentTo(net.state_dict().Keys.Where(k => !Counter(k)));
    }
}
