using BenchmarkDotNet.Attributes;
using SegNets.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Benchmarks;

/// <summary>
/// Forward latency of each backbone on the CPU: batch 1, 3x224x224, eval mode, no grad, all stages computed.
/// The PyTorch peer is benchmarks/peers/backbone_forward.py (same models from torchvision, same input size).
/// </summary>
[MemoryDiagnoser]
public class BackboneForwardBenchmarks
{
    Backbone net = null!;
    Tensor input = null!;
    int defaultThreads;

    [Params("resnet18", "resnet50", "resnet101", "resnet101_os8", "resnet50_v1s", "vgg16_bn", "mobilenet_v2", "mobilenet_v3_large",
        "regnet_x_800mf", "resnest50", "xception65_os16", "wideresnet38_os8")]
    public string Backbone { get; set; } = "resnet50";

    [Params(1, 2)]
    public int Threads { get; set; }

    public static Backbone Create(string name) => name switch
    {
        "resnet101_os8" => new ResNetV1b(ResNetConfig.Get("resnet101"), outputStride: 8, numClasses: 0),
        "vgg16_bn" => new Vgg16Bn(numClasses: 0),
        "resnest50" => new ResNeSt("resnest50", numClasses: 0),
        "xception65_os16" => new Xception65(16, numClasses: 0),
        "wideresnet38_os8" => new WideResNet38(8),
        "mobilenet_v2" => new MobileNetV2(numClasses: 0),
        "mobilenet_v3_large" => new MobileNetV3Large(numClasses: 0),
        _ when name.StartsWith("regnet", StringComparison.Ordinal) => new RegNetX(RegNetConfig.Get(name), numClasses: 0),
        _ => new ResNetV1b(ResNetConfig.Get(name), numClasses: 0),
    };

    [GlobalSetup]
    public void Setup()
    {
        defaultThreads = get_num_threads();
        set_num_threads(Threads);
        net = Create(Backbone);
        net.eval();
        input = randn(1, 3, 224, 224);
    }

    [Benchmark]
    public void Forward()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        net.forward(input);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input.Dispose();
        net.Dispose();
        set_num_threads(defaultThreads);
    }
}
