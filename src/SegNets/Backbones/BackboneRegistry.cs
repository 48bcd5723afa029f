using SegNets.IO;
using SegNets.Layers;

namespace SegNets.Backbones;

/// <summary>
/// Every backbone by name, behind one call (as smp's <c>get_encoder(name, output_stride)</c>): each family's builder asks
/// here, so a new backbone is one line below and every family can use it.
/// <code>var resnet = BackboneRegistry.Get("resnet101_v1s", new() { OutputStride = 8 });</code>
/// </summary>
/// <remarks>
/// Names: every <see cref="ResNetConfig.All"/> name (GluonCV's _v1b/_v1c/_v1d/_v1s variants) and torchvision's
/// resnet18..resnet152 (= v1b), resnest50/101/200/269, mobilenet_v2 and mobilenet_v2_1.4, mobilenet_v3_large (and
/// mobilenet_v3_large_segmentation, keyed as torchvision's segmentation checkpoints), every <see cref="RegNetConfig.All"/>
/// name, xception65, wideresnet38, vgg16_bn, chainercv_resnet50/101, tf_mobilenet_v2 and tf_mobilenet_v2_0.5, and the
/// SegFormer encoders mit_b0..mit_b5.
/// </remarks>
public static class BackboneRegistry
{
    static readonly Lazy<Dictionary<string, Func<BackboneOptions, Backbone>>> Factories = new(Build);

    /// <summary>All names, in registration order.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Value.Keys];

    /// <summary>Builds the backbone <paramref name="name"/>; an unknown name throws, naming the closest known ones.</summary>
    public static Backbone Get(string name, BackboneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Factories.Value.TryGetValue(name, out var factory))
            throw new KeyNotFoundException(ClosestNames.Message("backbone named", name, Factories.Value.Keys, "BackboneRegistry.Names"));
        options ??= new BackboneOptions();
        var backbone = factory(options);
        if (options.OutputStride is int stride && backbone.OutputStride != stride)
        {
            backbone.Dispose();
            throw new ArgumentException($"backbone {name} has output stride {backbone.OutputStride}; {stride} was asked for", nameof(options));
        }
        return backbone;
    }

    static Dictionary<string, Func<BackboneOptions, Backbone>> Build()
    {
        var all = new Dictionary<string, Func<BackboneOptions, Backbone>>(StringComparer.Ordinal);
        void Add(string name, Func<BackboneOptions, Backbone> factory)
        {
            if (!all.TryAdd(name, factory)) throw new InvalidOperationException($"two backbones are named {name}");
        }

        foreach (var config in ResNetConfig.All.Values)
            Add(config.Name, o => new ResNetV1b(config, o.OutputStride ?? 32, o.Norm, o.NumClasses));
        // torchvision's ResNets are the v1b variants (stride on the 3x3), under torchvision's names.
        foreach (var depth in (int[])[18, 34, 50, 101, 152])
            Add($"resnet{depth}", o => new ResNetV1b(ResNetConfig.Get($"resnet{depth}_v1b"), o.OutputStride ?? 32, o.Norm, o.NumClasses));
        foreach (var name in (string[])["resnest50", "resnest101", "resnest200", "resnest269"])
            Add(name, o => new ResNeSt(name, o.OutputStride ?? 32, o.Norm, o.NumClasses));
        Add("mobilenet_v2", o => new MobileNetV2(1.0, o.OutputStride ?? 32, o.Norm, o.Activation, o.NumClasses));
        Add("mobilenet_v2_1.4", o => new MobileNetV2(1.4, o.OutputStride ?? 32, o.Norm, o.Activation, o.NumClasses));
        Add("mobilenet_v3_large", o => new MobileNetV3Large(o.OutputStride ?? 32, o.Norm, o.NumClasses));
        Add("mobilenet_v3_large_segmentation", o => new MobileNetV3Large(o.OutputStride ?? 32, o.Norm, o.NumClasses, segmentationKeys: true));
        foreach (var config in RegNetConfig.All.Values)
            Add(config.Name, o => new RegNetX(config, o.Norm, o.NumClasses, o.OutputStride ?? 32));
        Add("xception65", o => new Xception65(o.OutputStride ?? 32, o.Norm, o.NumClasses));
        Add("wideresnet38", o => new WideResNet38(o.OutputStride ?? 8, o.Norm, o.NumClasses));
        Add("vgg16_bn", o => new Vgg16Bn(o.Norm, o.NumClasses));
        // ChainerCV's DilatedResNet is always at output stride 8 and has no classifier.
        Add("chainercv_resnet50", o => new ChainerCVDilatedResNet(50, o.Norm));
        Add("chainercv_resnet101", o => new ChainerCVDilatedResNet(101, o.Norm));
        // TF DeepLab's slim MobileNetV2 carries its own TF batch-norm settings.
        Add("tf_mobilenet_v2", o => new TfMobileNetV2(1.0, o.OutputStride ?? 8));
        Add("tf_mobilenet_v2_0.5", o => new TfMobileNetV2(0.5, o.OutputStride ?? 8));
        foreach (var config in MixTransformerConfig.All.Values)
            Add(config.Name, _ => new MixVisionTransformer(config));
        return all;
    }
}
