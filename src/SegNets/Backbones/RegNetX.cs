using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Backbones;

/// <summary>
/// RegNetX with torchvision's module layout (keys stem.0, trunk_output.block1.block1-0.f.a.0, fc). Stages: c1 = stem
/// (32 ch, stride 2), c2..c5 = block1..block4 (strides 4..32). Output stride 32, or 16 as TI edgeai's DeepLabV3+
/// encoder has it (regnet.py with strides (2, 2, 2, 2, 1)): block4 not strided and no dilation added.
/// </summary>
public sealed class RegNetX : Backbone
{
#pragma warning disable IDE1006 // state-dict names
    readonly Sequential stem;
    readonly Sequential trunk_output;
    readonly Linear? fc;
#pragma warning restore IDE1006

    readonly FeatureInfo[] info;

    /// <param name="outputStride">32, or 16 (TI edgeai: the last stage keeps stride 1 without dilation).</param>
    public RegNetX(RegNetConfig config, NormLayer? norm = null, int numClasses = 1000, int outputStride = 32) : base(config.Name)
    {
        if (outputStride is not (32 or 16))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, $"{config.Name}: output stride must be 32 or 16");
        norm ??= Norms.Batch();
        OutputStride = outputStride;
        Config = config;
        stem = ConvNormAct.Create(3, 32, 3, norm, Activations.ReLU, stride: 2);
        var stages = new List<(string, nn.Module<Tensor, Tensor>)>();
        var infoList = new List<FeatureInfo> { new("c1", 32, 2) };
        long channels = 32;
        for (int s = 0; s < 4; s++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < config.Depths[s]; b++)
            {
                int stride = b > 0 || (s == 3 && outputStride == 16) ? 1 : 2;
                blocks.Add(($"block{s + 1}-{b}", new RegNetBlock(channels, config.Widths[s], stride, config.GroupWidth, norm)));
                channels = config.Widths[s];
            }
            stages.Add(($"block{s + 1}", nn.Sequential(blocks)));
            infoList.Add(new FeatureInfo($"c{s + 2}", channels, Math.Min(4 << s, outputStride)));
        }
        trunk_output = nn.Sequential(stages);
        if (numClasses > 0) fc = nn.Linear(channels, numClasses);
        info = [.. infoList];
        RegisterComponents();
        Init.TorchvisionDefault(this, linearStd: 0.01, fanOutPerGroup: true);
    }

    public RegNetConfig Config { get; }

    public override IReadOnlyList<FeatureInfo> Features => info;

    public override int OutputStride { get; }

    public override Dictionary<string, Tensor> forward(Tensor x)
    {
        var result = new Dictionary<string, Tensor> { ["c1"] = x = stem.forward(x) };
        for (int s = 0; s < 4; s++)
            result[$"c{s + 2}"] = x = ((nn.Module<Tensor, Tensor>)trunk_output[s]).forward(x);
        return result;
    }

    /// <summary>ImageNet logits from c5: global average pool, flatten, fc.</summary>
    public Tensor Classify(Tensor c5) => PoolAndClassify(fc, c5);
}
