namespace SegNets.Checkpoints.Protobuf;

/// <summary>
/// The low 3 bits of a protobuf tag: they say how long the value that follows is, so that a reader can skip a
/// field it does not know (https://protobuf.dev/programming-guides/encoding/#structure). Names as in Google.Protobuf.
/// </summary>
internal enum WireType
{
    /// <summary>VARINT: int32, int64, uint32, uint64, sint32, sint64, bool, enum.</summary>
    Varint = 0,

    /// <summary>I64: fixed64, sfixed64, double.</summary>
    Fixed64 = 1,

    /// <summary>LEN: string, bytes, embedded messages, packed repeated fields.</summary>
    LengthDelimited = 2,

    /// <summary>SGROUP (deprecated).</summary>
    StartGroup = 3,

    /// <summary>EGROUP (deprecated).</summary>
    EndGroup = 4,

    /// <summary>I32: fixed32, sfixed32, float.</summary>
    Fixed32 = 5,
}
