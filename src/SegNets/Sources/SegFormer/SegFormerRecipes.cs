using SegNets.Data.Transforms;
using SegNets.Sources;
using SegNets.Training;
using static SegNets.Sources.RecipeFields;

namespace SegNets.Sources.SegFormer;

// TI edgeai's EdgeAI-HF-Transformers rows are NVIDIA's SegFormer weights as Hugging Face hosts them: trained by NVlabs'
// mmsegmentation-based code with its local_configs, then converted to HF's layout (transformers
// convert_segformer_original_to_pytorch.py). TI lists them without training them.
static class SegFormerRecipes
{
    const string NvB0 = "NVlabs/SegFormer@3561d14362abe60675755ee00d266308e4e3015e:local_configs/segformer/B0/segformer.b0.512x512.ade.160k.py";
    const string NvB5 = "NVlabs/SegFormer@a7c05dbc962eac9452a13e60eed7fc6f97606d9a:local_configs/segformer/B5/segformer.b5.640x640.ade.160k.py";
    const string NvAdeData = "NVlabs/SegFormer@b0304c4faa07e53d58a6947d7eb08d673613bf90:local_configs/_base_/datasets/ade20k_repeat.py";
    const string NvSchedule = "NVlabs/SegFormer@073b02d986ec4787a1dcc1f5054cad3920acba7c:local_configs/_base_/schedules/schedule_160k_8gpu_adamw.py";

    // ADEChallengeData2016 images/training.
    const int AdeTrainImages = 20210;

    const string SegFormerNotes =
        "mmsegmentation's pipeline also applies PhotoMetricDistortion and a random crop that retries until no class covers more than " +
        "75 % of it (cat_max_ratio), which SegNets does not do; its Resize scales the image within (2048 s, size s) keeping the aspect " +
        "ratio, which for ADE20K's images is the short side = size x s. Weight decay is off for parameters whose name contains 'norm' " +
        "(every LayerNorm of the encoder, not the head's BatchNorm) and the head ('decode_head') trains at 10x the learning rate; the " +
        "1500-iteration linear warmup starts at 1e-6 of the rate. SyncBN across the GPUs. The 160k schedule file the config names " +
        "(schedule_160k_adamw.py) was not read. TI lists these weights without training them.";

    internal static IEnumerable<TrainingRecipe> All()
    {
        foreach (var (zoo, mit, size, config, batchRef) in new[]
        {
            ("nvidia/segformer-b0-finetuned-ade-512-512", "mit_b0", 512, NvB0,
                $"{NvB0} data=dict(samples_per_gpu=2) (overriding {NvAdeData} samples_per_gpu=4)"),
            ("nvidia/segformer-b5-finetuned-ade-640-640", "mit_b5", 640, NvB5, $"{NvB5} data=dict(samples_per_gpu=2, ...)"),
        })
        {
            string pipeline = config == NvB0 ? NvAdeData : config;
            var stage = new TrainingStage
            {
                Name = "ade20k", Dataset = "ade20k", ImageSet = "ADE20K SceneParsing (ADEChallengeData2016)", TrainSplit = "train", ValSplit = "val",
                Optimizer = OptimizerKind.AdamW, LearningRate = 6e-5, Momentum = 0.9, AdamBeta2 = 0.999, WeightDecay = 0.01, WeightDecayOnNormParameters = false,
                Iterations = 160_000, BatchSize = 16, Gpus = 8, LrSchedule = ScheduleKind.Poly, PolyPower = 1.0,
                WarmupEpochs = 1500.0 * 16 / AdeTrainImages, WarmupStartFactor = 1e-6, HeadLrMultiplier = 10,
                BaseSize = size, CropHeight = size, CropWidth = size, ScaleMode = ScaleMode.ShortSide, ScaleMin = 0.5, ScaleMax = 2.0,
                FlipProbability = 0.5, SyncBatchNorm = true,
                InitFrom = $"ImageNet-1K {mit} (NVlabs pretrained/{mit}.pth; on the Hugging Face hub as nvidia/{mit.Replace('_', '-')})",
            };
            stage = stage
                .WithSource(Cmd, $"{pipeline} train=RepeatDataset(ADE20KDataset, img_dir='images/training')", Split)
                .WithSource(Cmd, $"{config} optimizer=dict(type='AdamW', lr=0.00006, betas=(0.9, 0.999), weight_decay=0.01)", Opt, Lr, Mom, Beta2, Wd)
                .WithSource(Cmd, $"{config} paramwise_cfg custom_keys 'head': lr_mult=10.", HeadMult)
                .WithSource(Cmd, $"{config} lr_config=dict(policy='poly', power=1.0, min_lr=0.0, by_epoch=False)", Sched, Power)
                .WithSource(Cmd, $"{config} lr_config warmup='linear', warmup_iters=1500 (= 1500 x 16 / {AdeTrainImages} epochs of ADE20K train)", Warmup)
                .WithSource(Doc, $"{config} (_base_ schedule_160k_adamw.py, not read: '160k' in the config's name; the sibling {NvSchedule} has " +
                    "runner max_iters=160000)", It)
                .WithSource(Assumed, $"{batchRef} x 8 GPUs: the SegFormer paper (not read here) reports batch 16 on 8 GPUs for ADE20K; the README leaves <GPU_NUM> open", Batch, Gpus)
                .WithSource(Cmd, $"{pipeline} Resize(img_scale=(2048, {size}), ratio_range=(0.5, 2.0)), RandomCrop(crop_size=({size}, {size})), " +
                    "RandomFlip(prob=0.5)", Base, CropH, CropW, ScaleLo, ScaleHi, Flip)
                .WithSource(Cmd, $"{pipeline} train_pipeline (no rotation, no blur: PhotoMetricDistortion only changes colours)", Rotation, Blur)
                .WithSource(Cmd, $"{config} model pretrained='pretrained/{mit}.pth'", Init);
            yield return new TrainingRecipe
            {
                ZooName = zoo, WeightsConverted = true,
                TrainedWith = "NVlabs/SegFormer tools/train.py (mmsegmentation v0.13.0); weights converted to Hugging Face's layout by " +
                    "transformers convert_segformer_original_to_pytorch.py",
                Stages = [stage], Notes = SegFormerNotes,
            };
        }
    }
}
