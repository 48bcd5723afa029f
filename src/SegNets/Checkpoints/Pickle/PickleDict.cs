namespace SegNets.Checkpoints.Pickle;

/// <summary>A pickled dict or OrderedDict; keeps insertion order, as Python does.</summary>
public sealed class PickleDict : OrderedDictionary<object, object?>
{
}
