using System.Diagnostics;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Training;

/// <summary>
/// Trains a <see cref="SegmentationModel"/> the way GluonCV's scripts/segmentation/train.py does: SGD with momentum and
/// weight decay, the heads at <see cref="TrainingOptions.HeadLearningRateMultiplier"/> x the backbone's learning rate,
/// a poly schedule stepped every iteration, cross-entropy with the ignore label plus the weighted auxiliary loss.
/// After each epoch it validates (optional callback), appends to train.csv and TensorBoard, and writes a checkpoint
/// that <see cref="TrainingOptions.Resume"/> continues from exactly: model, optimizer, schedule position, torch's
/// generator and epoch are restored, and the loader's order and augmentation depend only on (seed, epoch, sample), so
/// a resumed run ends with the same weights as one that was never interrupted (on CPU).
/// </summary>
/// <remarks>
/// Batches of uint8 images (a loader without a <c>Normalize</c> transform) are normalised with the model's
/// <see cref="SegmentationModel.Normalization"/>; float batches are taken as already normalised.
/// </remarks>
public sealed class Trainer
{
    /// <summary>The name the best checkpoint's folder gets.</summary>
    public const string BestFolder = "best";

    public Trainer(SegmentationModel model, TrainingOptions options)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    public SegmentationModel Model { get; }

    public TrainingOptions Options { get; }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs of <paramref name="train"/> (resuming first when asked).
    /// </summary>
    /// <param name="train">The training batches (shuffle it: the order is its (seed, epoch) permutation).</param>
    /// <param name="validate">Called after each epoch with the 1-based epoch; returns named scores (e.g. "mIoU") that
    /// are logged and pick the best checkpoint by <see cref="TrainingOptions.BestMetric"/>.</param>
    /// <param name="progress">Per-iteration reports.</param>
    /// <param name="cancellationToken">Stops between iterations with <see cref="OperationCanceledException"/>; the
    /// newest checkpoint is that of the last finished epoch.</param>
    public TrainingResult Fit(SegmentationLoader train, Func<int, CancellationToken, IReadOnlyDictionary<string, double>>? validate = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = Options;
        var batches = train.BatchCount;
        if (batches == 0) throw new ArgumentException($"the training loader yields no batch ({train.Dataset.Count} samples, batch size {train.Options.BatchSize}, drop last {train.Options.DropLast})", nameof(train));
        var total = o.Iterations ?? (long)o.Epochs * batches;
        var epochs = (int)((total + batches - 1) / batches);
        var schedule = LearningRateSchedule.From(o, total, batches);

        var device = o.Device ?? Model.parameters().FirstOrDefault()?.device ?? CPU;
        Model.to(device);

        using var mixed = o.Precision == Precision.BFloat16 ? new MixedPrecision(Model) : null;
        // After the bfloat16 cast, which replaces the model's Parameter objects.
        var backboneParameters = Model.named_parameters().Where(p => p.name.StartsWith(o.BackbonePrefix, StringComparison.Ordinal))
            .Select(p => p.parameter).ToList();
        var (optimizer, groups) = BuildOptimizer(mixed);
        // Disposed at the end of the run: the momentum buffers are as large as the model, and a caller that trains
        // again (a sweep, fine-tuning in stages) must not keep them until some later full GC finalizes them.
        using var ownedOptimizer = optimizer;
        using var loss = new SegmentationLoss(Model.NumClasses, o.IgnoreIndex, o.ClassWeights, o.Ohem, o.AuxWeight);

        var history = new List<EpochRecord>();
        int startEpoch = 0, resumedFrom = 0;
        long iteration = 0;
        double? bestScore = null;
        int? bestEpoch = null;
        string? lastCheckpoint = null;
        var latest = o.Resume && o.OutputDirectory is not null ? TrainingCheckpoint.Latest(o.OutputDirectory) : null;
        if (latest is not null)
        {
            var state = Restore(latest, optimizer, mixed, total);
            startEpoch = resumedFrom = state.Epoch;
            iteration = state.Iteration;
            history.AddRange(state.History);
            bestScore = state.BestScore;
            bestEpoch = state.BestEpoch;
            lastCheckpoint = latest;
        }
        else
        {
            manual_seed(o.Seed);
        }

        var log = o.OutputDirectory is null ? null : new TrainingLog(o.OutputDirectory, o.TensorBoard);
        for (var epoch = startEpoch; epoch < epochs; epoch++)
        {
            Model.train();
            // A frozen parameter gets no gradient, and SGD/Adam skip parameters without one (no decay either).
            var frozen = o.FreezeBackbone || epoch < o.FreezeBackboneEpochs;
            foreach (var p in backboneParameters) p.requires_grad = !frozen;
            var watch = Stopwatch.StartNew();
            double lossSum = 0, lr = 0;
            int seen = 0, done = 0;
            foreach (var batch in train.Epoch(epoch, cancellationToken))
            {
                using var scope = NewDisposeScope();
                using var owned = batch;
                cancellationToken.ThrowIfCancellationRequested();
                if (iteration >= total) break;
                lr = schedule.At(iteration);
                foreach (var (group, factor) in groups) group.LearningRate = lr * factor;

                var x = batch.Images.dtype == ScalarType.Byte ? Model.Normalization.Apply(batch.Images) : batch.Images;
                x = x.to(device);
                if (mixed is not null) x = MixedPrecision.Input(x);
                var y = batch.Masks.to(device);
                optimizer.zero_grad();
                var output = Model.forward(x);
                var (value, _, _) = loss.Compute(output, y, o.UseAuxLoss);
                value.backward();
                mixed?.GradientsToMasters();
                if (o.GradientClipNorm is double clip)
                    nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
                optimizer.step();
                mixed?.MastersToModel();

                var v = value.item<float>();
                if (!double.IsFinite(v))
                    throw new InvalidOperationException($"the loss became {v} at epoch {epoch + 1}, iteration {iteration + 1} (batch {string.Join(", ", batch.Ids)}): lower the learning rate or check the labels");
                lossSum += v;
                seen += batch.Count;
                done++;
                iteration++;
                log?.Iteration(iteration, v, lr);
                progress?.Report(new TrainingProgress(epoch, epochs, done, batches, iteration, v, lr, "train"));
            }
            watch.Stop();

            IReadOnlyDictionary<string, double> scores = new Dictionary<string, double>();
            if (validate is not null)
            {
                progress?.Report(new TrainingProgress(epoch, epochs, done, batches, iteration, lossSum / Math.Max(1, done), lr, "validate"));
                scores = validate(epoch + 1, cancellationToken);
                Model.train();
                if (scores.TryGetValue(o.BestMetric, out var score) && (bestScore is null || score > bestScore))
                {
                    bestScore = score;
                    bestEpoch = epoch + 1;
                }
            }
            var record = new EpochRecord(epoch + 1, iteration, lr, lossSum / Math.Max(1, done), watch.Elapsed.TotalSeconds,
                seen / Math.Max(1e-9, watch.Elapsed.TotalSeconds), scores);
            history.Add(record);
            if (o.OutputDirectory is not null)
            {
                var checkpoint = new TrainingCheckpoint
                {
                    Epoch = epoch + 1, Iteration = iteration, TotalIterations = total, RngState = RngState(),
                    History = history, BestScore = bestScore, BestEpoch = bestEpoch,
                };
                lastCheckpoint = Path.Combine(o.OutputDirectory, TrainingCheckpoint.FolderName(epoch + 1));
                var weights = ModelState(mixed);
                checkpoint.Save(lastCheckpoint, weights, optimizer.save_state_dict);
                if (bestEpoch == epoch + 1)
                    checkpoint.Save(Path.Combine(o.OutputDirectory, BestFolder), weights, optimizer.save_state_dict);
                foreach (var t in weights.Values) t.Dispose();
                Prune(o.OutputDirectory, o.KeepCheckpoints);
                log!.Epoch(history);
            }
            progress?.Report(new TrainingProgress(epoch, epochs, done, batches, iteration, record.Loss, lr, "done", record));
        }
        Model.eval();
        return new TrainingResult(history, resumedFrom, bestEpoch, bestScore, lastCheckpoint);
    }

    /// <summary>
    /// The optimizer over up to three groups: backbone (base rate), head (x HeadLearningRateMultiplier) and auxiliary
    /// head (x AuxLearningRateMultiplier, default the head's). A model without a backbone (ChainerCV's SegNet) trains
    /// everything at the base rate.
    /// </summary>
    (OptimizerHelper Optimizer, List<(optim.ILearningRateController Group, double Factor)> Groups) BuildOptimizer(MixedPrecision? mixed)
    {
        var o = Options;
        var named = Model.named_parameters().ToList();
        if (named.Count == 0) throw new InvalidOperationException($"{Model.GetName()} has no trainable parameter (is everything frozen?)");
        var auxPrefix = (Model as BackboneHeadModel)?.AuxKey is { } key ? key + "." : null;
        bool IsBackbone(string name) => name.StartsWith(o.BackbonePrefix, StringComparison.Ordinal);
        bool IsAux(string name) => auxPrefix is not null && name.StartsWith(auxPrefix, StringComparison.Ordinal);
        var hasBackbone = named.Any(p => IsBackbone(p.name));
        var parts = new List<(List<Parameter> Parameters, double Factor)>
        {
            (named.Where(p => !hasBackbone || IsBackbone(p.name)).Select(p => p.parameter).ToList(), 1),
            (named.Where(p => hasBackbone && !IsBackbone(p.name) && !IsAux(p.name)).Select(p => p.parameter).ToList(), o.HeadLearningRateMultiplier),
            (named.Where(p => hasBackbone && IsAux(p.name)).Select(p => p.parameter).ToList(), o.AuxLearningRateMultiplier ?? o.HeadLearningRateMultiplier),
        };
        parts.RemoveAll(p => p.Parameters.Count == 0);
        IEnumerable<Parameter> Step(IEnumerable<Parameter> ps) => mixed?.OptimizerParameters(ps).ToList() ?? ps;
        if (o.Optimizer == OptimizerKind.Adam)
        {
            var groups = parts.Select(p => new Adam.ParamGroup(Step(p.Parameters), o.LearningRate * p.Factor, o.Momentum, o.AdamBeta2, 1e-8, o.WeightDecay)).ToList();
            var adam = optim.Adam(groups, o.LearningRate, o.Momentum, o.AdamBeta2, 1e-8, o.WeightDecay);
            return (adam, groups.Zip(parts, (g, p) => ((optim.ILearningRateController)g, p.Factor)).ToList());
        }
        if (o.Optimizer == OptimizerKind.AdamW)
        {
            var groups = parts.Select(p => new AdamW.ParamGroup(Step(p.Parameters), o.LearningRate * p.Factor, o.Momentum, o.AdamBeta2, 1e-8, o.WeightDecay)).ToList();
            var adamw = optim.AdamW(groups, o.LearningRate, o.Momentum, o.AdamBeta2, 1e-8, o.WeightDecay);
            return (adamw, groups.Zip(parts, (g, p) => ((optim.ILearningRateController)g, p.Factor)).ToList());
        }
        var sgdGroups = parts.Select(p => new SGD.ParamGroup(Step(p.Parameters), o.LearningRate * p.Factor, o.Momentum, 0, o.WeightDecay)).ToList();
        var sgd = optim.SGD(sgdGroups, o.LearningRate, o.Momentum, 0, o.WeightDecay);
        return (sgd, sgdGroups.Zip(parts, (g, p) => ((optim.ILearningRateController)g, p.Factor)).ToList());
    }

    /// <summary>The state dict to checkpoint, float32 (bfloat16 weights replaced by their masters).</summary>
    Dictionary<string, Tensor> ModelState(MixedPrecision? mixed)
    {
        var masters = mixed?.Masters;
        var state = new Dictionary<string, Tensor>();
        var parameters = Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // The detach() views are freed here; only the copies leave (the caller disposes them).
        using var scope = NewDisposeScope();
        foreach (var (key, value) in Model.state_dict())
        {
            var source = masters is not null && parameters.TryGetValue(key, out var p) && masters.TryGetValue(p.Handle, out var m) ? m : value;
            state[key] = source.detach().to(CPU, copy: true).MoveToOuterDisposeScope();
        }
        return state;
    }

    TrainingCheckpoint Restore(string folder, OptimizerHelper optimizer, MixedPrecision? mixed, long total)
    {
        var state = TrainingCheckpoint.Load(folder);
        if (state.TotalIterations != total)
            throw new InvalidOperationException(
                $"{folder} belongs to a run of {state.TotalIterations} iterations; this one has {total} (epochs x batches per epoch " +
                "differ). Resume with the same epochs, batch size and dataset, or train into a new output directory.");
        var (tensors, _) = SafeTensors.Load(Path.Combine(folder, TrainingCheckpoint.ModelFile));
        try
        {
            if (mixed is null)
            {
                StateDictLoader.Load(Model, tensors, strict: true, source: folder);
            }
            else
            {
                // bfloat16 weights come from their float32 masters; norms and buffers are copied as they are.
                var parameters = Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                var masters = mixed.Masters;
                var names = parameters.ToDictionary(p => p.Value.Handle, p => p.Key);
                mixed.SetMasters(p => tensors.TryGetValue(names[p.Handle], out var t) ? t : null);
                using var _ = no_grad();
                foreach (var (key, value) in Model.state_dict())
                {
                    var cast = parameters.TryGetValue(key, out var p) && masters.ContainsKey(p.Handle);
                    if (!cast && tensors.TryGetValue(key, out var t)) value.copy_(t);
                }
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        using (var stream = File.OpenRead(Path.Combine(folder, TrainingCheckpoint.OptimizerFile)))
        using (var reader = new BinaryReader(stream))
        {
            try { optimizer.load_state_dict(reader); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"{Path.Combine(folder, TrainingCheckpoint.OptimizerFile)}: the optimizer state does not fit this model's parameter groups ({e.Message})", e);
            }
        }
        using (var rng = tensor(Convert.FromBase64String(state.RngState)))
            set_rng_state(rng);
        return state;
    }

    static string RngState()
    {
        using var state = get_rng_state();
        return Convert.ToBase64String(state.data<byte>().ToArray());
    }

    static void Prune(string directory, int keep)
    {
        var all = TrainingCheckpoint.List(directory);
        foreach (var (_, folder) in all.Take(Math.Max(0, all.Count - keep)))
            Directory.Delete(folder, recursive: true);
    }
}
