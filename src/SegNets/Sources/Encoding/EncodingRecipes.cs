using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.Encoding;

// PyTorch-Encoding's EncNet rows, from the code of the released 2018 files (zhanghang1989/PyTorch-Encoding@b05334f:
// experiments/segmentation/option.py defaults, train.py, encoding/datasets/base.py _sync_transform,
// encoding/nn/customize.py SegmentationLosses, docs/source/experiments/segmentation.rst commands).
static class EncodingRecipes
{
    const string EncodingRepo = "zhanghang1989/PyTorch-Encoding@b05334f36362e9ac42ae052148c0aa0a3c1795f6";
    const string EncOption = EncodingRepo + ":experiments/segmentation/option.py";
    const string EncTrain = EncodingRepo + ":experiments/segmentation/train.py";
    const string EncDocs = EncodingRepo + ":docs/source/experiments/segmentation.rst";
    const string EncTransform = EncodingRepo + ":encoding/datasets/base.py _sync_transform";
    const string EncLoss = EncodingRepo + ":encoding/nn/customize.py SegmentationLosses";

    static TrainingStage EncStage(string dataset, string name, string labels, string imageSet, string split, double baseLr, int epochs, string backbone,
        string command)
    {
        // option.py: batch 4 per GPU, lr = base / 16 * batch; the documented commands use 4 GPUs.
        return new TrainingStage
        {
            Name = name, Dataset = labels, ImageSet = imageSet, TrainSplit = split, ValSplit = "val",
            Optimizer = OptimizerKind.Sgd, LearningRate = baseLr, Momentum = 0.9, WeightDecay = 1e-4, Epochs = epochs, BatchSize = 16, Gpus = 4,
            LrSchedule = ScheduleKind.Poly, PolyPower = 0.9, WarmupEpochs = 0, HeadLrMultiplier = 10, AuxLoss = true, AuxWeight = 0.2, AuxLrMultiplier = 10,
            BaseSize = 608, CropHeight = 576, CropWidth = 576, ScaleMode = ScaleMode.ShortSide, ScaleMin = 0.5, ScaleMax = 2.0,
            FlipProbability = 0.5, RotationDegrees = 10, GaussianBlurProbability = 0.5,
            InitFrom = $"ImageNet {backbone} (PyTorch-Encoding's dilated torchvision-layout ResNet)",
        }
        .WithSource(RecipeEvidence.Command, $"{EncDocs} ({command})", nameof(TrainingStage.TrainSplit), nameof(TrainingStage.Gpus))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncOption} (lrs['{dataset}'] = {baseLr} / 16 * batch_size; epoches['{dataset}'] = {epochs}; batch_size = 4 x GPUs)",
            nameof(TrainingStage.LearningRate), nameof(TrainingStage.Epochs), nameof(TrainingStage.BatchSize))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncOption} (--momentum 0.9, --weight-decay 1e-4, --lr-scheduler poly, --base-size 608, --crop-size 576); " +
            $"{EncodingRepo}:encoding/utils/lr_scheduler.py (poly: pow(1 - T / N, 0.9), no warmup)",
            nameof(TrainingStage.Optimizer), nameof(TrainingStage.Momentum), nameof(TrainingStage.WeightDecay), nameof(TrainingStage.LrSchedule),
            nameof(TrainingStage.PolyPower), nameof(TrainingStage.WarmupEpochs), nameof(TrainingStage.BaseSize), nameof(TrainingStage.CropHeight),
            nameof(TrainingStage.CropWidth))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncTrain} (params_list: pretrained at lr, head and auxlayer at lr x 10)",
            nameof(TrainingStage.HeadLrMultiplier), nameof(TrainingStage.AuxLrMultiplier))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncLoss} (aux_weight=0.2, se_weight=0.2)", nameof(TrainingStage.AuxWeight))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncTransform} (flip 0.5; short side randint(0.5 base, 2 base); rotate uniform(-10, 10); pad; crop; " +
            "GaussianBlur(radius=random()) with p 0.5)", nameof(TrainingStage.ScaleMin), nameof(TrainingStage.ScaleMax), nameof(TrainingStage.FlipProbability),
            nameof(TrainingStage.RotationDegrees), nameof(TrainingStage.GaussianBlurProbability))
        .WithSource(RecipeEvidence.ScriptDefault, $"{EncodingRepo}:encoding/models/encnet.py (get_encnet: backbone pretrained on ImageNet)", nameof(TrainingStage.InitFrom));
    }

    static TrainingRecipe EncRecipe(string zoo, string extra, params TrainingStage[] stages) => new()
    {
        ZooName = zoo, TrainedWith = "PyTorch-Encoding experiments/segmentation/train.py (PyTorch 0.4, 4 GPUs)", Stages = stages,
        Notes = "EncNet trains with the SE-loss (se_weight 0.2, --se-loss), which SegNets' Trainer does not have: the recipe trains the " +
            "segmentation and auxiliary losses only. The short-side scaling is torchvision-style here (PyTorch-Encoding draws an integer " +
            "short side and pads with 0, not 255); the blur is not applied in this scale mode. " + extra,
    };

    internal static IEnumerable<TrainingRecipe> All()
    {
        const string pcontext = "Pascal Context (VOC2010 + Detail masks, 59 classes)";
        yield return EncRecipe("encnet_resnet101_pcontext", "",
            EncStage("pcontext", "pcontext", "pascal-context", pcontext, "train", 0.001, 80, "ResNet-101",
                "train.py --dataset PContext --model EncNet --aux --se-loss --backbone resnet101"));
        yield return EncRecipe("encnet_resnet50_pcontext", "",
            EncStage("pcontext", "pcontext", "pascal-context", pcontext, "train", 0.001, 80, "ResNet-50",
                "train.py --dataset PContext --model EncNet --aux --se-loss"));
        yield return EncRecipe("encnet_resnet50_ade", "The documented command names '--model encnetv2', which the b05334f code does not define; " +
            "the released file loads into EncNet without the lateral fusion, which is what SegNets builds.",
            EncStage("ade20k", "ade20k", "ade20k", "ADE20K SceneParsing (ADEChallengeData2016)", "train", 0.01, 160, "ResNet-50",
                "train.py --dataset ade20k --model encnetv2 --aux --se-loss"));
        yield return EncRecipe("encnet_resnet101_ade", "No weights were released for this row; the settings are those of the ResNet-50 ADE20K command.",
            EncStage("ade20k", "ade20k", "ade20k", "ADE20K SceneParsing (ADEChallengeData2016)", "train", 0.01, 160, "ResNet-101",
                "train.py --dataset ade20k --model encnetv2 --aux --se-loss"));
        yield return EncRecipe("encnet_resnet101_voc", "No weights were released for this row; the seed's number comes with MS-COCO pretraining, " +
            "whose settings PyTorch-Encoding does not publish; this recipe is its documented pascal_aug stage (option.py defaults).",
            EncStage("pascal_aug", "pascal_aug", "voc", "SBD (benchmark_RELEASE) trainval, as encoding/datasets/pascal_aug.py reads it", "trainval",
                0.001, 50, "ResNet-101", "train.py --dataset pcontext --model encnet --aux --se-loss (the documented pattern; no VOC command is given)"));
    }
}
