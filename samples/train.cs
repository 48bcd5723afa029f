#:project ../src/SegNets/SegNets.csproj
#:property SegNetsNeedsBackend=true
// Train a zoo model with the recipe of its table row (the original's optimizer, schedule, crop, aux loss, ...):
//   dotnet run samples/train.cs -- --recipe deeplab_resnet101_voc --data ~/data/VOCdevkit [--out runs/x]
//       [--stage voc] [--init weights.pth] [--iterations N] [--batch N] [--lr X] [--crop N] [--device cuda] [--resume]
// --data is the dataset root in its official layout (the recipe's stage says which: VOC, SBD, COCO, ADE20K,
// Cityscapes, CamVid). --recipe list prints every recipe. The recipes' sources are in docs/recipes.md.
using SegNets.Runtime;
using SegNets.Training;
using SegNets.Zoo;

var options = Args.Parse(args);
if (options.GetValueOrDefault("recipe") is not { } name)
{
    Console.Error.WriteLine("usage: dotnet run samples/train.cs -- --recipe NAME --data DIR [--out DIR] [--stage S] [--init FILE] [--iterations N] [--batch N] [--lr X] [--crop N] [--device D] [--resume]");
    return 2;
}
if (name == "list")
{
    foreach (var r in TrainingRecipes.All)
        Console.WriteLine($"{r.ZooName,-50} {r.Dataset,-11} {r.Final.Optimizer} lr {r.LearningRate} {r.LrSchedule}, " +
                          (r.Epochs is int e ? $"{e} epochs" : $"{r.Iterations} iterations") + $", batch {r.BatchSize}, crop {r.CropHeight}x{r.CropWidth}");
    return 0;
}
if (options.GetValueOrDefault("data") is not { } data)
{
    Console.Error.WriteLine("--data DIR is required (the dataset root in its official layout)");
    return 2;
}
var run = new RecipeRun
{
    Recipe = name,
    DataRoot = data,
    Stage = options.GetValueOrDefault("stage"),
    OutputDirectory = options.GetValueOrDefault("out") ?? Path.Combine("runs", name),
    InitWeights = options.GetValueOrDefault("init"),
    Iterations = options.TryGetValue("iterations", out var it) ? long.Parse(it) : null,
    BatchSize = options.TryGetValue("batch", out var b) ? int.Parse(b) : null,
    LearningRate = options.TryGetValue("lr", out var lr) ? double.Parse(lr, System.Globalization.CultureInfo.InvariantCulture) : null,
    Crop = options.TryGetValue("crop", out var c) ? int.Parse(c) : null,
    Device = TorchBackend.ParseDevice(options.GetValueOrDefault("device") ?? "auto"),
    Resume = options.ContainsKey("resume"),
};
var last = DateTime.MinValue;
var progress = new Inline<TrainingProgress>(p =>
{
    if (p.Phase == "done" && p.Record is { } r)
        Console.WriteLine($"epoch {r.Epoch}: loss {r.Loss:F4}, lr {r.LearningRate:G3}, {r.ImagesPerSecond:F1} images/s");
    else if (p.Phase == "train" && DateTime.UtcNow - last > TimeSpan.FromSeconds(10))
    {
        last = DateTime.UtcNow;
        Console.WriteLine($"  epoch {p.Epoch + 1} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} lr {p.LearningRate:G3}");
    }
});
var (model, result) = RecipeRunner.Train(run, Console.WriteLine, progress);
var weights = Path.Combine(run.OutputDirectory!, "final.safetensors");
SavedModel.Save(model, name, weights);
Console.WriteLine($"trained {result.History.Count} epochs ({result.History[^1].Iterations} iterations); weights: {weights}");
Console.WriteLine($"evaluate: dotnet run samples/eval.cs -- --model {name} --weights {weights} --data {data}");
return 0;

sealed class Inline<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

static class Args
{
    /// <summary>--key value pairs; a --flag without a value maps to "true".</summary>
    public static Dictionary<string, string> Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) throw new ArgumentException($"unexpected argument '{args[i]}'");
            var key = args[i][2..];
            map[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
        }
        return map;
    }
}
