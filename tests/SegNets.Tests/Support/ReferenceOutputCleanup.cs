using SegNets.Tests.Support;

[assembly: AssemblyFixture(typeof(ReferenceOutputCleanup))]

namespace SegNets.Tests.Support;

/// <summary>
/// Removes the reference outputs of this test run (a few GB of state dicts and tensors) when the run ends, and those
/// a crashed or killed earlier run left behind when it starts: a test machine's disk must not fill up run by run.
/// </summary>
public sealed class ReferenceOutputCleanup : IDisposable
{
    public ReferenceOutputCleanup() => PythonReference.RemoveStale();

    public void Dispose() => PythonReference.RemoveOwn();
}
