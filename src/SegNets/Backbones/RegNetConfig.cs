namespace SegNets.Backbones;

/// <summary>
/// A RegNetX: four stages of residual bottlenecks (bottleneck ratio 1, grouped 3x3 of a fixed group width) after a
/// 32-channel stem. Widths and depths are the ones the originals generate from (w0, wa, wm, depth): torchvision
/// regnet.py BlockParams for the regnet_x_* names; pycls (TI edgeai's encoders) for regnetx_*mf/gf — they agree except
/// 400MF, whose last stage torchvision quantises to 400 channels and pycls to 384.
/// </summary>
public sealed record RegNetConfig(string Name, int[] Widths, int[] Depths, int GroupWidth)
{
    public static IReadOnlyDictionary<string, RegNetConfig> All { get; } = new Dictionary<string, RegNetConfig>(StringComparer.Ordinal)
    {
        ["regnet_x_400mf"] = new("regnet_x_400mf", [32, 64, 160, 400], [1, 2, 7, 12], 16),
        ["regnet_x_800mf"] = new("regnet_x_800mf", [64, 128, 288, 672], [1, 3, 7, 5], 16),
        ["regnet_x_1_6gf"] = new("regnet_x_1_6gf", [72, 168, 408, 912], [2, 4, 10, 2], 24),
        ["regnet_x_3_2gf"] = new("regnet_x_3_2gf", [96, 192, 432, 1008], [2, 6, 15, 2], 48),
        ["regnetx_400mf"] = new("regnetx_400mf", [32, 64, 160, 384], [1, 2, 7, 12], 16),
        ["regnetx_800mf"] = new("regnetx_800mf", [64, 128, 288, 672], [1, 3, 7, 5], 16),
        ["regnetx_1_6gf"] = new("regnetx_1_6gf", [72, 168, 408, 912], [2, 4, 10, 2], 24),
        ["regnetx_3_2gf"] = new("regnetx_3_2gf", [96, 192, 432, 1008], [2, 6, 15, 2], 48),
    };

    public static RegNetConfig Get(string name) =>
        All.TryGetValue(name, out var config)
            ? config
            : throw new ArgumentException($"'{name}' is not a RegNetX configuration; expected one of {string.Join(", ", All.Keys)}", nameof(name));
}
