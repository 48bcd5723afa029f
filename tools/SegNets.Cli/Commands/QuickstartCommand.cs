using System.CommandLine;
using System.Diagnostics;
using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Evaluation;
using SegNets.Models.Compact;
using SegNets.Runtime;
using SegNets.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Cli.Commands;

/// <summary>
/// `segnets quickstart`: trains SegNets' TinyUNet from scratch on the embedded fashion-scenes dataset
/// (samples/data/fashion-scenes, Fashion-MNIST items composed into scenes), evaluates it on the val split, prints the
/// per-class table and writes predicted masks and overlays. No download, CPU is enough.
/// </summary>
public static class QuickstartCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "the fashion-scenes folder (default: samples/data/fashion-scenes of this repository)" };
        var output = new Option<string>("--output") { Description = "where checkpoints, train.csv, metrics and images go", DefaultValueFactory = _ => "quickstart-output" };
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => QuickstartSettings.Default.Epochs };
        var size = new Option<int>("--size") { Description = "side the 128x128 scenes are resized to for training and prediction", DefaultValueFactory = _ => QuickstartSettings.Default.Size };
        var width = new Option<int>("--width") { Description = "TinyUNet width (channels of its first stage)", DefaultValueFactory = _ => QuickstartSettings.Default.Width };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate (poly schedule)", DefaultValueFactory = _ => QuickstartSettings.Default.LearningRate };
        var batch = new Option<int>("--batch") { Description = "images per step", DefaultValueFactory = _ => QuickstartSettings.Default.BatchSize };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "seed of weights, shuffling and augmentation", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from the newest checkpoint in --output" };
        var noFlip = new Option<bool>("--no-flip") { Description = "predict without the horizontally flipped twin" };
        var command = new Command("quickstart", "Train a small model on the embedded fashion-scenes dataset, evaluate it, write masks and overlays")
        {
            data, output, epochs, size, width, lr, batch, device, seed, resume, noFlip,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(new QuickstartSettings
        {
            Data = parse.GetValue(data), Output = parse.GetValue(output)!, Epochs = parse.GetValue(epochs), Size = parse.GetValue(size),
            Width = parse.GetValue(width), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
            Device = parse.GetValue(device)!, Seed = parse.GetValue(seed), Resume = parse.GetValue(resume), Flip = !parse.GetValue(noFlip),
        }, ct)));
        return command;
    }

    static int Run(QuickstartSettings s, CancellationToken ct)
    {
        try
        {
            var root = s.Data ?? FindSampleData()
                       ?? throw new DirectoryNotFoundException("samples/data/fashion-scenes not found above the current folder; pass --data DIR");
            var watch = Stopwatch.StartNew();
            var device = TorchBackend.ParseDevice(s.Device);
            AnsiConsole.MarkupLine($"[bold]SegNets quickstart[/]: TinyUNet (width {s.Width}) on fashion-scenes at {s.Size}x{s.Size}, {s.Epochs} epochs, {device}");
            AnsiConsole.MarkupLine($"data: {Markup.Escape(Path.GetFullPath(root))}; output: {Markup.Escape(Path.GetFullPath(s.Output))}");

            var train = new VocSegmentation(root, "train", labels: Datasets.FashionScenes);
            var val = new VocSegmentation(root, "val", labels: Datasets.FashionScenes);
            manual_seed(s.Seed);
            using var model = new TinyUNet(Datasets.FashionScenes.NumClasses, s.Width);
            var augment = new Compose(new Resize(s.Size, s.Size), new HorizontalFlip(), new Normalize(model.Normalization));
            var loader = new SegmentationLoader(train, augment, new SegmentationLoaderOptions
            {
                BatchSize = s.BatchSize, Shuffle = true, DropLast = true, Seed = s.Seed, Workers = Math.Max(1, Environment.ProcessorCount - 1),
                PinMemory = device.type == DeviceType.CUDA,
            });
            var options = new TrainingOptions
            {
                Epochs = s.Epochs, LearningRate = s.LearningRate, HeadLearningRateMultiplier = 1, WeightDecay = 1e-4,
                Device = device, Seed = s.Seed, OutputDirectory = Path.Combine(s.Output, "run"), Resume = s.Resume, KeepCheckpoints = 1,
            };
            // The last epoch's validation writes the masks and overlays too: one pass over val instead of three.
            var withOutputs = new SegmentationEvaluator(model, new EvaluationOptions
            {
                BaseSize = s.Size, CropSize = s.Size, Flip = s.Flip,
                PredictionDirectory = Path.Combine(s.Output, "masks"), OverlayDirectory = Path.Combine(s.Output, "overlays"),
            });
            EvaluationResult? final = null;
            // Scored as GluonCV does: the prediction at the training size (with its flipped twin, GluonCV flip_inference)
            // is resized back to the 128x128 labels.
            var evaluator = new SegmentationEvaluator(model, new EvaluationOptions { BaseSize = s.Size, CropSize = s.Size, Flip = s.Flip });

            TrainingResult result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("training", maxValue: (double)s.Epochs * loader.BatchCount);
                    var progress = new Inline<TrainingProgress>(p =>
                    {
                        if (p.Phase == "train")
                        {
                            bar.Value = p.Iteration;
                            bar.Description = $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:F3}";
                        }
                        else if (p.Phase == "done" && p.Record is { } r)
                        {
                            AnsiConsole.MarkupLine($"epoch {r.Epoch,3}: loss {r.Loss:F4}, lr {r.LearningRate:G3}, {r.ImagesPerSecond:F0} images/s" +
                                                   (r.Validation.TryGetValue("mIoU", out var m) ? $", val mIoU {m:P1}" : ""));
                        }
                    });
                    Func<int, CancellationToken, IReadOnlyDictionary<string, double>> validate = (epoch, token) =>
                    {
                        if (epoch == s.Epochs) final = withOutputs.Evaluate(val, ct: token);
                        else if (epoch % 5 != 0) return new Dictionary<string, double>();
                        return new Dictionary<string, double> { ["mIoU"] = (final ?? evaluator.Evaluate(val, ct: token)).Metrics.MeanIou };
                    };
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            result = new Trainer(model, options).Fit(loader, validate, progress, ct);
                            break;
                        }
                        catch (System.Runtime.InteropServices.ExternalException e) when (attempt <= 3 && e.Message.Contains("Scalar.h", StringComparison.Ordinal)
                                                                                         && TrainingCheckpoint.Latest(options.OutputDirectory!) is not null)
                        {
                            // TorchSharp 0.107 can free an operator's temporary Scalar while libtorch still reads it
                            // when a GC runs on another thread (dotnet/TorchSharp#1434). The op fails before it writes,
                            // and a resume from the last epoch checkpoint gives the same weights as an unbroken run.
                            // Before the first checkpoint there is nothing to resume from (the weights have moved), so
                            // the error stands.
                            AnsiConsole.MarkupLine($"[yellow]TorchSharp's Scalar race hit (attempt {attempt}); resuming from the last checkpoint[/]");
                            options = options with { Resume = true };
                        }
                    }
                    bar.Value = bar.MaxValue;
                });
            var trainSeconds = watch.Elapsed.TotalSeconds;

            // A resume of a finished run trains no epoch, so nothing was validated.
            var evaluation = final ?? withOutputs.Evaluate(val, ct: ct);
            evaluation.Save(s.Output);
            AnsiConsole.WriteLine();
            AnsiConsole.WriteLine(evaluation.Metrics.ToTable());
            AnsiConsole.MarkupLine($"[bold]val mIoU {evaluation.Metrics.MeanIou:P1}[/] (pixAcc {evaluation.Metrics.PixelAccuracy:P1}) after {result.History.Count} epochs; " +
                                   $"training {trainSeconds:F0} s, total {watch.Elapsed.TotalSeconds:F0} s");
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.Combine(s.Output, "metrics.json"))}, metrics.csv, masks/, overlays/, run/train.csv, run/{Markup.Escape(Path.GetFileName(result.LastCheckpoint ?? ""))}/model.safetensors");
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; rerun with --resume to continue from the last finished epoch");
            return 130;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or SampleLoadException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>samples/data/fashion-scenes in the current folder or one above it (the repository root).</summary>
    static string? FindSampleData()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "data", "fashion-scenes");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
