using SegNets.Backbones;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.GluonCV;

// GluonCV: scripts/segmentation/train.py with the per-model commands the model-zoo table links (dmlc/web-data
// gluoncv/logs/segmentation/*.sh) and, where they exist, the training logs next to them.
static class GluonCVRecipes
{
    const string GluonCv = "dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52";
    const string GluonCv2018 = "dmlc/gluon-cv@0ed0fafff859bf01e882acc5a2c65597d219627c";
    const string WebData = "dmlc/web-data@0818ee5787b3824f1bca2f4bd98ef6abe689f7db:gluoncv/logs/segmentation/";
    const string Nvidia = "NVIDIA/semantic-segmentation";

    const string GluonNotes =
        "GluonCV's random scale draws the long side as an integer in [0.5, 2.0] x base size; images and labels smaller than the crop " +
        "are padded with 0 (background for VOC/COCO labels, ignored for ADE20K and Cityscapes). The head and auxlayer train at 10x " +
        "the learning rate (lr_mult in the model's constructor). The batch size is for all GPUs together; with --syncbn, batch " +
        "statistics are shared across them.";

    static string GTrain(string where) => $"{GluonCv}:scripts/segmentation/train.py {where}";

    static string Script(string name) => $"{WebData}{name}.sh";

    static (string Name, string Dataset, string ImageSet, string Split, string? Val, string SplitSource) GluonData(string dataset) => dataset switch
    {
        "ade" => ("ade20k", "ade20k", "ADE20K SceneParsing (ADEChallengeData2016)", "train", "val",
            GTrain("L41 --train-split train; gluoncv/data/ade20k/segmentation.py (images/training)")),
        "coco" => ("coco", "coco-voc", "COCO 2017, 20 VOC categories (train2017 images with more than 1000 labelled pixels)", "train", "val",
            $"{GluonCv}:gluoncv/data/mscoco/segmentation.py L55 (instances_train2017), L127 (> 1000 pixels)"),
        "pascal_aug" => ("pascal_aug", "voc", "SBD (GluonCV's VOCaug: dataset/img, dataset/cls)", "trainval", "val",
            $"{GluonCv}:gluoncv/data/pascal_aug/segmentation.py L48-49 (split 'train' reads SBD trainval.txt)"),
        "voc" => ("pascal_voc", "voc", "Pascal VOC 2012", "trainval", "val",
            $"{GluonCv}:gluoncv/data/pascal_voc/segmentation.py L51-52 (split 'train' reads ImageSets/Segmentation/trainval.txt)"),
        "citys" => ("citys", "cityscapes", "Cityscapes gtFine", "train", "val",
            $"{GluonCv}:gluoncv/data/cityscapes.py L86-106 (leftImg8bit/train with gtFine/train labelIds)"),
        _ => throw new ArgumentException(dataset),
    };

    // train.py's defaults as the stage of one model: what a command that sets nothing else trains with.
    static TrainingStage GluonStage(string arch, string dataset, string initFrom, string initSource, RecipeEvidence initEvidence)
    {
        var (stageName, labels, imageSet, split, val, splitSource) = GluonData(dataset);
        string head = arch switch
        {
            "fcn" => "gluoncv/model_zoo/fcn.py L50, L54",
            "psp" => "gluoncv/model_zoo/pspnet.py L44, L48",
            "deeplab" => "gluoncv/model_zoo/deeplabv3.py L52, L56",
            _ => throw new ArgumentException(arch),
        };
        return new TrainingStage
        {
            Name = stageName, Dataset = labels, ImageSet = imageSet, TrainSplit = split, ValSplit = val,
            Optimizer = OptimizerKind.Sgd, LearningRate = 1e-3, Momentum = 0.9, WeightDecay = 1e-4, Epochs = 50, BatchSize = 16,
            LrSchedule = ScheduleKind.Poly, PolyPower = 0.9, WarmupEpochs = 0, HeadLrMultiplier = 10,
            BaseSize = 520, CropHeight = 480, CropWidth = 480, ScaleMode = ScaleMode.LongSide, ScaleMin = 0.5, ScaleMax = 2.0,
            FlipProbability = 0.5, RotationDegrees = 0, GaussianBlurProbability = 0.5, InitFrom = initFrom,
        }
        .WithSource(Default, splitSource, Split)
        .WithSource(Default, GTrain("L58 --optimizer sgd"), Opt)
        .WithSource(Default, GTrain("L60 --lr 1e-3"), Lr)
        .WithSource(Default, GTrain("L64 --momentum 0.9"), Mom)
        .WithSource(Default, GTrain("L66 --weight-decay 1e-4, on every parameter (--no-wd not given)"), Wd)
        .WithSource(Default, GTrain("L48 --epochs 50"), Ep)
        .WithSource(Default, GTrain("L52 --batch-size 16 (one DataLoader batch, split over the GPUs)"), Batch)
        .WithSource(Default, GTrain("L202-209: linear warmup over --warmup-epochs (L62, default 0), then poly with power 0.9 per iteration"),
            Sched, Power, Warmup)
        .WithSource(Default, $"{GluonCv}:{head} (head and auxlayer lr_mult 10)", HeadMult)
        .WithSource(Default, GTrain("L37-40 --base-size 520 --crop-size 480"), Base, CropH, CropW)
        .WithSource(Default, $"{GluonCv}:gluoncv/data/segbase.py L53 (long side = randint(0.5 x base, 2.0 x base))", ScaleLo, ScaleHi)
        .WithSource(Default, $"{GluonCv}:gluoncv/data/segbase.py L48 (mirror when random() < 0.5)", Flip)
        .WithSource(Default, $"{GluonCv}:gluoncv/data/segbase.py L78-80 (Gaussian blur, radius U(0, 1), when random() < 0.5)", Blur)
        .WithSource(Default, $"{GluonCv}:gluoncv/data/segbase.py _sync_transform (no rotation)", Rotation)
        .WithSource(initEvidence, initSource, Init);
    }

    static string ImageNetBackbone(string backbone) => backbone.StartsWith("resnest", StringComparison.Ordinal)
        ? $"ImageNet {backbone} (GluonCV model store)" : $"ImageNet {backbone}_v1s (GluonCV model store)";

    static string ImageNetSource(string backbone) =>
        $"{GluonCv}:gluoncv/model_zoo/segbase.py L42-48, L75 (get_backbone('{backbone}', pretrained=pretrained_base=True))";

    // The command's flags that GluonCV's scripts share: --aux --syncbn --ngpus N --lr X [--epochs E].
    static TrainingStage GluonCommand(TrainingStage stage, RecipeEvidence evidence, string reference, double lr, int gpus, int? epochs, bool aux = true)
    {
        stage = stage with { LearningRate = lr, Gpus = gpus, SyncBatchNorm = true };
        stage = stage.WithSource(evidence, reference, Lr, Gpus);
        if (epochs is int e) stage = (stage with { Epochs = e }).WithSource(evidence, reference, Ep);
        if (aux)
            stage = (stage with { AuxLoss = true, AuxWeight = 0.5, AuxLrMultiplier = 10 })
                .WithSource(Default, GTrain("L46 --aux-weight 0.5 (with --aux in the command)"), AuxW)
                .WithSource(Default, $"{GluonCv}:gluoncv/model_zoo/fcn.py L54 (auxlayer lr_mult 10; same in pspnet.py, deeplabv3.py)", AuxMult);
        return stage;
    }

    static TrainingRecipe GluonRecipe(string zoo, string notes, params TrainingStage[] stages) => new()
    {
        ZooName = zoo, TrainedWith = "GluonCV scripts/segmentation/train.py (MXNet)", Stages = stages,
        Notes = $"{notes} {GluonNotes}".Trim(),
    };

    internal static IEnumerable<TrainingRecipe> All()
    {
        // ADE20K: ImageNet backbone, 4 GPUs, lr 0.01, 120 epochs.
        foreach (var (zoo, arch, backbone) in new[]
        {
            ("fcn_resnet50_ade", "fcn", "resnet50"), ("fcn_resnet101_ade", "fcn", "resnet101"), ("psp_resnet50_ade", "psp", "resnet50"),
            ("psp_resnet101_ade", "psp", "resnet101"), ("deeplab_resnet50_ade", "deeplab", "resnet50"), ("deeplab_resnet101_ade", "deeplab", "resnet101"),
        })
        {
            var stage = GluonStage(arch, "ade", ImageNetBackbone(backbone), ImageNetSource(backbone), Default);
            stage = GluonCommand(stage, Cmd, $"{Script(zoo)} (--aux --lr 0.01 --syncbn --ngpus 4 --epochs 120)", 0.01, 4, 120);
            yield return GluonRecipe(zoo, "", stage);
        }

        // ResNeSt on ADE20K: 8 GPUs, --model-zoo without --pretrained builds the net on an ImageNet ResNeSt (pretrained_base).
        foreach (var depth in new[] { 50, 101, 200, 269 })
        {
            string zoo = $"deeplab_resnest{depth}_ade", backbone = $"resnest{depth}";
            var stage = GluonStage("deeplab", "ade", ImageNetBackbone(backbone), ImageNetSource(backbone), Default);
            string notes = "ResNeSt's DropBlock is set to probability 0 for training (train.py L175-178).";
            if (depth == 200)
            {
                stage = GluonCommand(stage, Assumed,
                    $"not published for deeplab_resnest200_ade (its table row has no command); the 50/101/269 commands, e.g. {Script("deeplab_resnest101_ade")}",
                    0.01, 8, 120);
                notes += " GluonCV publishes no command or log for deeplab_resnest200_ade: the settings are those of the 50/101/269 commands. " +
                    "The deeplab_resnest269_ade.log holds several unfinished resnest200 runs (epochs 180, lr 0.01 or 0.005, warmup 5 epochs), so " +
                    "the released resnest200 weights may come from a longer schedule.";
            }
            else
            {
                stage = GluonCommand(stage, Cmd, $"{Script(zoo)} (--aux --lr 0.01 --syncbn --ngpus 8 --epochs 120 --base-size 520 --crop-size 480)",
                    0.01, 8, 120).WithSource(Cmd, Script(zoo), Base, CropH, CropW);
                if (depth == 269)
                    stage = stage.WithSource(Log, $"{WebData}deeplab_resnest269_ade.log (last Namespace: batch_size=16, warmup_epochs=0)", Batch, Warmup);
            }
            yield return GluonRecipe(zoo, notes, stage);
        }

        // COCO (20 VOC categories): ImageNet backbone, 4 GPUs, lr 0.01, 30 epochs.
        foreach (var (zoo, arch) in new[] { ("fcn_resnet101_coco", "fcn"), ("psp_resnet101_coco", "psp"), ("deeplab_resnet101_coco", "deeplab") })
        {
            var stage = GluonStage(arch, "coco", ImageNetBackbone("resnet101"), ImageNetSource("resnet101"), Default);
            stage = GluonCommand(stage, Cmd, $"{Script(zoo)} (--aux --lr 0.01 --syncbn --ngpus 4 --epochs 30)", 0.01, 4, 30);
            yield return GluonRecipe(zoo, "", stage);
        }
        {
            var stage = GluonStage("deeplab", "coco", ImageNetBackbone("resnet152"), ImageNetSource("resnet152"), Default);
            stage = GluonCommand(stage, Assumed, $"not published for deeplab_resnet152_coco; {Script("deeplab_resnet101_coco")} with --backbone resnet152",
                0.01, 4, 30);
            yield return GluonRecipe("deeplab_resnet152_coco",
                "GluonCV publishes no command for deeplab_resnet152_coco (it is in the model store, not in the tables); the ResNet-101 COCO command is assumed.",
                stage);
        }

        // VOC: the COCO model fine-tuned on SBD (pascal_aug) at lr 1e-3, then on VOC 2012 trainval at lr 1e-4 (test-server numbers).
        foreach (var (zoo, arch, backbone) in new[]
        {
            ("fcn_resnet101_voc", "fcn", "resnet101"), ("psp_resnet101_voc", "psp", "resnet101"),
            ("deeplab_resnet101_voc", "deeplab", "resnet101"), ("deeplab_resnet152_voc", "deeplab", "resnet152"),
        })
        {
            string coco = $"{arch}_{backbone}_coco";
            bool published = backbone == "resnet101";
            var evidence = published ? Cmd : Assumed;
            string script = published ? Script(zoo) : $"not published for {zoo}; {Script("deeplab_resnet101_voc")} with resnet152 and deeplab_resnet152_coco";
            var aug = GluonStage(arch, "pascal_aug", $"the zoo's {coco} (COCO-trained)",
                $"{script} (--model-zoo {coco}); train.py loaded the zoo weights for --model-zoo ({GluonCv2018}:scripts/segmentation/train.py L128 " +
                "get_model(args.model_zoo, pretrained=True)); today's train.py needs --pretrained for that", evidence) with { InitFromZoo = coco };
            aug = GluonCommand(aug, evidence, $"{script} (first command: --dataset pascal_aug --aux --lr 0.001 --syncbn --ngpus 4)", 0.001, 4, null);
            var voc = GluonStage(arch, "voc", "the pascal_aug stage", $"{script} (second command: --resume runs/pascal_aug/.../checkpoint.params)", evidence);
            voc = GluonCommand(voc, evidence, $"{script} (second command: --dataset pascal_voc --aux --lr 0.0001 --syncbn --ngpus 4)", 0.0001, 4, null);
            if (published)
                voc = voc.WithSource(Log,
                    $"{WebData}{zoo}.log (Namespace: dataset='pascal_voc', lr=0.0001, epochs=50, batch_size=16, momentum=0.9, weight_decay=0.0001, " +
                    "aux_weight=0.5, ngpus=4)", Lr, Ep, Batch, Mom, Wd, AuxW, Gpus);
            string notes = "Both stages train on 'train' splits that GluonCV maps to the trainval lists: SBD trainval, then VOC 2012 trainval " +
                "(the reported number is from the VOC test server). The pascal_aug stage's length is train.py's default (50 epochs).";
            if (!published)
                notes += " GluonCV publishes no command for deeplab_resnet152_voc: the ResNet-101 VOC commands are assumed, starting from deeplab_resnet152_coco.";
            yield return GluonRecipe(zoo, notes, aug, voc);
        }

        // Cityscapes: ImageNet backbone, 8 GPUs, lr 0.01, 240 epochs, base 2048, crop 768.
        foreach (var (zoo, arch, backbone) in new[]
        {
            ("psp_resnet101_citys", "psp", "resnet101"), ("deeplab_resnet50_citys", "deeplab", "resnet50"), ("deeplab_resnet101_citys", "deeplab", "resnet101"),
        })
        {
            bool published = zoo == "psp_resnet101_citys";
            var evidence = published ? Cmd : Assumed;
            string reference = published
                ? $"{Script(zoo)} (--aux --syncbn --ngpus 8 --lr 0.01 --epochs 240 --base-size 2048 --crop-size 768)"
                : $"not published for {zoo} (the table's link is missing from dmlc/web-data); {Script("psp_resnet101_citys")}";
            var stage = GluonStage(arch, "citys", ImageNetBackbone(backbone), ImageNetSource(backbone), Default);
            stage = GluonCommand(stage, evidence, reference, 0.01, 8, 240) with { BaseSize = 2048, CropHeight = 768, CropWidth = 768 };
            stage = stage.WithSource(evidence, reference, Base, CropH, CropW);
            if (published) stage = stage.WithSource(Log, $"{WebData}psp_resnet101_citys.log (epochs 0-239 logged)", Ep);
            string notes = published ? "" : $"GluonCV's command for {zoo} is not in dmlc/web-data; psp_resnet101_citys's settings are assumed.";
            yield return GluonRecipe(zoo, notes, stage);
        }

        yield return Vplr();
    }

    // deeplab_v3b_plus_wideresnet_citys: NVIDIA's VPLR network (DeepWV3Plus), whose weights GluonCV converted; GluonCV's table links
    // a command that dmlc/web-data does not have, so the recipe is NVIDIA's.
    static TrainingRecipe Vplr()
    {
        const string script = Nvidia + "@dd9bebbcd87c7dc24c30ddadccc69814c85d3768:scripts/train_cityscapes_WideResNet38.sh";
        const string mapillary = Nvidia + "@dd9bebbcd87c7dc24c30ddadccc69814c85d3768:scripts/train_mapillary_WideResNet38.sh";
        const string train = Nvidia + "@1dc5e3bc7bd48d438199374afc199a4ad6ddcdad:train.py";
        var stage = new TrainingStage
        {
            Name = "cityscapes", Dataset = "cityscapes", ImageSet = "Cityscapes gtFine (+ gtCoarse for the boosted classes)",
            TrainSplit = "cv 2 (NVIDIA's cross-validation fold of train+val)", Optimizer = OptimizerKind.Sgd, LearningRate = 0.001, Momentum = 0.9,
            WeightDecay = 1e-4, Epochs = 175, BatchSize = 16, Gpus = 8, LrSchedule = ScheduleKind.Poly, PolyPower = 1.0, WarmupEpochs = 0,
            HeadLrMultiplier = 1, CropHeight = 896, CropWidth = 896, ScaleMode = ScaleMode.Image, ScaleMin = 0.5, ScaleMax = 2.0,
            FlipProbability = 0.5, RotationDegrees = 0, GaussianBlurProbability = 0.5, SyncBatchNorm = true,
            ClassWeights = "none; boundary label relaxation (--jointwtborder, strict classes 5,6,7,11,12,17,18, off after epoch 100) and " +
                "class-uniform sampling of half the images (1024 tiles)",
            InitFrom = "NVIDIA's Mapillary Vistas DeepWV3Plus (train_mapillary_WideResNet38.sh: SGD lr 0.02, poly 1.0, 175 epochs, crop 896, 8 GPUs x 2), " +
                "itself from an ImageNet WideResNet-38",
        }
        .WithSource(Cmd, $"{script} (--cv 2 --coarse_boost_classes 14,15,16,3,12,17,4)", Split)
        .WithSource(Cmd, $"{script} (--sgd --lr 0.001 --max_epoch 175 --bs_mult 2, nproc_per_node=8)", Opt, Lr, Ep, Batch, Gpus)
        .WithSource(Default, $"{train} (--momentum 0.9, --weight_decay 1e-4)", Mom, Wd)
        .WithSource(Cmd, $"{script} (--lr_schedule scl-poly --poly_exp 1.0; --repoly 1.5 --rescale 1.0 restart after the class-uniform epochs)", Sched, Power)
        .WithSource(Default, $"{train} (no warmup option)", Warmup)
        .WithSource(Assumed, "NVIDIA's optimizer.py was not read; one learning rate for all parameters assumed", HeadMult)
        .WithSource(Cmd, $"{script} (--crop_size 896 --scale_min 0.5 --scale_max 2.0)", CropH, CropW, ScaleLo, ScaleHi)
        .WithSource(Assumed, "NVIDIA's joint transforms were not read: a p 0.5 mirror, no rotation, and p 0.5 for --gblur are assumed", Flip, Rotation, Blur)
        .WithSource(Cmd, $"{script} (--jointwtborder --strict_bdr_cls --rlx_off_epoch 100 --class_uniform_pct 0.5 --class_uniform_tile 1024)", Weights)
        .WithSource(Cmd, $"{script} (--snapshot YOUR_TRAINED_MAPILLARY_MODEL); {mapillary}", Init);
        return new TrainingRecipe
        {
            ZooName = "deeplab_v3b_plus_wideresnet_citys", WeightsConverted = true,
            TrainedWith = "NVIDIA/semantic-segmentation train.py (PyTorch, apex fp16); weights converted by GluonCV",
            Stages = [stage],
            Notes = "GluonCV converted NVIDIA's VPLR release and publishes no training command (the table's link is missing from dmlc/web-data); " +
                "the recipe is NVIDIA's example command. The reported 83.5 mIoU also depends on video-propagated labels (SDCNet) and " +
                "Cityscapes coarse data, which NVIDIA's command does not show; its cross-validation fold may put Cityscapes val images into " +
                "training. Mapillary Vistas is not a SegNets dataset, so the first stage is only described in InitFrom. " +
                "Colour augmentation 0.25 (--color_aug) is not recorded in the fields.",
        };
    }
}
