using SegNets.Layers;

namespace SegNets.Sources;

/// <summary>Short names for the recipe files of every family: the sourced fields of <see cref="TrainingStage"/>, so
/// that one citation can name several fields at once, and the kinds of evidence.</summary>
static class RecipeFields
{
    // Field names, for citing several fields at once.
    internal const string Split = nameof(TrainingStage.TrainSplit), Opt = nameof(TrainingStage.Optimizer), Lr = nameof(TrainingStage.LearningRate),
        Mom = nameof(TrainingStage.Momentum), Beta2 = nameof(TrainingStage.AdamBeta2), Wd = nameof(TrainingStage.WeightDecay),
        Ep = nameof(TrainingStage.Epochs), It = nameof(TrainingStage.Iterations), Batch = nameof(TrainingStage.BatchSize),
        Gpus = nameof(TrainingStage.Gpus), Sched = nameof(TrainingStage.LrSchedule), Power = nameof(TrainingStage.PolyPower),
        Milestones = nameof(TrainingStage.StepMilestones), Gamma = nameof(TrainingStage.StepGamma), Warmup = nameof(TrainingStage.WarmupEpochs),
        HeadMult = nameof(TrainingStage.HeadLrMultiplier), AuxW = nameof(TrainingStage.AuxWeight), AuxMult = nameof(TrainingStage.AuxLrMultiplier),
        Base = nameof(TrainingStage.BaseSize), ResizeH = nameof(TrainingStage.ResizeHeight), ResizeW = nameof(TrainingStage.ResizeWidth),
        CropH = nameof(TrainingStage.CropHeight), CropW = nameof(TrainingStage.CropWidth), ScaleLo = nameof(TrainingStage.ScaleMin),
        ScaleHi = nameof(TrainingStage.ScaleMax), ScaleStep = nameof(TrainingStage.ScaleStep), Flip = nameof(TrainingStage.FlipProbability),
        Rotation = nameof(TrainingStage.RotationDegrees), Blur = nameof(TrainingStage.GaussianBlurProbability),
        Weights = nameof(TrainingStage.ClassWeights), Init = nameof(TrainingStage.InitFrom);

    internal const RecipeEvidence Log = RecipeEvidence.TrainingLog, Cmd = RecipeEvidence.Command, Default = RecipeEvidence.ScriptDefault,
        Doc = RecipeEvidence.Documentation, Assumed = RecipeEvidence.Assumed;
}
