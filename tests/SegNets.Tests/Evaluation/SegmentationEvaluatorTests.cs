using System.Text.Json;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Evaluation;
using SegNets.Imaging;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Evaluation;

/// <summary>
/// SegmentationEvaluator against tools/reference/gluoncv_multi_eval.py, a PyTorch transcription of GluonCV's
/// MultiEvalModel run on torchvision's LR-ASPP with seeded weights (loaded here unchanged), on a tall and a wide image;
/// and the dataset loop: metrics, saved files, predictions, progress, cancellation.
/// </summary>
public class SegmentationEvaluatorTests(ITestOutputHelper output)
{
    const int Classes = 5;

    // The reference's cases (gluoncv_multi_eval.py CASES).
    static readonly Dictionary<string, EvaluationOptions> Cases = new()
    {
        // long side 112 > crop 64, short side 83 (tall 70x52) / 65 (wide 45x77) >= 64: unpadded tiles of 64 with
        // stride 42, 3x2 / 2x3 of them, the last row and column cut short and padded
        ["single"] = new() { BaseSize = 112, CropSize = 64 },
        // 0.5 -> long 48 <= 64: the whole image padded to 64x64; 0.75 -> 72 x 53 / 42: padded to 64 on the short side,
        // then 2x1 / 1x2 tiles; 1.0 -> 96 x 71 (tall: unpadded, 2x2 tiles) / 56 (wide: padded, 1x2 tiles)
        ["multi"] = new() { BaseSize = 96, CropSize = 64, Scales = [0.5, 0.75, 1.0], Flip = true },
    };

    static (SegmentationModel Model, Dictionary<string, Tensor> Reference) Load()
    {
        var dir = PythonReference.Run("gluoncv_multi_eval.py");
        var model = TorchvisionModels.LRAspp(Classes);
        StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")));
        model.Normalization = InputNormalization.ImageNet;
        return (model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth")));
    }

    /// <summary>
    /// Max |ours - reference| / max(1, |reference|): GluonCV sums exp(logits), so the scores reach thousands where
    /// float32 itself resolves only ~1e-3; relative to the value the bar stays 1e-4 (an absolute one below 1).
    /// </summary>
    static double AssertScoresClose(Tensor actual, Tensor expected, string what)
    {
        actual.shape.Should().Equal(expected.shape, what);
        var a = actual.to(CPU).to_type(ScalarType.Float64);
        var e = expected.to_type(ScalarType.Float64);
        var error = ((a - e).abs() / e.abs().clamp_min(1.0)).max().item<double>();
        error.Should().BeLessThanOrEqualTo(Parity.Fp32Tolerance, $"{what} must match GluonCV's MultiEvalModel");
        return error;
    }

    /// <summary>Class maps equal, except where the reference's two best scores are within the score tolerance (a tie
    /// that float rounding may break either way); returns the number of such pixels that differ.</summary>
    static int AssertSameClasses(Tensor predicted, Tensor scores, string what)
    {
        var expected = scores.argmax(0);
        var differ = predicted.to(CPU).ne(expected);
        var top = scores.to_type(ScalarType.Float64).topk(2, 0).values;
        var gap = (top[0] - top[1]) / top[0].abs().clamp_min(1.0);
        var unexplained = differ.logical_and(gap.gt(Parity.Fp32Tolerance)).sum().item<long>();
        unexplained.Should().Be(0, $"{what}: every pixel whose class differs from the reference must be a near-tie");
        return (int)differ.sum().item<long>();
    }

    [Theory]
    [InlineData("single", 0)]
    [InlineData("single", 1)]
    [InlineData("multi", 0)]
    [InlineData("multi", 1)]
    public void MatchesGluonCVsMultiEvalModel(string name, int image)
    {
        using var scope = NewDisposeScope();
        var (model, reference) = Load();
        var raw = reference[$"image.{image}"].to_type(ScalarType.Byte);
        var expected = reference[$"{name}.{image}"];
        var evaluator = new SegmentationEvaluator(model, Cases[name]);
        var scores = evaluator.PredictLogits(raw);
        double error = AssertScoresClose(scores, expected, $"{name} image {image}");
        var classes = evaluator.Predict(raw);
        classes.shape.Should().Equal(raw.shape[1], raw.shape[2]);
        classes.dtype.Should().Be(ScalarType.Int64);
        int ties = AssertSameClasses(classes, expected, $"{name} image {image}");
        // one tile at a time, as GluonCV runs them: the same scores
        var oneByOne = new SegmentationEvaluator(model, Cases[name] with { BatchSize = 1 }).PredictLogits(raw);
        AssertScoresClose(oneByOne, expected, $"{name} image {image}, batch size 1");
        output.WriteLine($"{name} image {image} [{string.Join("x", raw.shape)}]: max relative score diff {error:E1} " +
                         $"(scores up to {expected.max().item<float>():F1}), {ties} near-tie pixels differ");
    }

    [Fact]
    public void PlainModeIsOneForwardOfTheImageAsItIs()
    {
        using var scope = NewDisposeScope();
        var (model, reference) = Load();
        var evaluator = new SegmentationEvaluator(model, EvaluationOptions.Plain);
        for (int i = 0; i < 2; i++)
        {
            var raw = reference[$"image.{i}"].to_type(ScalarType.Byte);
            var diff = Parity.AssertClose(evaluator.PredictLogits(raw), reference[$"plain.{i}"], $"plain image {i}");
            AssertSameClasses(evaluator.Predict(raw), reference[$"plain.{i}"], $"plain image {i}");
            output.WriteLine($"plain image {i}: max |diff| {diff:E1}");
        }

        // Flip adds the flipped image's flipped-back logits.
        var image = reference["image.1"].to_type(ScalarType.Byte);
        var flipped = new SegmentationEvaluator(model, EvaluationOptions.Plain with { Flip = true }).PredictLogits(image);
        var once = evaluator.PredictLogits(image);
        var mirrored = evaluator.PredictLogits(image.flip(2)).flip(2);
        Parity.AssertClose(flipped, once + mirrored, "plain + flip", 1e-5);
    }

    [Fact]
    public void PaddedProtocolMatchesTfDeepLabsEvaluation()
    {
        // tools/reference/tf_deeplab_eval.py: a transcription of TF DeepLab's eval preprocessing (pad bottom/right with
        // the mean pixel 127.5 to the eval crop size) and predict_labels, on torchvision's LR-ASPP with its own weights.
        var dir = PythonReference.Run("tf_deeplab_eval.py");
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var scope = NewDisposeScope();
        var model = TorchvisionModels.LRAspp(Classes);
        StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")));
        model.Normalization = InputNormalization.TfDeepLab;
        var padded = new SegmentationEvaluator(model, EvaluationOptions.PaddedTo(64, 80));
        var small = new SegmentationEvaluator(model, EvaluationOptions.PaddedTo(16, 16));
        for (int i = 0; i < 2; i++)
        {
            var raw = reference[$"image.{i}"].to_type(ScalarType.Byte);
            var diff = Parity.AssertClose(padded.PredictLogits(raw), reference[$"padded.{i}"], $"padded image {i}");
            AssertSameClasses(padded.Predict(raw), reference[$"padded.{i}"], $"padded image {i}");
            var same = Parity.AssertClose(small.PredictLogits(raw), reference[$"unpadded.{i}"], $"image {i} larger than the crop");
            output.WriteLine($"padded image {i} [{string.Join("x", raw.shape)}] to at least 64x80: max |diff| {diff:E1}; unpadded {same:E1}");
        }

        var make = () => (EvaluationOptions.PaddedTo(64, 80) with { BaseSize = 96, CropSize = 64 }).Validate();
        make.Should().Throw<ArgumentException>().WithMessage("*exclude each other*BaseSize 96*");
        make = () => (EvaluationOptions.Plain with { PadHeight = 64 }).Validate();
        make.Should().Throw<ArgumentException>().WithMessage("*positive PadHeight and PadWidth*64 x null*");
        make = () => (EvaluationOptions.PaddedTo(64, 80) with { Scales = [0.5, 1.0] }).Validate();
        make.Should().Throw<ArgumentException>().WithMessage("*padded protocol*[0.5, 1]*");
    }

    [Fact]
    public void ChainerCVTileProtocolMatchesPspNetsPredict()
    {
        // tools/reference/chainercv_tile_eval.py: a transcription of ChainerCV's PSPNet._tile_predict, convolution_crop and
        // resize_contain, on torchvision's LR-ASPP with its own weights, with 48x48 tiles: a taller image (2x2 tiles
        // reaching past every edge), a wider one (one row of 3, centred above and below it) and a smaller one (centred).
        var dir = PythonReference.Run("chainercv_tile_eval.py");
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var scope = NewDisposeScope();
        var model = TorchvisionModels.LRAspp(Classes);
        StateDictLoader.Load(model, PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "weights.pth")));
        // ChainerCV's mean subtraction, scaled by the reference's CARRIER_SCALE for the carrier network's sake
        model.Normalization = InputNormalization.ChainerCVPspNet with { Std = [64, 64, 64] };
        foreach (var batch in new[] { 1, 4 })
        {
            var evaluator = new SegmentationEvaluator(model, EvaluationOptions.ChainerCVTiles(48, 48) with { BatchSize = batch });
            for (int i = 0; i < 3; i++)
            {
                var raw = reference[$"image.{i}"].to_type(ScalarType.Byte);
                var diff = Parity.AssertClose(evaluator.PredictLogits(raw), reference[$"tiles.{i}"], $"tiles image {i}, batch {batch}");
                AssertSameClasses(evaluator.Predict(raw), reference[$"tiles.{i}"], $"tiles image {i}");
                output.WriteLine($"ChainerCV tiles image {i} [{string.Join("x", raw.shape)}], batch {batch}: max |diff| {diff:E1}");
            }
        }

        var make = () => (EvaluationOptions.ChainerCVTiles(48, 48) with { Flip = false }).Validate();
        make.Should().Throw<ArgumentException>().WithMessage("*mirror image*Flip must be true*");
        make = () => (EvaluationOptions.ChainerCVTiles(48, 48) with { PadHeight = 5, PadWidth = 5 }).Validate();
        make.Should().Throw<ArgumentException>().WithMessage("*exclude*");
    }

    [Fact]
    public void RestoresTheModelsModeAndRefusesBadInput()
    {
        using var scope = NewDisposeScope();
        var (model, reference) = Load();
        var evaluator = new SegmentationEvaluator(model, Cases["multi"]);
        model.train();
        evaluator.Predict(reference["image.0"].to_type(ScalarType.Byte));
        model.training.Should().BeTrue("the evaluator restores training mode");
        model.eval();
        evaluator.Predict(reference["image.0"].to_type(ScalarType.Byte));
        model.training.Should().BeFalse();

        var act = () => evaluator.PredictLogits(zeros(1, 3, 8, 8, ScalarType.Byte));
        act.Should().Throw<ArgumentException>().WithMessage("*(3, H, W)*[1, 3, 8, 8]*");
        var make = () => new SegmentationEvaluator(model, new EvaluationOptions { BaseSize = 96 });
        make.Should().Throw<ArgumentException>().WithMessage("*BaseSize 96 needs a positive CropSize*");
        make = () => new SegmentationEvaluator(model, new EvaluationOptions { Scales = [0.5, 1.0] });
        make.Should().Throw<ArgumentException>().WithMessage("*plain mode*[0.5, 1]*");
        make = () => new SegmentationEvaluator(model, new EvaluationOptions { CropSize = 64 });
        make.Should().Throw<ArgumentException>().WithMessage("*CropSize 64*BaseSize is null*");
        make = () => new SegmentationEvaluator(model, Cases["single"] with { StrideRate = 0.001 });
        make.Should().Throw<ArgumentException>().WithMessage("*StrideRate 0.001*");
        EvaluationOptions.GluonCVMultiScale().Scales.Should().Equal(0.5, 0.75, 1.0, 1.25, 1.5, 1.75);
        EvaluationOptions.GluonCVMultiScale().Flip.Should().BeTrue();
    }

    [Fact]
    public void LeavesNoTensorBehindButItsResult()
    {
        var (model, reference) = Load();
        var raw = reference["image.1"].to_type(ScalarType.Byte);
        var dataset = new InMemoryDataset([("a", raw, zeros(45, 77, ScalarType.Int64))]);
        long start = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (zeros(1))
            TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(start + 1, "the count sees a live tensor");
        foreach (var options in new[] { Cases["multi"], Cases["single"] with { BatchSize = 2 }, EvaluationOptions.Plain })
        {
            var evaluator = new SegmentationEvaluator(model, options);
            evaluator.Predict(raw).Dispose(); // warm-up: lazily created module state is not a leak
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            evaluator.PredictLogits(raw).Dispose();
            evaluator.Predict(raw).Dispose();
            evaluator.Evaluate(dataset, ct: TestContext.Current.CancellationToken);
            TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before, $"{options} frees every intermediate tensor");
        }
    }

    [Fact]
    public void EvaluatesADatasetSavesMetricsAndPredictions()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempDir("segnets-eval");
        var (model, reference) = Load();
        var options = Cases["single"] with { PredictionDirectory = temp.File("predictions") };
        var evaluator = new SegmentationEvaluator(model, options);
        // Masks: the model's own prediction with a band of wrong labels and a band of ignore, so the metrics are known.
        var samples = new List<(string Id, Tensor Image, Tensor Mask)>();
        using var expected = new ConfusionMatrix(Classes);
        for (int i = 0; i < 2; i++)
        {
            var image = reference[$"image.{i}"].to_type(ScalarType.Byte);
            var mask = evaluator.Predict(image).clone();
            mask[.., ..5] = (mask[.., ..5] + 1).remainder(Classes);
            mask[..3, ..] = tensor(255L);
            expected.Update(evaluator.Predict(image), mask);
            samples.Add(($"img/{i}", image, mask));
        }
        var dataset = new InMemoryDataset(samples);
        var reports = new List<int>();
        model.train();
        var result = evaluator.Evaluate(dataset, new SynchronousProgress(reports.Add), TestContext.Current.CancellationToken);
        model.training.Should().BeTrue();

        result.Images.Should().Be(2);
        reports.Should().Equal(1, 2);
        result.Metrics.Should().BeEquivalentTo(expected.Compute(InMemoryDataset.Info.Classes));
        result.Metrics.PixelAccuracy.Should().BeLessThan(1).And.BeGreaterThan(0.5);
        result.Elapsed.Should().BePositive();

        var pngs = Directory.GetFiles(temp.File("predictions")).Select(Path.GetFileName).Order().ToArray();
        pngs.Should().Equal("img_0.png", "img_1.png");
        var colours = ImageFile.ReadRgb(temp.File("predictions/img_0.png"));
        colours.shape.Should().Equal(3, 70, 52);

        result.Save(temp.File("out"));
        Directory.GetFiles(temp.File("out")).Select(Path.GetFileName).Order().Should().Equal("metrics.csv", "metrics.json");
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("out/metrics.json")));
        json.RootElement.GetProperty("images").GetInt32().Should().Be(2);
        json.RootElement.GetProperty("mIoU").GetDouble().Should().Be(result.Metrics.MeanIou);
        json.RootElement.GetProperty("classes")[1].GetProperty("name").GetString().Should().Be("one");
        File.ReadAllText(temp.File("out/metrics.csv")).Should().Be(result.Metrics.ToCsv());
        output.WriteLine(result.Metrics.ToTable());
    }

    [Fact]
    public void EvaluateStopsWhenCancelledAndChecksTheClassCount()
    {
        using var scope = NewDisposeScope();
        var (model, reference) = Load();
        var image = reference["image.0"].to_type(ScalarType.Byte);
        var dataset = new InMemoryDataset([("a", image, zeros(70, 52, ScalarType.Int64)), ("b", image, zeros(70, 52, ScalarType.Int64))]);
        var evaluator = new SegmentationEvaluator(model, EvaluationOptions.Plain);
        using var cts = new CancellationTokenSource();
        var reports = new List<int>();
        var act = () => evaluator.Evaluate(dataset, new SynchronousProgress(n => { reports.Add(n); cts.Cancel(); }), cts.Token);
        act.Should().Throw<OperationCanceledException>();
        reports.Should().Equal(1);

        var wrongSize = new InMemoryDataset([("c", image, zeros(70, 51, ScalarType.Int64))]);
        act = () => evaluator.Evaluate(wrongSize, ct: TestContext.Current.CancellationToken);
        act.Should().Throw<ArgumentException>().WithMessage("sample c (index 0): *[70, 52]*[70, 51]*");

        var other = new SegmentationEvaluator(TorchvisionModels.LRAspp(3), EvaluationOptions.Plain);
        act = () => other.Evaluate(dataset, ct: TestContext.Current.CancellationToken);
        act.Should().Throw<ArgumentException>().WithMessage("*5 classes but the model predicts 3*");
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    sealed class InMemoryDataset(IReadOnlyList<(string Id, Tensor Image, Tensor Mask)> samples) : ISegmentationDataset
    {
        public static DatasetInfo Info { get; } = new("test5", ["zero", "one", "two", "three", "four"],
            [new(0, 0, 0), new(128, 0, 0), new(0, 128, 0), new(0, 0, 128), new(128, 128, 0)], 255, "test");

        public DatasetInfo Labels => Info;

        public int Count => samples.Count;

        public string IdOf(int index) => samples[index].Id;

        public SegmentationSample Get(int index) =>
            new(samples[index].Id, samples[index].Image.clone(), samples[index].Mask.clone());
    }
}
