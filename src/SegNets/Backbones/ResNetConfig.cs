namespace SegNets.Backbones;

/// <summary>
/// One member of the ResNetV1b family as GluonCV defines it (gluoncv/model_zoo/resnetv1b.py). All have the stride on
/// the 3x3 conv (torchvision's resnet18..152 are v1b). v1c: deep stem 32-32-64; v1d: v1c + average-pool shortcut
/// downsampling; v1s: deep stem 64-64-128 (the backbone of GluonCV's segmentation models).
/// </summary>
/// <param name="Name">e.g. resnet50_v1s.</param>
/// <param name="Bottleneck">Bottleneck blocks (expansion 4) rather than basic blocks.</param>
/// <param name="Layers">Blocks per stage.</param>
/// <param name="DeepStem">Three 3x3 convs instead of one 7x7.</param>
/// <param name="StemWidth">Width of the deep stem's first two convs; the third has twice as many.</param>
/// <param name="AvgDown">Shortcut downsampling by average pooling then a stride-1 1x1 conv.</param>
public sealed record ResNetConfig(string Name, bool Bottleneck, int[] Layers, bool DeepStem = false, int StemWidth = 64, bool AvgDown = false)
{
    public int Expansion => Bottleneck ? 4 : 1;

    /// <summary>Channels after the stem.</summary>
    public int StemChannels => DeepStem ? 2 * StemWidth : 64;

    static readonly int[] Depth18 = [2, 2, 2, 2];
    static readonly int[] Depth34 = [3, 4, 6, 3];
    static readonly int[] Depth101 = [3, 4, 23, 3];
    static readonly int[] Depth152 = [3, 8, 36, 3];

    /// <summary>Every configuration by name: resnet{18,34,50,101,152}_v1b and resnet{50,101,152}_v1{c,d,s}.</summary>
    public static IReadOnlyDictionary<string, ResNetConfig> All { get; } = Build();

    static Dictionary<string, ResNetConfig> Build()
    {
        var all = new Dictionary<string, ResNetConfig>(StringComparer.Ordinal)
        {
            ["resnet18_v1b"] = new("resnet18_v1b", false, Depth18),
            ["resnet34_v1b"] = new("resnet34_v1b", false, Depth34),
        };
        foreach (var (depth, layers) in new[] { (50, Depth34), (101, Depth101), (152, Depth152) })
        {
            all[$"resnet{depth}_v1b"] = new($"resnet{depth}_v1b", true, layers);
            all[$"resnet{depth}_v1c"] = new($"resnet{depth}_v1c", true, layers, DeepStem: true, StemWidth: 32);
            all[$"resnet{depth}_v1d"] = new($"resnet{depth}_v1d", true, layers, DeepStem: true, StemWidth: 32, AvgDown: true);
            all[$"resnet{depth}_v1s"] = new($"resnet{depth}_v1s", true, layers, DeepStem: true, StemWidth: 64);
        }
        return all;
    }

    /// <summary>Looks a configuration up by name; torchvision's names (resnet50) mean the v1b variant.</summary>
    public static ResNetConfig Get(string name)
    {
        if (All.TryGetValue(name, out var config) || All.TryGetValue(name + "_v1b", out config)) return config;
        throw new ArgumentException($"'{name}' is not a ResNetV1b configuration; expected one of {string.Join(", ", All.Keys)}", nameof(name));
    }
}
