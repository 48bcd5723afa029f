using FluentAssertions;
using SegNets.Backbones;
using SegNets.Checkpoints;
using static TorchSharp.torch;

namespace SegNets.Tests.Support;

/// <summary>
/// Compares a backbone on synthetic weights with a committed fixture (input, c1..c5, logits, num_params) written by
/// one of tools/reference/*_fixtures.py from the original implementation.
/// </summary>
public static class FixtureParity
{
    public static Dictionary<string, Tensor> Load(string folder, string file) =>
        PyTorchCheckpoint.LoadStateDict(Repo.PathOf("tests", "SegNets.Tests", "Fixtures", folder, file));

    /// <summary>Runs <paramref name="net"/> on the fixture's input with synthetic weights; returns its outputs and the fixture.</summary>
    public static (Dictionary<string, Tensor> Ours, Dictionary<string, Tensor> Reference) Run(Backbone net, string folder, string file)
    {
        var reference = Load(folder, file);
        Parity.CountParameters(net).Should().Be(reference["num_params"].item<long>(), "the original's parameter count");
        SyntheticWeights.Fill(net);
        net.eval();
        using var _ = no_grad();
        return (net.forward(reference["input"]), reference);
    }

    /// <summary>Asserts every stage and the logits within the fp32 tolerance; returns the max differences for the log.</summary>
    public static string AssertAllClose(Backbone net, Func<Tensor, Tensor> classify, string folder, string file)
    {
        var (ours, reference) = Run(net, folder, file);
        var diffs = net.Features.Select(f => $"{f.Name} {Parity.AssertClose(ours[f.Name], reference[f.Name], $"{file} {f.Name}"):E1}").ToList();
        using (no_grad()) diffs.Add($"logits {Parity.AssertClose(classify(ours["c5"]), reference["logits"], $"{file} logits"):E1}");
        return $"{file} max|diff|: {string.Join(", ", diffs)}";
    }
}
