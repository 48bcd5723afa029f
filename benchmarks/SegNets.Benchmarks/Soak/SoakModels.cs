using SegNets.Models;
using SegNets.Sources.EdgeAI;
using SegNets.Sources.Torchvision;

namespace SegNets.Benchmarks.Soak;

/// <summary>The small networks the soaks run, by their command-line name.</summary>
internal static class SoakModels
{
    public const string Names = "lraspp (torchvision LR-ASPP MobileNetV3-Large), fpnlite (TI FPN-EdgeAILite MobileNetV2)";

    public static (SegmentationModel Model, string Description) Create(string name, int numClasses) => name switch
    {
        "lraspp" => (TorchvisionModels.LRAspp(numClasses), $"torchvision LR-ASPP MobileNetV3-Large, {numClasses} classes"),
        "fpnlite" => (EdgeAIModels.FpnLite("mobilenetv2", numClasses), $"TI FPN-EdgeAILite MobileNetV2, {numClasses} classes"),
        _ => throw new ArgumentException($"--model {name}: unknown; one of {Names}"),
    };

    public static string Parameters(SegmentationModel model) =>
        $"{model.parameters().Sum(p => p.numel()) / 1e6:F2}M parameters";
}

/// <summary>An IProgress that runs on the reporting thread (Progress&lt;T&gt; posts to the thread pool, so its samples
/// would land at arbitrary points of the loop).</summary>
internal sealed class Inline<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
