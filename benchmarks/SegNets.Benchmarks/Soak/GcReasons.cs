using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace SegNets.Benchmarks.Soak;

/// <summary>Counts the runtime's garbage collections by generation and reason (GCStart events), to tell collections
/// the allocation rate triggers from induced ones.</summary>
internal sealed class GcReasons : EventListener
{
    // GCStart's Reason field (the runtime's gc_reason enum).
    private static readonly string[] s_reasons =
    [
        "alloc small", "induced", "low memory", "empty", "alloc large", "out of space SOH", "out of space LOH",
        "induced not forced", "internal", "induced low memory", "induced compacting", "low memory host", "PM full GC",
        "low memory host blocking",
    ];

    private readonly ConcurrentDictionary<(uint Depth, string Reason), int> _counts = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCStart", StringComparison.Ordinal) || e.Payload is null || e.PayloadNames is null) return;
        var depth = Convert.ToUInt32(e.Payload[e.PayloadNames.IndexOf("Depth")], System.Globalization.CultureInfo.InvariantCulture);
        var code = Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("Reason")], System.Globalization.CultureInfo.InvariantCulture);
        var reason = code >= 0 && code < s_reasons.Length ? s_reasons[code] : $"reason {code}";
        _counts.AddOrUpdate((depth, reason), 1, (_, n) => n + 1);
    }

    public string Summary() => _counts.IsEmpty
        ? "no GCStart events seen"
        : string.Join(", ", _counts.OrderBy(kv => kv.Key.Depth).ThenByDescending(kv => kv.Value).Select(kv => $"gen{kv.Key.Depth} {kv.Key.Reason}: {kv.Value}"));
}
