using SegNets.Backbones;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

using SegNets.Sources.Torchvision;

namespace SegNets.Sources.EdgeAI;

// TI edgeai: edgeai-torchvision's train_segmentation_main.py (pixel2pixel engine) with the commands of
// run_edgeailite_segmentation_v1.sh, and the training logs edgeai-modelzoo ships next to some released models.
static class EdgeAIRecipes
{
    const string EdgeTv = "TexasInstruments/edgeai-torchvision@f85ec314af3813e12dd45db49eb6ab1dcb500ed5";
    const string EdgeRun = EdgeTv + ":run_edgeailite_segmentation_v1.sh";
    const string EdgeMain = EdgeTv + ":references/edgeailite/main/pixel2pixel/train_segmentation_main.py";
    const string EdgeEngine = EdgeTv + ":references/edgeailite/edgeai_xvision/xengine/train_pixel2pixel.py";
    const string EdgeTransforms = EdgeTv + ":references/edgeailite/edgeai_xvision/xvision/transforms/image_transforms.py";
    const string EdgeLoss = EdgeTv + ":references/edgeailite/edgeai_xvision/xvision/losses/segmentation_loss.py L86";
    const string EdgeZoo = "TexasInstruments/edgeai-modelzoo@52e8f70e481e7f9646e12d45a11e7a9ce6f29119:models/vision/segmentation/";
    const string EdgeScheduler =
        "TexasInstruments/edgeai-modeloptimization@6f4732f4371dac78b23c4fe36dd12692ac18cb54:torchmodelopt/edgeai_torchmodelopt/xnn/optim/lr_scheduler.py SchedulerWrapper";

    const string MobileNetV2Weights = "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth";

    const string EdgeNotes =
        "TI's augmentation resizes the image to the input size and, for half the samples, each side by its own factor in [1, 2] before the " +
        "random crop, then mirrors half the samples and rotates by up to 5 degrees; inputs are (x - 128) / 64. The schedule is stepped per " +
        "epoch after a 5-epoch linear warmup. The batch is split over the GPUs by DataParallel (per-GPU batch statistics).";

    static string PyclsWeights(string encoder) => encoder switch
    {
        "regnetx400mf" => "https://dl.fbaipublicfiles.com/pycls/dds_baselines/160905967/RegNetX-400MF_dds_8gpu.pyth",
        "regnetx800mf" => "https://dl.fbaipublicfiles.com/pycls/dds_baselines/160906036/RegNetX-800MF_dds_8gpu.pyth",
        "regnetx1.6gf" => "https://dl.fbaipublicfiles.com/pycls/dds_baselines/160990626/RegNetX-1.6GF_dds_8gpu.pyth",
        "regnetx3.2gf" => "https://dl.fbaipublicfiles.com/pycls/dds_baselines/160906139/RegNetX-3.2GF_dds_8gpu.pyth",
        _ => throw new ArgumentException(encoder),
    };

    static (string Name, string Dataset, string ImageSet, string Split, string SplitSource, string? Weights, string? WeightsSource) EdgeData(string dataset) => dataset switch
    {
        "Cityscapes" => ("cityscapes_segmentation", "cityscapes", "Cityscapes gtFine", "train",
            $"{EdgeTv}:references/edgeailite/edgeai_xvision/xvision/datasets/cityscapes_plus.py L512-520 (gtFine 'train')",
            "TI's fixed 19-class table, used on a random 20% of the iterations",
            $"{EdgeTv}:references/edgeailite/edgeai_xvision/xvision/datasets/cityscapes_plus.py L145-148; {EdgeLoss} (weight only when random() < 0.20)"),
        "ADE20K32" => ("ade20k_seg_class32", "ade20k32", "ADE20K SceneParsing (ADEChallengeData2016), classes 1-31 kept, the rest 0", "train",
            $"{EdgeTv}:references/edgeailite/edgeai_xvision/xvision/datasets/ade20k.py L264-270 ('training')",
            "mean(freq) / freq from objectInfo150.txt's pixel ratios (class 0 gets 'other' and classes 32-150), used on a random 20% of the iterations",
            $"{EdgeTv}:references/edgeailite/edgeai_xvision/xvision/datasets/ade20k.py L116-132; {EdgeLoss} (weight only when random() < 0.20)"),
        "COCOSeg21" => ("coco_seg21", "coco-voc", "COCO 2017, 20 VOC categories", "train",
            $"{EdgeTv}:references/edgeailite/edgeai_xvision/xvision/datasets/coco_plus.py L94-95 (VOC category ids), L289 (train2017)", null, null),
        _ => throw new ArgumentException(dataset),
    };

    /// <summary>train_segmentation_main.py's own defaults (what a command that sets nothing trains with).</summary>
    static TrainingStage EdgeStage(string dataset, int height, int width, int? cropHeight, int? cropWidth, string init, string initSource, RecipeEvidence initEvidence)
    {
        var (stageName, labels, imageSet, split, splitSource, weights, weightsSource) = EdgeData(dataset);
        var stage = new TrainingStage
        {
            Name = stageName, Dataset = labels, ImageSet = imageSet, TrainSplit = split, ValSplit = "val",
            Optimizer = OptimizerKind.Adam, LearningRate = 4e-4, Momentum = 0.9, AdamBeta2 = 0.999, WeightDecay = 1e-4, Epochs = 250, BatchSize = 12,
            LrSchedule = ScheduleKind.Step, StepMilestones = [100, 200], StepGamma = 0.25, WarmupEpochs = 5, WarmupStartFactor = 1e-3,
            HeadLrMultiplier = 1, ResizeHeight = height, ResizeWidth = width, CropHeight = cropHeight ?? height, CropWidth = cropWidth ?? width,
            ScaleMode = ScaleMode.Resize, ScaleMin = 1, ScaleMax = 2, ScaleProbability = 0.5, FlipProbability = 0.5, RotationDegrees = 5,
            GaussianBlurProbability = 0, ClassWeights = weights, InitFrom = init,
        }
        .WithSource(Default, splitSource, Split)
        .WithSource(Default, $"{EdgeMain} L219 (optimizer 'adam'), L229 (lr 4e-4)", Opt, Lr)
        .WithSource(Default, $"{EdgeEngine} L131-132 (momentum 0.9 = Adam beta1, beta 0.999), L556-558", Mom, Beta2)
        .WithSource(Default, $"{EdgeMain} L231 (weight_decay 1e-4)", Wd)
        .WithSource(Default, $"{EdgeMain} L220 (epochs 250)", Ep)
        .WithSource(Default, $"{EdgeMain} L230 (batch_size 12, the whole DataParallel batch)", Batch)
        .WithSource(Default, $"{EdgeMain} L223-225 (scheduler 'step', gamma 0.25, milestones 100, 200)", Sched, Milestones, Gamma)
        .WithSource(Default, $"{EdgeEngine} L128-129 (warmup_epochs 5, warmup_factor 1e-3); {EdgeScheduler}", Warmup)
        .WithSource(Default, $"{EdgeEngine} L551 (one parameter group)", HeadMult)
        .WithSource(Cmd, $"{EdgeRun} (--img_resize {height} {width})", ResizeH, ResizeW)
        .WithSource(cropHeight is null ? Default : Cmd, cropHeight is null
            ? $"{EdgeEngine} L247 (rand_crop defaults to img_resize)" : $"{EdgeRun} (--rand_crop {cropHeight} {cropWidth})", CropH, CropW)
        .WithSource(Default, $"{EdgeEngine} L162 (rand_scale (1.0, 2.0)); {EdgeTransforms} L429-431 (applied when random() < 0.5, h and w drawn separately)",
            ScaleLo, ScaleHi)
        .WithSource(Default, $"{EdgeTransforms} L262 (RandomHorizontalFlip when random() < 0.5)", Flip)
        .WithSource(Default, $"{EdgeMain} L236 (transform_rotation 5); {EdgeTransforms} L313", Rotation)
        .WithSource(Default, $"{EdgeEngine} L1210-1233 get_train_transform (no blur)", Blur)
        .WithSource(initEvidence, initSource, Init);
        if (weights is not null) stage = stage.WithSource(Default, weightsSource!, Weights);
        return stage;
    }

    // The flags TI's commands set on top of the defaults: SGD + cosine with lr, batch, GPUs, and optionally epochs / weight decay.
    static TrainingStage EdgeSgd(TrainingStage stage, RecipeEvidence evidence, string reference, double lr, int batch, int gpus, int? epochs = null, double? weightDecay = null)
    {
        stage = (stage with
        {
            Optimizer = OptimizerKind.Sgd, AdamBeta2 = null, LrSchedule = ScheduleKind.Cosine, StepMilestones = null, StepGamma = null,
            LearningRate = lr, BatchSize = batch, Gpus = gpus,
        }).WithSource(evidence, reference, Opt, Sched, Lr, Batch, Gpus);
        stage = stage with { Sources = stage.Sources.Where(s => s.Key is not (Beta2 or Milestones or Gamma)).ToDictionary().AsReadOnly() };
        stage = stage.WithSource(Default, $"{EdgeEngine} L131 (momentum 0.9), L558 (torch.optim.SGD)", Mom);
        if (epochs is int e) stage = (stage with { Epochs = e }).WithSource(evidence, reference, Ep);
        if (weightDecay is double wd) stage = (stage with { WeightDecay = wd }).WithSource(evidence, reference, Wd);
        return stage;
    }

    static TrainingRecipe EdgeRecipe(string zoo, string notes, params TrainingStage[] stages) => new()
    {
        ZooName = zoo, TrainedWith = "TI edgeai-torchvision references/edgeailite train_segmentation_main.py (PyTorch)",
        Stages = stages, Notes = $"{notes} {EdgeNotes}".Trim(),
    };

    internal static IEnumerable<TrainingRecipe> All()
    {
        const string mobileInit = "ImageNet MobileNetV2 (torchvision mobilenet_v2-b0353104.pth)";
        const string ade = "ADE20K32";

        // ADE20K32 MobileNetV2: the commands say 60 epochs and weight decay 4e-5; the logs of the UNetLite run say otherwise.
        const string mobileAdeNote = "TI's command for this model says 60 epochs and weight decay 4e-5, but the training log of its sibling " +
            "MobileNetV2+UNetLite run (same days, same script) shows weight decay 1e-4 and 120 epochs, and the MobileNetV2-1.4 FPN run was 120 " +
            "epochs too: the released weights may come from those settings.";
        {
            var stage = EdgeStage(ade, 512, 512, null, null, mobileInit, $"{EdgeRun} L165-167 (--pretrained {MobileNetV2Weights})", Cmd);
            stage = EdgeSgd(stage, Cmd, $"{EdgeRun} L165-168 (--gpus 0 1 2 3 --weight_decay 4e-5 --batch_size 32 --epochs 60 --optimizer sgd --scheduler cosine --lr 5e-2)",
                0.05, 32, 4, 60, 4e-5);
            yield return EdgeRecipe("MobileNetV2S16+DeepLabV3Lite_ADE20K32_512x512", mobileAdeNote, stage);
        }
        {
            const string qatLog = EdgeZoo + "ade20k32/edgeai-tv/unet_aspp_mobilenetv2_edgeailite_512x512_20210306_qat.log";
            const string outLog = EdgeZoo + "ade20k32/edgeai-tv/unet_aspp_mobilenetv2_edgeailite_512x512_20210306_outby2.log";
            var stage = EdgeStage(ade, 512, 512, null, null, mobileInit, $"{EdgeRun} L175-177 (--pretrained {MobileNetV2Weights})", Cmd);
            stage = EdgeSgd(stage, Cmd, $"{EdgeRun} L175-178 (--gpus 0 1 2 3 --batch_size 32 --optimizer sgd --scheduler cosine --lr 5e-2)", 0.05, 32, 4);
            stage = (stage with { Epochs = 120 })
                .WithSource(Log, $"{qatLog} (the same run, date 2021-03-06_17-40-05, continued as QAT: optimizer sgd, scheduler cosine, batch_size 32, " +
                    "weight_decay 0.0001, momentum 0.9, warmup_epochs 5, img_resize/rand_crop 512, rand_scale (1.0, 2.0), transform_rotation 5, class_weights set)",
                    Opt, Sched, Batch, Wd, Mom, Warmup, ResizeH, ResizeW, CropH, CropW, ScaleLo, ScaleHi, Rotation, Weights)
                .WithSource(Log, $"{outLog} (pretrained: cfg09_2021-03-06_17-40-05_..._epoch120_50.08_49.98/training/model_best.pth)", Ep);
            yield return EdgeRecipe("MobileNetV2+UNetLite_ADE20K32_512x512",
                "The learning rate is the command's; the run's own log was overwritten by its QAT phase (lr 1e-5, 10 epochs).", stage);
        }
        {
            var stage = EdgeStage(ade, 512, 512, null, null, mobileInit, $"{EdgeRun} L170-172 (--pretrained {MobileNetV2Weights})", Cmd);
            stage = EdgeSgd(stage, Cmd, $"{EdgeRun} L170-173 (--gpus 0 1 2 3 --weight_decay 4e-5 --batch_size 32 --epochs 60 --optimizer sgd --scheduler cosine --lr 5e-2)",
                0.05, 32, 4, 60, 4e-5);
            yield return EdgeRecipe("MobileNetV2+FPNLite_ADE20K32_512x512", mobileAdeNote, stage);
        }
        {
            const string outLog = EdgeZoo + "ade20k32/edgeai-tv/fpn_aspp_mobilenetv2_1p4_edgeailite_512x512_20210307_outby4.log";
            const string sibling = $"not published for MobileNetV2-1.4; {EdgeRun} L170-173 (the MobileNetV2 FPN command)";
            var stage = EdgeStage(ade, 512, 512, null, null, "ImageNet MobileNetV2 width 1.4 (TI edgeai-tv mobilenet_v2_1p4)",
                "not published: TI's command for the 1.4 model is not in the script; TI's own ImageNet MobileNetV2-1.4 assumed", Assumed);
            stage = EdgeSgd(stage, Assumed, sibling, 0.05, 32, 4, null, 4e-5);
            stage = (stage with { Epochs = 120 })
                .WithSource(Log, $"{outLog} (pretrained: cfg11_2021-03-07_23-36-26_..._epcoh120_53.10_53.01/training/model_best.pth)", Ep);
            yield return EdgeRecipe("MobileNetV2-1.4+FPNLite_ADE20K32_512x512",
                "TI publishes no command for the width-1.4 model; the MobileNetV2 FPN command is assumed except for the 120 epochs its " +
                "checkpoint folder names. Its sibling MobileNetV2+UNetLite run used weight decay 1e-4.", stage);
        }
        foreach (var (zoo, encoder, size, log, lines) in new[]
        {
            ("RegNetX400MF+FPNLite_ADE20K32_384x384", "regnetx400mf", 384, "fpn_aspp_regnetx400mf_edgeailite_384x384_20210314.log", "L181-184"),
            ("RegNetX800MF+FPNLite_ADE20K32_512x512", "regnetx800mf", 512, "fpn_aspp_regnetx800mf_edgeailite_512x512_20210312.log", "L186-189"),
        })
        {
            string logRef = $"{EdgeZoo}ade20k32/edgeai-tv/{log} (=> args: optimizer sgd, scheduler cosine, lr 0.1, epochs 60, batch_size 32, weight_decay 4e-05, " +
                $"momentum 0.9, warmup_epochs 5, img_resize/rand_crop {size}, rand_scale (1.0, 2.0), transform_rotation 5, pretrained pycls; class weights printed)";
            var stage = EdgeStage(ade, size, size, null, null, $"ImageNet {encoder} (pycls {PyclsWeights(encoder)})", logRef, Log);
            stage = EdgeSgd(stage, Log, logRef, 0.1, 32, 4, 60, 4e-5)
                .WithSource(Cmd, $"{EdgeRun} {lines} (--gpus 0 1 2 3)", Gpus)
                .WithSource(Log, logRef, Mom, Warmup, ResizeH, ResizeW, CropH, CropW, ScaleLo, ScaleHi, Rotation, Weights);
            yield return EdgeRecipe(zoo, "", stage);
        }

        // COCOSeg21: the commands of run_edgeailite_segmentation_v1.sh (the released models' logs are not in the model zoo's git).
        foreach (var (zoo, init, lr, lines) in new[]
        {
            ("MobileNetV2S16+DeepLabV3Lite_COCOSeg21_512x512", "mobilenetv2", 0.05, "L268-272"),
            ("MobileNetV2+FPNLite_COCOSeg21_512x512", "mobilenetv2", 0.05, "L274-278"),
            ("MobileNetV2+UNetLite_COCOSeg21_512x512", "mobilenetv2", 0.05, "L280-284"),
            ("RegNetX800MF+FPNLite_COCOSeg21_512x512", "regnetx800mf", 0.1, "L292-296"),
        })
        {
            string reference = $"{EdgeRun} {lines} (--img_resize 512 512 --gpus 0 1 2 3 --weight_decay 4e-5 --batch_size 32 --epochs 60 " +
                $"--optimizer sgd --scheduler cosine --lr {lr:0.0#} --interpolation 1)";
            bool mobile = init == "mobilenetv2";
            var stage = EdgeStage("COCOSeg21", 512, 512, null, null,
                mobile ? mobileInit : $"ImageNet regnetx800mf (pycls {PyclsWeights("regnetx800mf")})", $"{EdgeRun} {lines} (--pretrained)", Cmd);
            stage = EdgeSgd(stage, Cmd, reference, lr, 32, 4, 60, 4e-5);
            yield return EdgeRecipe(zoo, "Resizing uses bilinear interpolation (--interpolation 1, cv2.INTER_LINEAR). TI's training logs for " +
                "the COCOSeg21 models are in edgeai-modelzoo but stored outside git; only the command was read.", stage);
        }

        // Cityscapes MobileNetV2: the commands set only the size, the GPUs and the ImageNet weights; the rest is the script's defaults.
        const string mobileCitysNote = "The Cityscapes MobileNetV2 checkpoints date from 2019-2020 (an earlier TI devkit); their logs are not " +
            "published, so the optimiser settings are today's script defaults (Adam 4e-4, step schedule, 250 epochs, batch 12 on 2 GPUs).";
        foreach (var (zoo, lines, height, width, cropH, cropW) in new (string, string, int, int, int?, int?)[]
        {
            ("MobileNetV2S16+DeepLabV3Lite_Cityscapes_768x384", "L119-121", 384, 768, null, null),
            ("MobileNetV2+UNetLite_Cityscapes_768x384", "L129-131", 384, 768, null, null),
            ("MobileNetV2+FPNLite_Cityscapes_768x384", "L124-126", 384, 768, null, null),
            ("MobileNetV2+FPNLite_Cityscapes_1536x768", "L136-138", 768, 1536, 512, 1024),
        })
        {
            var stage = EdgeStage("Cityscapes", height, width, cropH, cropW, mobileInit, $"{EdgeRun} {lines} (--pretrained {MobileNetV2Weights})", Cmd);
            stage = (stage with { Gpus = 2 }).WithSource(Cmd, $"{EdgeRun} {lines} (--gpus 0 1)", Gpus);
            yield return EdgeRecipe(zoo, mobileCitysNote, stage);
        }

        // QAT: the float model trained on for 10 epochs at lr 1e-5 with 8-bit quantisation (train_segmentation_main.py main()).
        foreach (var (zoo, floatZoo, lines) in new[]
        {
            ("MobileNetV2S16+DeepLabV3Lite-QAT_Cityscapes_768x384", "MobileNetV2S16+DeepLabV3Lite_Cityscapes_768x384", "L119-121"),
            ("MobileNetV2+UNetLite-QAT_Cityscapes_768x384", "MobileNetV2+UNetLite_Cityscapes_768x384", "L129-131"),
            ("MobileNetV2+FPNLite-QAT_Cityscapes_768x384", "MobileNetV2+FPNLite_Cityscapes_768x384", "L124-126"),
        })
        {
            var stage = EdgeStage("Cityscapes", 384, 768, null, null, $"the zoo's {floatZoo} (its training run's model_best.pth)",
                $"{EdgeMain} L138 (pretrained = the training phase's model_best.pth)", Default);
            stage = (stage with { Name = "qat", LearningRate = 1e-5, Epochs = 10, Gpus = 2, QuantizationAware = true, InitFromZoo = floatZoo })
                .WithSource(Default, $"{EdgeMain} L126-144 (after training with --quantize True: phase 'training_quantize', lr 1e-5, epochs 10)", Lr, Ep)
                .WithSource(Cmd, $"{EdgeRun} {lines} (--gpus 0 1)", Gpus);
            yield return EdgeRecipe(zoo,
                "Quantisation-aware training (8-bit weights and activations) is not implemented in SegNets: the zoo builds the float network, " +
                "which this recipe's float stage is the recipe of. " + mobileCitysNote, stage);
        }

        // Cityscapes RegNetX: SGD + cosine, lr 0.1, batch 16 on 4 GPUs; length and weight decay from the script defaults.
        foreach (var (zoo, encoder, lines, height, width, cropH, cropW) in new (string, string, string, int, int, int?, int?)[]
        {
            ("RegNetX800MF+FPNLite_Cityscapes_768x384", "regnetx800mf", "L85-88", 384, 768, null, null),
            ("RegNetX1.6GF+FPNLite_Cityscapes_1024x512", "regnetx1.6gf", "L91-94", 512, 1024, null, null),
            ("RegNetX3.2FF+FPNLite_Cityscapes_1536x768", "regnetx3.2gf", "L109-112", 768, 1536, 512, 1024),
            ("RegNetX400MF+FPNLite_Cityscapes_768x384", "regnetx400mf", "L79-82", 384, 768, null, null),
            ("RegNetX400MF+FPNLite_Cityscapes_1536x768", "regnetx400mf", "L103-106", 768, 1536, 512, 1024),
        })
        {
            var stage = EdgeStage("Cityscapes", height, width, cropH, cropW, $"ImageNet {encoder} (pycls {PyclsWeights(encoder)})",
                $"{EdgeRun} {lines} (--pretrained)", Cmd);
            stage = EdgeSgd(stage, Cmd, $"{EdgeRun} {lines} (--gpus 0 1 2 3 --batch_size 16 --optimizer sgd --scheduler cosine --lr 1e-1)", 0.1, 16, 4);
            yield return EdgeRecipe(zoo, "The command sets no length or weight decay: 250 epochs and 1e-4 are the script's defaults; the " +
                "checkpoints' logs are not published.", stage);
        }

        // torchvision's FCN / DeepLabV3 on Cityscapes, trained by TI: TI publishes neither command nor log.
        foreach (var (zoo, model) in new[] { ("ResNet50+FCN_Cityscapes_1040x520", "fcn_resnet50"), ("ResNet50+DeepLabV3_Cityscapes_1040x520", "deeplabv3_resnet50") })
        {
            var stage = TorchvisionRecipes.VisionStage("cityscapes", "cityscapes", "Cityscapes gtFine", "torchvision has no Cityscapes reader; the fine 'train' split assumed",
                "ResNet50_Weights.IMAGENET1K_V1", 0.02, null, true, Cmd, $"{TorchvisionRecipes.VisionReadme} ## {model} (--lr 0.02 -b 4 --aux-loss)");
            var assumed = stage.Sources.ToDictionary(s => s.Key,
                s => new RecipeSource(Assumed, $"TI publishes no recipe; torchvision's {model} recipe assumed: {s.Value.Reference}"));
            stage = stage with { Sources = assumed.AsReadOnly() };
            yield return new TrainingRecipe
            {
                ZooName = zoo, TrainedWith = "unknown (TI; torchvision's architecture)", Stages = [stage],
                Notes = "TI lists this torchvision network on Cityscapes (1040x520 = short side 520) without weights, command or log; every " +
                    "number is torchvision's own COCO recipe for the same architecture, applied to Cityscapes. " + TorchvisionRecipes.VisionNotes,
            };
        }
    }
}
