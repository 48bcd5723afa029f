using System.Text.Json;
using FluentAssertions;
using SegNets.Training;
using SegNets.Tests.Support;
using SkiaSharp;
using static TorchSharp.torch;

namespace SegNets.Tests.Training;

/// <summary>
/// Every recipe runs: its zoo architecture trains for two iterations through <see cref="RecipeRunner.Train"/> on a tiny
/// dataset in the official layout of its stage (written by tools/reference/label_files.py with PIL, COCO written
/// here), with its optimizer, schedule, augmentation and loss. Crops are shrunk to 32 (ChainerCV's PSPNet keeps its
/// fixed input) so that 60 recipes fit in CI.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class RecipeSmokeTests(RecipeSmokeTests.Layouts layouts, ITestOutputHelper output) : IClassFixture<RecipeSmokeTests.Layouts>
{
    public sealed class Layouts : IDisposable
    {
        readonly TempDir _coco = new("recipe-coco");

        public Layouts()
        {
            Root = PythonReference.Run("label_files.py", "layouts");
            // GluonCV trains on SBD's train+val list; the layout fixture has train.txt and val.txt.
            var sbd = Path.Combine(Root, "sbd", "benchmark_RELEASE", "dataset");
            var trainval = Path.Combine(sbd, "trainval.txt");
            if (!File.Exists(trainval))
                File.WriteAllLines(trainval, File.ReadAllLines(Path.Combine(sbd, "train.txt")).Concat(File.ReadAllLines(Path.Combine(sbd, "val.txt"))));
            // DeepLab's train_aug list (VOC + SBD) in VOC's layout: here the VOC fixture's trainval list.
            var vocSplits = Path.Combine(Root, "voc", "VOCdevkit", "VOC2012", "ImageSets", "Segmentation");
            var trainAug = Path.Combine(vocSplits, "train_aug.txt");
            if (!File.Exists(trainAug)) File.Copy(Path.Combine(vocSplits, "trainval.txt"), trainAug);
            WriteCoco(_coco.Path);
        }

        public string Root { get; }

        public string Coco => _coco.Path;

        static void WriteCoco(string root)
        {
            Directory.CreateDirectory(Path.Combine(root, "annotations"));
            Directory.CreateDirectory(Path.Combine(root, "train2017"));
            var images = new List<object>();
            var annotations = new List<object>();
            for (var i = 0; i < 3; i++)
            {
                var file = $"{i + 1:D12}.jpg";
                using (var bitmap = new SKBitmap(60, 48))
                {
                    bitmap.Erase(new SKColor((byte)(40 * i), 90, 200));
                    using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
                    File.WriteAllBytes(Path.Combine(root, "train2017", file), data.ToArray());
                }
                images.Add(new { id = i + 1, file_name = file, height = 48, width = 60 });
                // A person (VOC class 15) and a dog (12), big enough for GluonCV's 1000-pixel filter.
                annotations.Add(new { id = 10 + i, image_id = i + 1, category_id = 1, iscrowd = 0, area = 1200.0, bbox = new[] { 2.0, 2, 40, 30 },
                    segmentation = new[] { new[] { 2.0, 2, 42, 2, 42, 32, 2, 32 } } });
                annotations.Add(new { id = 20 + i, image_id = i + 1, category_id = 18, iscrowd = 0, area = 300.0, bbox = new[] { 40.0, 30, 18, 16 },
                    segmentation = new[] { new[] { 40.0, 30, 58, 30, 58, 46, 40, 46 } } });
            }
            var categories = new[] { new { id = 1, name = "person" }, new { id = 18, name = "dog" } };
            File.WriteAllText(Path.Combine(root, "annotations", "instances_train2017.json"),
                JsonSerializer.Serialize(new { images, annotations, categories }));
        }

        public string RootOf(string dataset, string imageSet) => dataset switch
        {
            "voc" when imageSet.StartsWith("SBD", StringComparison.Ordinal) => Path.Combine(Root, "sbd"),
            "voc" => Path.Combine(Root, "voc"),
            "ade20k" or "ade20k32" => Path.Combine(Root, "ade"),
            "cityscapes" => Path.Combine(Root, "cityscapes"),
            "camvid" => Path.Combine(Root, "camvid"),
            "coco-voc" => Coco,
            "pascal-context" => PythonReference.Run("pascal_context_layout.py"),
            _ => throw new ArgumentException(dataset),
        };

        public void Dispose() => _coco.Dispose();
    }

    public static TheoryData<string> Recipes() => [.. TrainingRecipes.All.Select(r => r.ZooName)];

    [Theory]
    [MemberData(nameof(Recipes))]
    public void RunsTwoIterations(string name)
    {
        using var scope = NewDisposeScope();
        var recipe = TrainingRecipes.Get(name);
        var stage = RecipeRunner.Stage(recipe);
        // ChainerCV's PSPNet pools with kernels fixed for its input size: it trains on its own crop.
        int? crop = recipe.Source == ChainerCVSource.Instance && name.StartsWith("pspnet", StringComparison.Ordinal) ? null : 32;
        TorchSharp.torch.manual_seed(7);
        var log = new List<string>();
        var (model, result) = RecipeRunner.Train(new RecipeRun
        {
            Recipe = name, DataRoot = layouts.RootOf(stage.Dataset, stage.ImageSet), Iterations = 2, BatchSize = 2, Crop = crop, Workers = 0,
            // Batch 2 instead of the recipe's: the learning rate scaled as Goyal et al.'s linear rule, as a user would.
            LearningRate = stage.LearningRate * 2 / stage.BatchSize,
            // From random weights (the recipes start from ImageNet backbones) deep nets can blow up in one step.
            GradientClipNorm = 1.0,
        }, log.Add, cancellationToken: TestContext.Current.CancellationToken);
        using var _ = model;
        foreach (var line in log) output.WriteLine(line);
        result.History.Should().NotBeEmpty();
        result.History[^1].Iterations.Should().Be(2);
        result.History.Should().OnlyContain(h => double.IsFinite(h.Loss));
        log[0].Should().Contain(stage.Name);
    }

    [Fact]
    public void OptionsCarryTheRecipesNumbers()
    {
        var torchvision = RecipeRunner.Options(RecipeRunner.Stage(TrainingRecipes.Get("deeplabv3_resnet101")), iterationsPerEpoch: 100);
        torchvision.LearningRate.Should().Be(0.02);
        torchvision.Epochs.Should().Be(30);
        torchvision.HeadLearningRateMultiplier.Should().Be(1, "torchvision's main classifier runs at the base rate");
        torchvision.AuxLearningRateMultiplier.Should().Be(10, "and only the aux classifier at 10x");
        var gluon = RecipeRunner.Options(RecipeRunner.Stage(TrainingRecipes.Get("fcn_resnet50_ade")), iterationsPerEpoch: 100);
        gluon.HeadLearningRateMultiplier.Should().Be(10);
        gluon.AuxWeight.Should().Be(0.5);
        gluon.Schedule.Should().Be(ScheduleKind.Poly);
        var segnet = RecipeRunner.Options(RecipeRunner.Stage(TrainingRecipes.Get("segnet_camvid")), iterationsPerEpoch: 30);
        segnet.Iterations.Should().Be(16000);
        segnet.Schedule.Should().Be(ScheduleKind.Constant);
    }
}
