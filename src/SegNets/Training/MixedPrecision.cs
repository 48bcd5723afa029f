using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Training;

/// <summary>
/// bfloat16 training without autocast (TorchSharp 0.107 has none): the model's weights are cast to bfloat16 except
/// BatchNorm, whose parameters and running statistics stay float32 (PyTorch's batch_norm takes a bfloat16 input with
/// float32 parameters, as apex's O2 "keep_batchnorm_fp32" does); the optimizer steps float32 master copies of the
/// weights, and each step copies them back. Inputs are cast to bfloat16, logits back to float32 for the loss.
/// bfloat16 has float32's exponent range, so no loss scaling is needed.
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    readonly List<(Parameter Model, Parameter Master)> _pairs = [];

    public MixedPrecision(nn.Module model)
    {
        var norms = model.named_modules()
            .Where(m => m.module is BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm or LayerNorm)
            .Select(m => m.module).ToList();
        // Kept aside so that the round trip float32 -> bfloat16 -> float32 of the norms does not round their values.
        var normState = norms.Select(m => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone())).ToList();
        var normParams = new HashSet<IntPtr>(norms.SelectMany(m => m.parameters()).Select(p => p.Handle));
        var masters = new Dictionary<string, Parameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (normParams.Contains(p.Handle) || p.dtype != ScalarType.Float32) continue;
            masters[name] = new Parameter(p.detach().clone(), p.requires_grad);
        }
        model.to(ScalarType.BFloat16);
        using (no_grad())
        {
            for (var i = 0; i < norms.Count; i++)
            {
                norms[i].to(ScalarType.Float32);
                var state = norms[i].state_dict();
                foreach (var (key, value) in normState[i])
                {
                    state[key].copy_(value);
                    value.Dispose();
                }
            }
        }
        foreach (var (name, p) in model.named_parameters())
            if (masters.TryGetValue(name, out var master)) _pairs.Add((p, master));
    }

    /// <summary>The parameters the optimizer should step: float32 masters for cast weights, the others as they are.</summary>
    public IEnumerable<Parameter> OptimizerParameters(IEnumerable<Parameter> modelParameters)
    {
        var masters = _pairs.ToDictionary(p => p.Model.Handle, p => p.Master);
        foreach (var p in modelParameters) yield return masters.TryGetValue(p.Handle, out var m) ? m : p;
    }

    /// <summary>Casts a normalised float input to the forward's type.</summary>
    public static Tensor Input(Tensor x) => x.to_type(ScalarType.BFloat16);

    /// <summary>After backward: float32 master gradients from the bfloat16 ones.</summary>
    public void GradientsToMasters()
    {
        using var scope = NewDisposeScope();
        foreach (var (model, master) in _pairs)
        {
            var g = model.grad;
            if (g is null) { master.grad = null; continue; }
            if (master.grad is null) master.grad = g.to_type(ScalarType.Float32).detach();
            else master.grad.copy_(g);
            master.grad.MoveToOuterDisposeScope();
        }
    }

    /// <summary>After the optimizer step: the stepped masters back into the model's bfloat16 weights.</summary>
    public void MastersToModel()
    {
        using var _ = no_grad();
        foreach (var (model, master) in _pairs) model.copy_(master);
    }

    /// <summary>The model's weights as float32 (the masters), for checkpoints.</summary>
    public IReadOnlyDictionary<IntPtr, Parameter> Masters => _pairs.ToDictionary(p => p.Model.Handle, p => p.Master);

    /// <summary>Loads float32 weights (a checkpoint) into masters and model.</summary>
    public void SetMasters(Func<Parameter, Tensor?> source)
    {
        using var _ = no_grad();
        foreach (var (model, master) in _pairs)
        {
            var t = source(model);
            if (t is not null) master.copy_(t);
            model.copy_(master);
        }
    }

    public void Dispose()
    {
        foreach (var (_, master) in _pairs) master.Dispose();
        _pairs.Clear();
    }
}
