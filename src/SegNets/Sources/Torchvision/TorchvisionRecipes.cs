using SegNets.Data.Transforms;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.Torchvision;

// torchvision: references/segmentation/train.py and the commands of its README (all models on 8 V100s).
static class TorchvisionRecipes
{
    const string VisionTrain = "pytorch/vision@e8dd7c6c5c1e21b9acdec623b63d5d5559d9e0d7:references/segmentation/train.py";
    internal const string VisionReadme = "pytorch/vision@0d7913da146566a8fd92c307ddf21ab12aa4b7bd:references/segmentation/README.md";
    // torchvision 0.15's references/segmentation as TI vendors it (same train.py logic, line numbers of that copy).
    const string Vision015 = "TexasInstruments/edgeai-torchvision@f85ec314af3813e12dd45db49eb6ab1dcb500ed5:references/segmentation/";

    internal const string VisionNotes =
        "torchvision's random resize draws the short side as an integer in [260, 1040] (0.5-2.0 x 520), then mirrors and crops 480x480, " +
        "padding the label with 255 (ignored). Only the aux classifier gets 10x the learning rate; the main classifier trains at the base " +
        "rate. Training runs distributed with SyncBatchNorm; the batch is per GPU x 8.";

    /// <summary>torchvision's reference recipe for one model: <paramref name="lr"/> and <paramref name="weightDecay"/> as
    /// its README command gives them (null = the script default), evidence <paramref name="evidence"/> for the command.</summary>
    internal static TrainingStage VisionStage(string name, string dataset, string imageSet, string splitSource, string backboneWeights,
        double? lr, double? weightDecay, bool aux, RecipeEvidence evidence, string command)
    {
        var stage = new TrainingStage
        {
            Name = name, Dataset = dataset, ImageSet = imageSet, TrainSplit = "train", ValSplit = "val",
            Optimizer = OptimizerKind.Sgd, LearningRate = lr ?? 0.01, Momentum = 0.9, WeightDecay = weightDecay ?? 1e-4, Epochs = 30, BatchSize = 32, Gpus = 8,
            LrSchedule = ScheduleKind.Poly, PolyPower = 0.9, WarmupEpochs = 0, HeadLrMultiplier = 1,
            BaseSize = 520, CropHeight = 480, CropWidth = 480, ScaleMode = ScaleMode.ShortSide, ScaleMin = 0.5, ScaleMax = 2.0,
            FlipProbability = 0.5, RotationDegrees = 0, GaussianBlurProbability = 0, SyncBatchNorm = true,
            InitFrom = $"ImageNet {backboneWeights} (torchvision)",
        }
        .WithSource(Default, splitSource, Split)
        .WithSource(Default, $"{VisionTrain} main (torch.optim.SGD, --momentum 0.9)", Opt, Mom)
        .WithSource(lr is null ? Default : evidence, lr is null ? $"{VisionTrain} --lr default 0.01 (the command sets none: {command})" : command, Lr)
        .WithSource(weightDecay is null ? Default : evidence,
            weightDecay is null ? $"{VisionTrain} --wd default 1e-4 (the command sets none: {command})" : command, Wd)
        .WithSource(Default, $"{VisionTrain} --epochs default 30", Ep)
        .WithSource(evidence, $"{command} (torch.distributed.launch --nproc_per_node=8 ... -b 4: 4 per GPU x 8; README: 'All models have been trained on 8x V100 GPUs')",
            Batch, Gpus)
        .WithSource(Default, $"{VisionTrain} main (LambdaLR (1 - x / (len(data_loader) x epochs)) ** 0.9, stepped per iteration); " +
            $"{Vision015}train.py L334 --lr-warmup-epochs default 0", Sched, Power, Warmup)
        .WithSource(Default, $"{VisionTrain} main (params_to_optimize: backbone and classifier at args.lr)", HeadMult)
        .WithSource(Default, $"{VisionTrain} get_transform (base_size 520, crop_size 480, RandomResize(0.5 x base, 2.0 x base) on the short side, " +
            $"RandomHorizontalFlip(0.5), RandomCrop); {Vision015}presets.py L6-15", Base, CropH, CropW, ScaleLo, ScaleHi, Flip)
        .WithSource(Default, $"{VisionTrain} get_transform (no rotation or blur)", Rotation, Blur)
        .WithSource(evidence, $"{command}; {Vision015}README.md L17-42 (--weights-backbone ..._Weights.IMAGENET1K_V1)", Init);
        if (aux)
            stage = (stage with { AuxLoss = true, AuxWeight = 0.5, AuxLrMultiplier = 10 })
                .WithSource(Default, $"{VisionTrain} criterion (losses['out'] + 0.5 * losses['aux']); {Vision015}train.py L54-62", AuxW)
                .WithSource(Default, $"{VisionTrain} main (aux_classifier parameters at args.lr * 10); {Vision015}train.py L228-230", AuxMult);
        return stage;
    }

    static TrainingStage VisionCoco(string model, string backboneWeights, double? lr, double? weightDecay, bool aux, string flags) =>
        VisionStage("coco", "coco-voc", "COCO 2017, 20 VOC categories (train2017 images with more than 1000 pixels of them)",
            $"{Vision015}coco_utils.py L69 (area > 1000), L91 (train2017)", backboneWeights, lr, weightDecay, aux, Cmd,
            $"{VisionReadme} ## {model} ({flags})");

    static TrainingRecipe VisionRecipe(string zoo, TrainingStage stage, string notes = "") => new()
    {
        ZooName = zoo, TrainedWith = "torchvision references/segmentation/train.py (PyTorch)", Stages = [stage],
        Notes = $"{notes} {VisionNotes}".Trim(),
    };

    internal static IEnumerable<TrainingRecipe> All()
    {
        yield return VisionRecipe("fcn_resnet50", VisionCoco("fcn_resnet50", "ResNet50_Weights.IMAGENET1K_V1", 0.02, null, true, "--lr 0.02 -b 4 --aux-loss"));
        yield return VisionRecipe("fcn_resnet101", VisionCoco("fcn_resnet101", "ResNet101_Weights.IMAGENET1K_V1", 0.02, null, true, "--lr 0.02 -b 4 --aux-loss"));
        yield return VisionRecipe("deeplabv3_resnet50",
            VisionCoco("deeplabv3_resnet50", "ResNet50_Weights.IMAGENET1K_V1", 0.02, null, true, "--lr 0.02 -b 4 --aux-loss"));
        yield return VisionRecipe("deeplabv3_resnet101",
            VisionCoco("deeplabv3_resnet101", "ResNet101_Weights.IMAGENET1K_V1", 0.02, null, true, "--lr 0.02 -b 4 --aux-loss"));
        yield return VisionRecipe("deeplabv3_mobilenet_v3_large",
            VisionCoco("deeplabv3_mobilenet_v3_large", "MobileNet_V3_Large_Weights.IMAGENET1K_V1", null, 1e-6, true, "-b 4 --aux-loss --wd 0.000001"));
        yield return VisionRecipe("lraspp_mobilenet_v3_large",
            VisionCoco("lraspp_mobilenet_v3_large", "MobileNet_V3_Large_Weights.IMAGENET1K_V1", null, 1e-6, false, "-b 4 --wd 0.000001"),
            "LR-ASPP has no auxiliary head.");
    }
}
