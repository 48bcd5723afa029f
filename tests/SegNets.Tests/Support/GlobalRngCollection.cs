namespace SegNets.Tests.Support;

/// <summary>
/// Tests that need torch's global generator to themselves (seeded initialisation, dropout in training) run in this
/// collection, which xunit runs alone: other test classes run in parallel and draw from the same generator.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "torch global generator";
}
