using System.Diagnostics;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using TorchSharp;
using TorchSharp.Modules;
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
        var total = (long)o.Epochs * batches;
        var schedule = new PolySchedule(o.LearningRate, total, o.PolyPower, o.WarmupIterations, o.WarmupFactor);

        var device = o.Device ?? Model.parameters().FirstOrDefault()?.device ?? CPU;
        Model.to(device);
        foreach (var (name, p) in Model.named_parameters())
            if (o.FreezeBackbone && name.StartsWith(o.BackbonePrefix, StringComparison.Ordinal)) p.requires_grad = false;

        using var mixed = o.Precision == Precision.BFloat16 ? new MixedPrecision(Model) : null;
        var (optimizer, headGroup) = BuildOptimizer(mixed);
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

        using var log = o.OutputDirectory is null ? null : new TrainingLog(o.OutputDirectory, o.TensorBoard);
        for (var epoch = startEpoch; epoch < o.Epochs; epoch++)
        {
            Model.train();
            var watch = Stopwatch.StartNew();
            double lossSum = 0, lr = 0;
            int seen = 0, done = 0;
            foreach (var batch in train.Epoch(epoch, cancellationToken))
            {
                using var scope = NewDisposeScope();
                using var owned = batch;
                cancellationToken.ThrowIfCancellationRequested();
                lr = schedule.At(iteration);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                if (headGroup is not null) headGroup.LearningRate = lr * o.HeadLearningRateMultiplier;

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
                progress?.Report(new TrainingProgress(epoch, o.Epochs, done, batches, iteration, v, lr, "train"));
            }
            watch.Stop();

            IReadOnlyDictionary<string, double> scores = new Dictionary<string, double>();
            if (validate is not null)
            {
                progress?.Report(new TrainingProgress(epoch, o.Epochs, done, batches, iteration, lossSum / Math.Max(1, done), lr, "validate"));
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
            progress?.Report(new TrainingProgress(epoch, o.Epochs, done, batches, iteration, record.Loss, lr, "done", record));
        }
        Model.eval();
        return new TrainingResult(history, resumedFrom, bestEpoch, bestScore, lastCheckpoint);
    }

    (SGD Optimizer, SGD.ParamGroup? Head) BuildOptimizer(MixedPrecision? mixed)
    {
        var o = Options;
        var named = Model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (named.Count == 0) throw new InvalidOperationException($"{Model.GetName()} has no trainable parameter (is everything frozen?)");
        var backbone = named.Where(p => p.name.StartsWith(o.BackbonePrefix, StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var head = named.Where(p => !p.name.StartsWith(o.BackbonePrefix, StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        IEnumerable<Parameter> Step(IEnumerable<Parameter> ps) => mixed?.OptimizerParameters(ps) ?? ps;

        // Models without a backbone (ChainerCV's SegNet) train everything at the base rate.
        if (backbone.Count == 0 || head.Count == 0)
        {
            var all = new SGD.ParamGroup(Step(named.Select(p => p.parameter)), o.LearningRate, o.Momentum, 0, o.WeightDecay);
            return (optim.SGD([all], o.LearningRate, o.Momentum, 0, o.WeightDecay), null);
        }
        var b = new SGD.ParamGroup(Step(backbone), o.LearningRate, o.Momentum, 0, o.WeightDecay);
        var h = new SGD.ParamGroup(Step(head), o.LearningRate * o.HeadLearningRateMultiplier, o.Momentum, 0, o.WeightDecay);
        return (optim.SGD([b, h], o.LearningRate, o.Momentum, 0, o.WeightDecay), h);
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

    TrainingCheckpoint Restore(string folder, SGD optimizer, MixedPrecision? mixed, long total)
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
                var report = StateDictLoader.Load(Model, tensors, strict: true, source: folder);
                _ = report;
            }
            else
            {
                var names = Model.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
                mixed.SetMasters(p => tensors.TryGetValue(names[p.Handle], out var t) ? t : null);
                using var _ = no_grad();
                foreach (var (key, value) in Model.state_dict())
                    if (tensors.TryGetValue(key, out var t) && !mixed.Masters.ContainsKey(Model.named_parameters().FirstOrDefault(p => p.name == key).parameter?.Handle ?? IntPtr.Zero))
                        value.copy_(t);
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
