using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Evaluation;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Soak;

/// <summary>
/// <c>infer-soak [--images 10000] [--data samples/data/fashion-scenes] [--model lraspp] [--mode evaluate|predict]
/// [--protocol plain|flip|gluoncv] [--size 128] [--random] [--every N] [--gc] [--trim] [--csv FILE]</c>: runs inference
/// over the given number of images, cycling the sample scenes' val split (decoded from their files every time; 128x128,
/// centre-cropped to <c>--size</c> when smaller) or, with <c>--random</c>, seeded random size x size images, and samples
/// the process's memory every N images.
/// <c>evaluate</c> is one <see cref="SegmentationEvaluator.Evaluate"/> over all of them (one confusion matrix);
/// <c>predict</c> calls the model's own <c>Predict</c> per image. <c>gluoncv</c> is GluonCV's MultiEvalModel protocol
/// (scales 0.5-1.75, flip) at base size 128, crop 96, so that the larger scales are tiled.
/// </summary>
internal static class InferSoak
{
    public static int Run(string[] args)
    {
        var o = new SoakOptions(args);
        var images = o.Long("images", 10_000);
        var data = o.String("data", "samples/data/fashion-scenes");
        var modelName = o.String("model", "lraspp");
        var mode = o.String("mode", "evaluate");
        var protocol = o.String("protocol", "plain");
        var random = o.Flag("random");
        var size = (int)o.Long("size", 128);
        o.RejectUnknown("infer-soak");
        if (images < 1 || images > int.MaxValue) throw new ArgumentException($"--images must be in 1..{int.MaxValue}");
        if (mode is not ("evaluate" or "predict")) throw new ArgumentException($"--mode {mode}: evaluate or predict");
        var evaluation = protocol switch
        {
            "plain" => EvaluationOptions.Plain,
            "flip" => EvaluationOptions.Plain with { Flip = true },
            "gluoncv" => EvaluationOptions.GluonCVMultiScale(baseSize: 128, cropSize: 96),
            _ => throw new ArgumentException($"--protocol {protocol}: plain, flip or gluoncv"),
        };
        if (mode == "predict" && protocol != "plain") throw new ArgumentException("--mode predict runs the model's plain Predict; --protocol applies to evaluate");

        if (size < 1) throw new ArgumentException("--size must be at least 1");
        ISegmentationDataset source = random
            ? new RandomScenes(100, size, size, Datasets.FashionScenes)
            : new VocSegmentation(SoakOptions.FindFolder(data), "val", labels: Datasets.FashionScenes);
        var dataset = new CycledDataset(source, (int)images, random || size == 128 ? null : new CenterCrop(size, size));
        manual_seed(0);
        var (model, description) = SoakModels.Create(modelName, source.Labels.NumClasses);
        model.eval();

        var recorder = new SoakRecorder(o, images, "images");
        recorder.Start($"infer-soak: {images} images through {description} ({SoakModels.Parameters(model)}), untrained weights", [
            $"data: {(random ? $"{source.Count} seeded random {size}x{size} images and masks (made anew" : $"{data} val split, {source.Count} 128x128 images (decoded from JPEG/PNG")} each time)"
                + (random || size == 128 ? "" : $", centre {size}x{size} crop") + ", cycled",
            mode == "evaluate"
                ? $"SegmentationEvaluator.Evaluate over all {images} images, protocol {protocol}"
                  + (evaluation.BaseSize is null ? "" : $" (base {evaluation.BaseSize}, crop {evaluation.CropSize}, scales {string.Join("/", evaluation.Scales)}, flip {evaluation.Flip})")
                : "SegmentationModel.Predict per image (caller disposes the class map and the sample)",
        ]);

        if (mode == "evaluate")
        {
            var evaluator = new SegmentationEvaluator(model, evaluation);
            var result = evaluator.Evaluate(dataset, new Inline<int>(done => recorder.Step(done)));
            Console.WriteLine($"(pixel accuracy of the untrained network: {result.Metrics.PixelAccuracy:F3})");
        }
        else
        {
            long pixels = 0;
            for (var i = 0; i < dataset.Count; i++)
            {
                using (var sample = dataset.Get(i))
                using (var prediction = model.Predict(sample.Image))
                    pixels += prediction.numel();
                recorder.Step(i + 1);
            }
            Console.WriteLine($"({pixels} pixels predicted)");
        }
        return recorder.Finish() ? 0 : 1;
    }
}

/// <summary>The first <c>count</c> indices of an endless repetition of a dataset (ids get the pass number), each sample
/// through an optional deterministic transform.</summary>
internal sealed class CycledDataset(ISegmentationDataset inner, int count, IJointTransform? transform = null) : ISegmentationDataset
{
    public DatasetInfo Labels => inner.Labels;

    public int Count => count;

    public string IdOf(int index) => $"{inner.IdOf(index % inner.Count)}#{index / inner.Count}";

    public SegmentationSample Get(int index)
    {
        var sample = inner.Get(index % inner.Count) with { Id = IdOf(index) };
        if (transform is null) return sample;
        using (sample)
        using (var scope = NewDisposeScope())
        {
            var result = transform.Apply(sample, new Random(index));
            return new SegmentationSample(result.Id, result.Image.contiguous().MoveToOuterDisposeScope(), result.Mask.contiguous().MoveToOuterDisposeScope());
        }
    }
}

/// <summary>Seeded random uint8 images and int64 masks, made anew on every Get (nothing cached).</summary>
internal sealed class RandomScenes(int count, int height, int width, DatasetInfo labels) : ISegmentationDataset
{
    public DatasetInfo Labels => labels;

    public int Count => count;

    public string IdOf(int index) => $"random{index:D4}";

    public SegmentationSample Get(int index)
    {
        using var g = new Generator((ulong)index + 1);
        var image = randint(0, 256, [3, height, width], dtype: ScalarType.Byte, generator: g);
        var mask = randint(0, labels.NumClasses, [height, width], dtype: ScalarType.Int64, generator: g);
        return new SegmentationSample(IdOf(index), image, mask);
    }
}
