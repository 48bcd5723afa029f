#:project ../src/SegNets/SegNets.csproj
#:property SegNetsNeedsBackend=true
// Evaluate a zoo model on its dataset's validation split and print the per-class table (GluonCV's metrics):
//   dotnet run samples/eval.cs -- --model deeplab_resnet101_voc --data ~/data/VOCdevkit
//       [--weights final.safetensors | --pretrained] [--protocol plain|single|multi|padded|original] [--out DIR] [--device cuda] [--limit N]
// --protocol: plain = one forward on the whole image (GluonCV's test.py today); single / multi = GluonCV's
// MultiEvalModel at the entry's base/crop size, one scale or 0.5..1.75 with flips; padded = TF DeepLab's evaluation
// (padded with the mean pixel to the entry's crop size); original = the entry's own protocol where SegNets has it
// (ChainerCV: PSPNet's tiles, DeepLab's padding).
using SegNets.Evaluation;
using SegNets.Runtime;
using SegNets.Training;
using SegNets.Zoo;
using TorchSharp;

var options = new Dictionary<string, string>();
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--")) { Console.Error.WriteLine($"unexpected argument '{args[i]}'"); return 2; }
    options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
}
if (!options.TryGetValue("model", out var name) || !options.TryGetValue("data", out var data))
{
    Console.Error.WriteLine("usage: dotnet run samples/eval.cs -- --model NAME --data DIR [--weights FILE | --pretrained] [--protocol plain|single|multi|padded|original] [--out DIR] [--device D] [--limit N]");
    return 2;
}
var entry = ModelZoo.Info(name);
var device = TorchBackend.ParseDevice(options.GetValueOrDefault("device") ?? "auto");
SegNets.Models.SegmentationModel model = options.TryGetValue("weights", out var weights)
    ? SavedModel.Load(weights)
    : ModelZoo.Get(name, pretrained: options.ContainsKey("pretrained"));
if (!options.ContainsKey("weights") && !options.ContainsKey("pretrained"))
    Console.WriteLine("note: no --weights or --pretrained: evaluating untrained weights");
model.to(device);

// The validation split of the stage that made the weights, read in its official layout.
var stage = RecipeRunner.Stage(TrainingRecipes.Get(name));
var dataset = RecipeRunner.OpenDataset(stage, data, validation: true);
if (options.TryGetValue("limit", out var limit))
{
    // The dataset keeps its own copies; the decoded samples are freed with this scope.
    using var decoded = torch.NewDisposeScope();
    dataset = new SegNets.Data.TensorSegmentationDataset(dataset.Labels,
        Enumerable.Range(0, Math.Min(int.Parse(limit), dataset.Count)).Select(dataset.Get).ToList());
}

int? baseSize = entry.Evaluation.BaseSize, crop = entry.Evaluation.CropHeight;
var protocol = options.GetValueOrDefault("protocol") ?? "plain";
var evaluation = protocol switch
{
    "plain" => EvaluationOptions.Plain,
    "single" => EvaluationOptions.GluonCVSingleScale(baseSize ?? 520, crop ?? 480),
    "multi" => EvaluationOptions.GluonCVMultiScale(baseSize ?? 520, crop ?? 480),
    "padded" => EvaluationOptions.PaddedTo(crop ?? 513, entry.Evaluation.CropWidth ?? crop ?? 513),
    "original" => entry.Evaluation.Protocol
        ?? throw new ArgumentException($"SegNets does not implement {name}'s original protocol ({entry.Evaluation.Description}); use plain, single, multi or padded"),
    _ => throw new ArgumentException($"--protocol is plain, single, multi, padded or original, not '{protocol}'"),
};
var outDir = options.GetValueOrDefault("out");
if (outDir is not null) evaluation = evaluation with { PredictionDirectory = Path.Combine(outDir, "masks") };
Console.WriteLine($"{name}: {dataset.Count} {dataset.Labels.Name} images ({stage.ValSplit ?? "val"}), protocol {protocol}, {device}");
Console.WriteLine($"original protocol: {entry.Evaluation.Description}");

var result = new SegmentationEvaluator(model, evaluation).Evaluate(dataset,
    new Inline<int>(done => { if (done % 100 == 0) Console.WriteLine($"  {done}/{dataset.Count}"); }));
Console.WriteLine(result.Metrics.ToTable());
foreach (var reported in entry.Reported) Console.WriteLine($"reported by the original: {reported.Metric} {reported.Value} ({reported.Split})");
Console.WriteLine($"{result.Images} images in {result.Elapsed.TotalSeconds:F1} s");
if (outDir is not null)
{
    result.Save(outDir);
    Console.WriteLine($"wrote {Path.Combine(outDir, "metrics.json")}, metrics.csv, masks/");
}
return 0;

sealed class Inline<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
