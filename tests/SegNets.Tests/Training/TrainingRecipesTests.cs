using SegNets.Sources;
using System.Text.RegularExpressions;
using FluentAssertions;
using SegNets.Data;
using SegNets.Tests.Support;
using SegNets.Training;
using SegNets.Zoo;

namespace SegNets.Tests.Training;

/// <summary>
/// Every trainable zoo entry has a training recipe that is consistent and cites each number; spot checks pin numbers read in
/// the originals, so a wrong table fails here.
/// </summary>
public partial class TrainingRecipesTests
{
    static IEnumerable<ZooEntry> ZooEntries() => ModelZoo.Entries().Where(e => !e.Name.StartsWith("test_", StringComparison.Ordinal));

    public static TheoryData<string> RecipeNames() => [.. TrainingRecipes.All.Select(r => r.ZooName)];

    // Numbers of different types as one comparable list.
    static double?[] N(params double?[] values) => values;

    [GeneratedRegex(@"[\w.-]+/[\w.-]+@[0-9a-f]{40}")]
    private static partial Regex PinnedCommit();

    [Fact]
    public void EveryTrainableZooEntryHasARecipeAndEveryRecipeNamesOne()
    {
        var zoo = ZooEntries().ToList();
        var trainable = zoo.Where(e => e.CanBuild).Select(e => e.Name).ToList();
        TrainingRecipes.All.Select(r => r.ZooName).Should().BeEquivalentTo(trainable, "every buildable zoo entry has exactly one recipe");
        TrainingRecipes.All.Select(r => r.ZooName).Should().OnlyHaveUniqueItems();
        foreach (var entry in zoo.Where(e => !e.CanBuild))
        {
            TrainingRecipes.TryGet(entry.Name, out _).Should().BeFalse(entry.Name);
            var act = () => TrainingRecipes.Get(entry.Name);
            act.Should().Throw<KeyNotFoundException>().WithMessage("*cannot build or train*");
        }
        zoo.Where(e => !e.CanBuild).Select(e => e.Name).Should().OnlyContain(n => n.StartsWith("mask_rcnn_", StringComparison.Ordinal),
            "only the Mask R-CNN rows are without a recipe");
    }

    [Theory]
    [MemberData(nameof(RecipeNames))]
    public void RecipeMatchesItsZooEntry(string name)
    {
        var recipe = TrainingRecipes.Get(name);
        var entry = ModelZoo.Info(name);
        recipe.Source.Should().NotBeNull().And.BeSameAs(entry.Source, "a recipe belongs to its row's family");
        entry.Recipe.Should().BeSameAs(recipe, "the row carries its recipe");
        recipe.Stages.Should().NotBeEmpty();
        recipe.Notes.Should().NotBeNullOrWhiteSpace();
        recipe.TrainedWith.Should().NotBeNullOrWhiteSpace();
        foreach (var stage in recipe.Stages)
        {
            var labels = Datasets.Get(stage.Dataset);
            labels.NumClasses.Should().Be(entry.NumClasses, $"{name} stage {stage.Name} trains the zoo entry's classes");
            stage.Problems().Should().BeEmpty($"{name} stage {stage.Name} is consistent");
            (stage.Epochs is null).Should().NotBe(stage.Iterations is null, $"{name}: exactly one of Epochs and Iterations");
            stage.CropHeight.Should().BePositive();
            stage.CropWidth.Should().BePositive();
            stage.BatchSize.Should().BePositive();
            stage.LearningRate.Should().BePositive();
            if (stage.BaseSize is int b) b.Should().BePositive();
            stage.InitFrom.Should().NotBeNullOrWhiteSpace();
        }
        for (int i = 1; i < recipe.Stages.Count; i++)
            recipe.Stages[i].InitFromZoo.Should().BeNull($"{name}: a later stage starts from the stage before it");
    }

    [Theory]
    [MemberData(nameof(RecipeNames))]
    public void EveryNumberSaysWhereItComesFrom(string name)
    {
        foreach (var stage in TrainingRecipes.Get(name).Stages)
        {
            foreach (var field in TrainingStage.SourcedFields.Where(f => stage.ValueOf(f) is not null))
            {
                stage.Sources.Should().ContainKey(field, $"{name} stage {stage.Name}");
                var source = stage.Sources[field];
                source.Reference.Should().NotBeNullOrWhiteSpace();
                if (!source.IsAssumed)
                    PinnedCommit().IsMatch(source.Reference).Should().BeTrue(
                        $"{name}.{stage.Name}.{field} is cited as read, so it names repository@commit: {source.Reference}");
            }
            stage.Sources.Keys.Should().OnlyContain(k => stage.ValueOf(k) != null, "no source for an unset field");
        }
    }

    [Fact]
    public void FineTuningStartsFromAZooEntryThatHasARecipe()
    {
        var fineTuned = TrainingRecipes.All.Where(r => r.FineTuneOf is not null).ToList();
        fineTuned.Should().NotBeEmpty();
        foreach (var recipe in fineTuned)
        {
            TrainingRecipes.TryGet(recipe.FineTuneOf!, out var parent).Should().BeTrue($"{recipe.ZooName} fine-tunes {recipe.FineTuneOf}");
            parent!.FineTuneOf.Should().NotBe(recipe.ZooName, "no cycles");
            Datasets.Get(parent.Dataset).NumClasses.Should().Be(Datasets.Get(recipe.Dataset).NumClasses);
        }
    }

    [Fact]
    public void GluonCVVocRecipesAreCocoThenAugThenVoc()
    {
        var recipe = TrainingRecipes.Get("fcn_resnet101_voc");
        recipe.Stages.Select(s => s.Name).Should().Equal("pascal_aug", "pascal_voc");
        recipe.FineTuneOf.Should().Be("fcn_resnet101_coco");
        var aug = recipe.Stages[0];
        aug.LearningRate.Should().Be(0.001);
        aug.TrainSplit.Should().Be("trainval");
        aug.ImageSet.Should().Contain("SBD");
        var voc = recipe.Final;
        voc.LearningRate.Should().Be(0.0001);
        voc.Epochs.Should().Be(50);
        voc.BatchSize.Should().Be(16);
        voc.Gpus.Should().Be(4);
        voc.AuxWeight.Should().Be(0.5);
        voc.HeadLrMultiplier.Should().Be(10);
        voc.AuxLrMultiplier.Should().Be(10);
        N(voc.BaseSize, voc.CropHeight, voc.CropWidth, voc.ScaleMin, voc.ScaleMax).Should().Equal(520, 480, 480, 0.5, 2.0);
        voc.ScaleMode.Should().Be(ScaleMode.LongSide);
        voc.PolyPower.Should().Be(0.9);
        voc.Momentum.Should().Be(0.9);
        voc.WeightDecay.Should().Be(1e-4);
        voc.Sources[nameof(TrainingStage.Epochs)].Evidence.Should().Be(RecipeEvidence.TrainingLog);
        TrainingRecipes.Get("deeplab_resnet152_voc").FineTuneOf.Should().Be("deeplab_resnet152_coco");
        TrainingRecipes.Get("deeplab_resnet152_voc").AssumedFields.Should().Contain("pascal_voc.LearningRate");
    }

    [Fact]
    public void GluonCVAdeCocoAndCityscapesCommands()
    {
        var ade = TrainingRecipes.Get("deeplab_resnet101_ade").Final;
        N(ade.LearningRate, ade.Epochs, ade.Gpus, ade.BatchSize, ade.AuxWeight).Should().Equal(0.01, 120, 4, 16, 0.5);
        ade.Sources[nameof(TrainingStage.LearningRate)].Evidence.Should().Be(RecipeEvidence.Command);
        var coco = TrainingRecipes.Get("psp_resnet101_coco").Final;
        N(coco.LearningRate, coco.Epochs).Should().Equal(0.01, 30);
        coco.Dataset.Should().Be("coco-voc");
        var citys = TrainingRecipes.Get("psp_resnet101_citys").Final;
        N(citys.BaseSize, citys.CropHeight, citys.Epochs, citys.Gpus).Should().Equal(2048, 768, 240, 8);
        TrainingRecipes.Get("deeplab_resnest269_ade").Final.Gpus.Should().Be(8);
        TrainingRecipes.Get("deeplab_resnest200_ade").Final.Sources[nameof(TrainingStage.LearningRate)].IsAssumed.Should().BeTrue();
        var vplr = TrainingRecipes.Get("deeplab_v3b_plus_wideresnet_citys");
        vplr.WeightsConverted.Should().BeTrue();
        N(vplr.Final.LearningRate, vplr.Final.CropHeight, vplr.Final.Epochs, vplr.Final.PolyPower).Should().Equal(0.001, 896, 175, 1.0);
    }

    [Fact]
    public void TorchvisionReferenceRecipe()
    {
        var fcn = TrainingRecipes.Get("fcn_resnet50").Final;
        N(fcn.LearningRate, fcn.Epochs, fcn.BatchSize, fcn.Gpus, fcn.BatchPerGpu).Should().Equal(0.02, 30, 32, 8, 4);
        N(fcn.WeightDecay, fcn.Momentum, fcn.PolyPower).Should().Equal(1e-4, 0.9, 0.9);
        fcn.AuxLoss.Should().BeTrue();
        N(fcn.AuxWeight, fcn.AuxLrMultiplier, fcn.HeadLrMultiplier).Should().Equal(0.5, 10, 1);
        N(fcn.BaseSize, fcn.CropHeight).Should().Equal(520, 480);
        fcn.ScaleMode.Should().Be(ScaleMode.ShortSide);
        fcn.Dataset.Should().Be("coco-voc");
        var lraspp = TrainingRecipes.Get("lraspp_mobilenet_v3_large").Final;
        N(lraspp.LearningRate, lraspp.WeightDecay).Should().Equal(0.01, 1e-6);
        lraspp.AuxLoss.Should().BeFalse();
        TrainingRecipes.Get("deeplabv3_mobilenet_v3_large").Final.WeightDecay.Should().Be(1e-6);
        TrainingRecipes.Get("deeplabv3_mobilenet_v3_large").Final.AuxLoss.Should().BeTrue();
    }

    [Fact]
    public void ChainerCVRecipes()
    {
        var citys = TrainingRecipes.Get("pspnet_resnet101_cityscapes").Final;
        N(citys.Iterations, citys.Epochs, citys.CropHeight, citys.LearningRate, citys.BatchSize, citys.Gpus).Should().Equal(90000, null, 713, 0.01, 16, 8);
        N(citys.AuxWeight, citys.HeadLrMultiplier, citys.RotationDegrees).Should().Equal(0.4, 10, 10);
        citys.WeightDecayOnNormParameters.Should().BeFalse();
        var ade = TrainingRecipes.Get("pspnet_resnet50_ade20k").Final;
        N(ade.Iterations, ade.CropHeight).Should().Equal(150000, 473);
        var segnet = TrainingRecipes.Get("segnet_camvid").Final;
        N(segnet.LearningRate, segnet.Iterations, segnet.BatchSize, segnet.WeightDecay).Should().Equal(0.1, 16000, 12, 5e-4);
        segnet.LrSchedule.Should().Be(ScheduleKind.Constant);
        segnet.ClassWeights.Should().Contain("median frequency");
        foreach (var dataset in new[] { "voc", "cityscapes", "ade20k" })
        {
            var deeplab = TrainingRecipes.Get($"deeplab_v3plus_xception65_{dataset}");
            deeplab.WeightsConverted.Should().BeTrue();
            deeplab.TrainedWith.Should().Contain("TensorFlow");
            deeplab.Notes.Should().Contain("Conversion only");
        }
        TrainingRecipes.Get("deeplab_v3plus_xception65_cityscapes").Final.Iterations.Should().Be(90000);
    }

    [Fact]
    public void EdgeAIRecipes()
    {
        var regnet = TrainingRecipes.Get("RegNetX800MF+FPNLite_ADE20K32_512x512").Final;
        (regnet.Optimizer, regnet.LrSchedule).Should().Be((OptimizerKind.Sgd, ScheduleKind.Cosine));
        N(regnet.LearningRate, regnet.Epochs, regnet.BatchSize, regnet.WeightDecay).Should().Equal(0.1, 60, 32, 4e-5);
        regnet.Sources[nameof(TrainingStage.LearningRate)].Evidence.Should().Be(RecipeEvidence.TrainingLog);
        regnet.ClassWeights.Should().NotBeNull();
        var mobile = TrainingRecipes.Get("MobileNetV2+FPNLite_Cityscapes_768x384").Final;
        (mobile.Optimizer, mobile.LrSchedule).Should().Be((OptimizerKind.Adam, ScheduleKind.Step));
        N(mobile.LearningRate, mobile.AdamBeta2, mobile.Epochs, mobile.BatchSize, mobile.Gpus, mobile.StepGamma).Should().Equal(4e-4, 0.999, 250, 12, 2, 0.25);
        mobile.StepMilestones.Should().Equal(100, 200);
        N(mobile.ResizeHeight, mobile.ResizeWidth, mobile.CropHeight, mobile.CropWidth).Should().Equal(384, 768, 384, 768);
        var big = TrainingRecipes.Get("RegNetX400MF+FPNLite_Cityscapes_1536x768").Final;
        N(big.ResizeHeight, big.ResizeWidth, big.CropHeight, big.CropWidth, big.LearningRate).Should().Equal(768, 1536, 512, 1024, 0.1);
        var qat = TrainingRecipes.Get("MobileNetV2+UNetLite-QAT_Cityscapes_768x384");
        qat.FineTuneOf.Should().Be("MobileNetV2+UNetLite_Cityscapes_768x384");
        qat.Final.QuantizationAware.Should().BeTrue();
        N(qat.Final.LearningRate, qat.Final.Epochs).Should().Equal(1e-5, 10);
        TrainingRecipes.Get("ResNet50+FCN_Cityscapes_1040x520").Final.Sources.Values.Should().OnlyContain(s => s.IsAssumed);
    }

    [Fact]
    public void SegFormerRecipesAreNvlabsConfigs()
    {
        foreach (var (name, size) in new[] { ("nvidia/segformer-b0-finetuned-ade-512-512", 512), ("nvidia/segformer-b5-finetuned-ade-640-640", 640) })
        {
            var recipe = TrainingRecipes.Get(name);
            recipe.WeightsConverted.Should().BeTrue();
            var stage = recipe.Final;
            (stage.Optimizer, stage.LrSchedule, stage.ScaleMode).Should().Be((OptimizerKind.AdamW, ScheduleKind.Poly, ScaleMode.ShortSide));
            N(stage.LearningRate, stage.Momentum, stage.AdamBeta2, stage.WeightDecay, stage.Iterations, stage.BatchSize, stage.PolyPower, stage.HeadLrMultiplier)
                .Should().Equal(6e-5, 0.9, 0.999, 0.01, 160_000, 16, 1.0, 10);
            N(stage.BaseSize, stage.CropHeight, stage.CropWidth, stage.ScaleMin, stage.ScaleMax, stage.FlipProbability).Should().Equal(size, size, size, 0.5, 2.0, 0.5);
            stage.WarmupStartFactor.Should().Be(1e-6);
            stage.WeightDecayOnNormParameters.Should().BeFalse();
            stage.AssumedFields.Should().BeEquivalentTo([nameof(TrainingStage.BatchSize), nameof(TrainingStage.Gpus)]);
            var options = RecipeRunner.Options(stage, iterationsPerEpoch: 1263);
            options.Optimizer.Should().Be(OptimizerKind.AdamW);
            options.WarmupIterations.Should().Be(1500);
        }
    }

    [Fact]
    public void UnknownNamesGetTheClosestOnes()
    {
        var act = () => TrainingRecipes.Get("deeplab_resnet101_vco");
        act.Should().Throw<KeyNotFoundException>().WithMessage("*deeplab_resnet101_voc*");
        TrainingRecipes.TryGet("no_such_model", out var none).Should().BeFalse();
        none.Should().BeNull();
    }

    [Fact]
    public void DocsListEveryRecipe()
    {
        var doc = File.ReadAllText(Repo.PathOf("docs", "recipes.md"));
        foreach (var recipe in TrainingRecipes.All)
            doc.Should().Contain($"`{recipe.ZooName}`", "docs/recipes.md has a row for every recipe");
    }
}
