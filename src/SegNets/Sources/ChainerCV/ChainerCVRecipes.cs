using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.ChainerCV;

// ChainerCV: examples/pspnet/train_multi.py and examples/segnet/train.py trained the released PSPNet and SegNet weights;
// DeepLabV3+ was converted from TensorFlow DeepLab's frozen graphs (examples/deeplab/README.md), so its recipe is TF's.
static class ChainerCVRecipes
{
    const string ChainerCV = "chainer/chainercv@7159616642e0be7c5b3ef380b848e16b7e99355b";
    const string TfModels = "tensorflow/models";
    const string TfTrain = TfModels + "@0307688c456bf06218a4631e853649098cc441d7:research/deeplab/train.py";
    internal const string TfZoo = TfModels + "@1c8526da2e2e5eeda6485e1bdcacdd86b117131d:research/deeplab/g3doc/model_zoo.md";
    const string TfPreprocess = TfModels + "@e2e441f88420deb1a58c3e420fc26a8175c58d34:research/deeplab/input_preprocess.py";

    static string PspTrain(string where) => $"{ChainerCV}:examples/pspnet/train_multi.py {where}";

    static TrainingRecipe ChainerPsp(int depth, string dataset)
    {
        bool citys = dataset == "cityscapes";
        int size = citys ? 713 : 473, iterations = citys ? 90000 : 150000;
        string command = $"{ChainerCV}:examples/pspnet/README.md (mpiexec -n 8 python3 train_multi.py --dataset {dataset} --model pspnet_resnet{depth} --iteration {iterations})";
        var stage = new TrainingStage
        {
            Name = dataset, Dataset = citys ? "cityscapes" : "ade20k",
            ImageSet = citys ? "Cityscapes gtFine (fine only)" : "ADE20K SceneParsing (ADEChallengeData2016)", TrainSplit = "train", ValSplit = "val",
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-4, WeightDecayOnNormParameters = false,
            Iterations = iterations, BatchSize = 16, Gpus = 8, LrSchedule = ScheduleKind.Poly, PolyPower = 0.9, WarmupEpochs = 0, HeadLrMultiplier = 10,
            AuxLoss = true, AuxWeight = 0.4, AuxLrMultiplier = 10, CropHeight = size, CropWidth = size, ScaleMode = ScaleMode.Image,
            ScaleMin = 0.5, ScaleMax = 2.0, FlipProbability = 0.5, RotationDegrees = 10, GaussianBlurProbability = 0, SyncBatchNorm = true,
            InitFrom = $"ImageNet DilatedResNet{depth} (ChainerCV pspnet_resnet{depth}_imagenet_trained_2018_11_26.npz)",
        }
        .WithSource(Default, PspTrain(citys ? "L229-232 (CityscapesSemanticSegmentationDataset, label_resolution='fine', split='train')"
            : "L222-224 (ADE20KSemanticSegmentationDataset split='train')"), Split)
        .WithSource(Default, PspTrain("L173 --lr 1e-2, L253-254 MomentumSGD(lr, 0.9)"), Opt, Lr, Mom)
        .WithSource(Default, PspTrain("L256-258 (WeightDecay(1e-4) on every parameter but BN beta/gamma)"), Wd)
        .WithSource(Cmd, command, It, Gpus)
        .WithSource(Cmd, $"{command}; {PspTrain("L174 --batchsize 2 (per process)")}", Batch)
        .WithSource(Default, PspTrain("L268-270 (PolynomialShift('lr', 0.9, n_iter) every iteration; no warmup)"), Sched, Power, Warmup)
        .WithSource(Default, PspTrain("L259-263 (GradientScaling(10) on ppm, head_conv1/2 and the aux convs)"), HeadMult, AuxMult)
        .WithSource(Default, PspTrain("L160 (loss = 0.4 * aux_loss + main_loss)"), AuxW)
        .WithSource(Default, PspTrain($"L180-189 (input_size {size}), L98-105 random crop, L118-124 resize up when smaller"), CropH, CropW)
        .WithSource(Default, PspTrain("L81, L89-96 (scale U(0.5, 2.0) of the image, bicubic)"), ScaleLo, ScaleHi)
        .WithSource(Default, PspTrain("L126-128 (mirror when rand() > 0.5)"), Flip)
        .WithSource(Default, PspTrain("L108-113 (rotation U(-10, 10) degrees, label filled with -1)"), Rotation)
        .WithSource(Default, PspTrain("Transform (no blur)"), Blur)
        .WithSource(Default, $"{PspTrain("L203-210 (pretrained_model='imagenet')")}; {ChainerCV}:chainercv/experimental/links/model/pspnet/pspnet.py L62-71", Init);
        return new TrainingRecipe
        {
            ZooName = $"pspnet_resnet{depth}_{dataset}", TrainedWith = "ChainerCV examples/pspnet/train_multi.py (Chainer, ChainerMN)",
            Stages = [stage],
            Notes = "The head and auxiliary convolutions scale their gradients by 10 (with momentum SGD the same as 10x their learning rate). " +
                "Batch normalisation is ChainerMN's multi-node BN (statistics over all 8 GPUs). ChainerCV's own mIoU is below the paper's " +
                "(its README: 73.99/76.01 Cityscapes, 34.97/36.55 ADE20K), which this recipe reproduces, not the paper's.",
        };
    }

    // TensorFlow DeepLab trained the Xception65 DeepLabV3+ weights that ChainerCV converted; TF documents its settings only in
    // train.py's defaults and comments and in demonstration commands with small batches.
    internal static TrainingRecipe ChainerDeepLab(string dataset)
    {
        var (labels, imageSet, split, steps, crop, doc, init) = dataset switch
        {
            "voc" => ("voc", "Pascal VOC 2012 + SBD (train_aug)", "train_aug", 30000, 513,
                $"{TfModels}@05ccaf88f7bd617a614f96a2414602f571cc2768:research/deeplab/g3doc/pascal.md",
                "an ImageNet + MS-COCO pretrained Xception-65 (TF DeepLab; the COCO stage is not published)"),
            "cityscapes" => ("cityscapes", "Cityscapes gtFine", "train (train_fine)", 90000, 769,
                $"{TfModels}@1ad6b48fc34873a3017f61310b52ef9d027c5963:research/deeplab/g3doc/cityscapes.md",
                "ImageNet Xception-65 (TF DeepLab xception_65 checkpoint)"),
            "ade20k" => ("ade20k", "ADE20K SceneParsing (ADEChallengeData2016)", "train", 150000, 513,
                $"{TfModels}@3100470fe48ae83c6b4fe3e8ceb3a8db560aa4d2:research/deeplab/g3doc/ade20k.md",
                "ImageNet Xception-65 (TF DeepLab xception_65 checkpoint)"),
            _ => throw new ArgumentException(dataset),
        };
        var stage = new TrainingStage
        {
            Name = dataset, Dataset = labels, ImageSet = imageSet, TrainSplit = split, ValSplit = "val",
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.007, Momentum = 0.9, WeightDecay = 4e-5, Iterations = steps, BatchSize = 16,
            LrSchedule = ScheduleKind.Poly, PolyPower = 0.9, WarmupEpochs = 0, HeadLrMultiplier = 1, CropHeight = crop, CropWidth = crop,
            ScaleMode = ScaleMode.Image, ScaleMin = 0.5, ScaleMax = 2.0, ScaleStep = 0.25, FlipProbability = 0.5, RotationDegrees = 0,
            GaussianBlurProbability = 0, InitFrom = init,
        }
        .WithSource(Doc, $"{TfZoo} ({(dataset == "voc" ? "xception_coco_voc_trainaug: VOC 2012 train_aug" : dataset == "cityscapes" ? "xception_cityscapes_trainfine" : "xception_ade20k_train")})", Split, Init)
        .WithSource(dataset == "voc" ? Doc : Assumed, dataset == "voc"
            ? $"{TfTrain} (comment: 'Use 0.007 when training on PASCAL augmented training set, train_aug')"
            : $"not published for {dataset}; the train_aug rate of {TfTrain}'s comment", Lr)
        .WithSource(Default, $"{TfTrain} (MomentumOptimizer, --momentum 0.9; --learning_policy poly, --learning_power 0.9; --slow_start_step 0)",
            Opt, Mom, Sched, Power, Warmup)
        .WithSource(Doc, $"{TfTrain} (--weight_decay 0.00004, 'use 0.00004 for MobileNet-V2 or Xception')", Wd)
        .WithSource(dataset == "voc" ? Default : Doc, dataset == "voc" ? $"{TfTrain} (--training_number_of_steps 30000)" : $"{doc} (--training_number_of_steps={steps})", It)
        .WithSource(Assumed, $"{TfTrain} comment: batch 'larger than 12 (batch size more than 16 is better)' with fine_tune_batch_norm; " +
            $"{doc} trains with a small demonstration batch", Batch)
        .WithSource(Default, $"{TfTrain} (--last_layer_gradient_multiplier 1.0)", HeadMult)
        .WithSource(dataset == "voc" ? Default : Doc, dataset == "voc" ? $"{TfTrain} (--train_crop_size 513,513)" : $"{doc} (--train_crop_size={crop})", CropH, CropW)
        .WithSource(Default, $"{TfTrain} (--min_scale_factor 0.5 --max_scale_factor 2.0 --scale_factor_step_size 0.25)", ScaleLo, ScaleHi, ScaleStep)
        .WithSource(Default, $"{TfPreprocess} (_PROB_OF_FLIP = 0.5; no rotation or blur)", Flip, Rotation, Blur);
        if (dataset == "ade20k")
            stage = (stage with { ResizeHeight = 513, ResizeWidth = 513 }).WithSource(Doc, $"{doc} (--min_resize_value=513 --max_resize_value=513)", ResizeH, ResizeW);
        return new TrainingRecipe
        {
            ZooName = $"deeplab_v3plus_xception65_{dataset}", WeightsConverted = true,
            TrainedWith = "TensorFlow DeepLab research/deeplab/train.py; weights converted by ChainerCV examples/deeplab/tf2npz.py",
            Stages = [stage],
            Notes = "Conversion only: ChainerCV did not train this model (examples/deeplab/README.md converts TF DeepLab's frozen graph). " +
                "TF DeepLab trains at output stride 16 (atrous rates 6/12/18, decoder stride 4) with batch-norm fine-tuning and evaluates the " +
                "released graph at output stride 8; it publishes no exact command for its released checkpoints, only train.py defaults, comments " +
                "and demonstration commands with small batches. Batch size 16 is assumed from train.py's comment." +
                (dataset == "voc" ? " The VOC checkpoint was first pretrained on MS-COCO, a stage TF does not publish." : "") +
                (dataset == "cityscapes" ? " The Cityscapes learning rate is not published; 0.007 is assumed." : "") +
                (dataset == "ade20k" ? " The ADE20K learning rate is not published; 0.007 is assumed." : ""),
        };
    }

    static TrainingRecipe ChainerSegNet()
    {
        static string SegTrain(string where) => $"{ChainerCV}:examples/segnet/train.py {where}";
        var stage = new TrainingStage
        {
            Name = "camvid", Dataset = "camvid", ImageSet = "CamVid (SegNet's 11-class version, 360x480)", TrainSplit = "train", ValSplit = "val",
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, WeightDecay = 5e-4, Iterations = 16000, BatchSize = 12, Gpus = 1,
            LrSchedule = ScheduleKind.Constant, WarmupEpochs = 0, HeadLrMultiplier = 1, CropHeight = 360, CropWidth = 480, ScaleMode = ScaleMode.None,
            FlipProbability = 0.5, RotationDegrees = 0, GaussianBlurProbability = 0,
            ClassWeights = "median frequency balancing: median(freq) / freq, freq(c) = pixels of c / pixels of the train images that contain c",
            InitFrom = "random initialisation (HeNormal convolutions), no pretrained weights",
        }
        .WithSource(Default, SegTrain("L76 (CamVidDataset(split='train'))"), Split)
        .WithSource(Default, SegTrain("L96-98 (MomentumSGD(lr=0.1, momentum=0.9), WeightDecay(rate=0.0005))"), Opt, Lr, Mom, Wd)
        .WithSource(Default, SegTrain("L73 (end_trigger 16000 iterations)"), It)
        .WithSource(Default, SegTrain("L64-65 (--gpu, one device; --batchsize 12)"), Batch, Gpus)
        .WithSource(Default, SegTrain("L95-105 (no learning-rate extension: constant rate, no warmup)"), Sched, Warmup)
        .WithSource(Default, SegTrain("L96-98 (one optimizer for all parameters)"), HeadMult)
        .WithSource(Default, SegTrain("L54-59 (transform: mirror when rand() > 0.5, no crop or scale)"), CropH, CropW, ScaleLo, ScaleHi, Flip, Rotation, Blur)
        .WithSource(Default, $"{ChainerCV}:examples/segnet/calc_weight.py; {SegTrain("L86-89 (PixelwiseSoftmaxClassifier(class_weight))")}", Weights)
        .WithSource(Default, $"{ChainerCV}:chainercv/links/model/segnet/segnet_basic.py L59-65 (pretrained_model None, HeNormal)", Init);
        return new TrainingRecipe
        {
            ZooName = "segnet_camvid", TrainedWith = "ChainerCV examples/segnet/train.py (Chainer)", Stages = [stage],
            Notes = "After training, train.py recomputes every batch-norm layer's running mean and variance as the average over the train set " +
                "in batches of 24 (recalculate_bn_statistics, L29-51, L135-137). The class weights come from examples/segnet/calc_weight.py " +
                "over CamVid train (label -1 skipped). ChainerCV's README states the same optimiser settings as the original Caffe SegNet.",
        };
    }

    internal static IEnumerable<TrainingRecipe> All()
    {
        yield return ChainerPsp(50, "cityscapes");
        yield return ChainerPsp(101, "cityscapes");
        yield return ChainerDeepLab("cityscapes");
        yield return ChainerPsp(50, "ade20k");
        yield return ChainerPsp(101, "ade20k");
        yield return ChainerDeepLab("ade20k");
        yield return ChainerDeepLab("voc");
        yield return ChainerSegNet();
    }
}
