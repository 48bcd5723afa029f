using System.Buffers.Binary;
using System.Text;

namespace SegNets.Checkpoints.Pickle;

/// <summary>
/// A restricted unpickler for the subset of the pickle protocol (0-5) that checkpoint writers emit. It never imports
/// or calls anything: a GLOBAL becomes a <see cref="PickleGlobal"/> that must be on the caller's allow-list, and
/// REDUCE/NEWOBJ/BUILD on a global are handed to the caller's <see cref="IPickleCalls"/>, which knows the few
/// constructors a state dict uses (torch's weights-only unpickler is the model: torch/_weights_only_unpickler.py).
/// Values: null, bool, long, System.Numerics.BigInteger (longs past 64 bits), double, string, byte[],
/// <see cref="PickleTuple"/>, List&lt;object?&gt;, PickleDict, HashSet&lt;object&gt;, and whatever the callbacks return.
/// </summary>
public sealed class PickleReader
{
    readonly Stream stream;
    readonly string source;
    readonly IPickleCalls calls;
    readonly List<object?> stack = [];
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = [];

    PickleReader(Stream stream, string source, IPickleCalls calls)
    {
        this.stream = stream;
        this.source = source;
        this.calls = calls;
    }

    /// <summary>Reads one pickle from <paramref name="stream"/> up to and including its STOP opcode.</summary>
    /// <param name="stream">Positioned at the pickle's first opcode; left just past its STOP.</param>
    /// <param name="source">Names the file (and member) in error messages.</param>
    /// <param name="calls">What the pickle may construct.</param>
    public static object? Load(Stream stream, string source, IPickleCalls calls) =>
        new PickleReader(stream, source, calls).Run();

    object? Run()
    {
        while (true)
        {
            long at = stream.CanSeek ? stream.Position : -1;
            int op = stream.ReadByte();
            if (op < 0) throw Error(at, "the pickle ends before its STOP opcode (truncated file?)");
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME: framing is transparent to a sequential reader
                case '.': // STOP
                    if (stack.Count != 1) throw Error(at, $"STOP with {stack.Count} values on the stack; expected 1");
                    return stack[0];
                case '(': marks.Push(stack.Count); break;
                case '0': Pop(at); break;
                case '1': PopMark(at); break;
                case '2': Push(Peek(at)); break;
                case 'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case 'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 'K': Push((long)ReadByte()); break;
                case 'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case 0x8A: Push(ReadLong(ReadByte())); break;
                case 0x8B: Push(ReadLong(ReadLength32(at))); break;
                case 'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case 'X': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength32(at)))); break;
                case 0x8C: Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break;
                case 0x8D: Push(Encoding.UTF8.GetString(ReadBytes(ReadLength64(at)))); break;
                case 'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength32(at)))); break;
                case 'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;
                case 'B': Push(ReadBytes(ReadLength32(at))); break;
                case 'C': Push(ReadBytes(ReadByte())); break;
                case 0x8E: Push(ReadBytes(ReadLength64(at))); break;
                case ')': Push(new PickleTuple([])); break;
                case 't': Push(new PickleTuple(PopMark(at))); break;
                case 0x85: Push(new PickleTuple([Pop(at)])); break;
                case 0x86: { var b = Pop(at); var a = Pop(at); Push(new PickleTuple([a, b])); break; }
                case 0x87: { var c = Pop(at); var b = Pop(at); var a = Pop(at); Push(new PickleTuple([a, b, c])); break; }
                case ']': Push(new List<object?>()); break;
                case 'l': Push(PopMark(at).ToList()); break;
                case '}': Push(new PickleDict()); break;
                case 'd': { var dict = new PickleDict(); SetItems(at, dict, PopMark(at)); Push(dict); break; }
                case 0x8F: Push(new HashSet<object>()); break;
                case 0x90: { var items = PopMark(at); AddItems(at, Peek(at), items); break; }
                case 0x91: Push(new HashSet<object>(PopMark(at).Select(i => i ?? throw Error(at, "a set holds None")))); break;
                case 'a': { var item = Pop(at); AppendItems(at, Peek(at), [item]); break; }
                case 'e': { var items = PopMark(at); AppendItems(at, Peek(at), items); break; }
                case 's': { var value = Pop(at); var key = Pop(at); SetItems(at, Peek(at), [key, value]); break; }
                case 'u': { var items = PopMark(at); SetItems(at, Peek(at), items); break; }
                case 'q': memo[ReadByte()] = Peek(at); break;
                case 'r': memo[ReadUInt32()] = Peek(at); break;
                case 0x94: memo[memo.Count] = Peek(at); break;
                case 'h': Push(Get(at, ReadByte())); break;
                case 'j': Push(Get(at, ReadUInt32())); break;
                case 'c': Push(Global(at, ReadLine(at), ReadLine(at))); break;
                case 0x93: { var name = Pop(at); var module = Pop(at); Push(Global(at, AsString(at, module), AsString(at, name))); break; }
                case 'R': { var args = Pop(at); var callable = Pop(at); Push(Call(at, callable, args)); break; }
                case 0x81: { var args = Pop(at); var cls = Pop(at); Push(Call(at, cls, args)); break; }
                case 'b': { var state = Pop(at); Build(at, Peek(at), state); break; }
                case 'Q': Push(calls.PersistentLoad(Pop(at))); break;
                default:
                    throw Error(at, $"opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? ((char)op).ToString() : "?")}') is not allowed in a checkpoint");
            }
        }
    }

    object Global(long at, string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (!calls.IsAllowed(global))
            throw Error(at, $"refuses global '{module}.{name}': only tensor, storage and container types may appear in a checkpoint");
        return global;
    }

    object? Call(long at, object? callable, object? args)
    {
        if (callable is not PickleGlobal global) throw Error(at, $"REDUCE on {Describe(callable)}; expected an allowed global");
        if (args is not PickleTuple tuple) throw Error(at, $"REDUCE of {global} with {Describe(args)}; expected an argument tuple");
        try
        {
            return calls.Call(global, tuple.Items);
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or IndexOutOfRangeException or NotSupportedException)
        {
            throw Error(at, $"{global}({string.Join(", ", tuple.Items.Select(Describe))}): {e.Message}");
        }
    }

    void Build(long at, object? target, object? state)
    {
        switch (target)
        {
            // OrderedDict carries `_metadata` (module versions) as state; nothing in it affects the tensors.
            case PickleDict: return;
            default:
                if (!calls.Build(target, state))
                    throw Error(at, $"BUILD on {Describe(target)} is not allowed");
                return;
        }
    }

    void SetItems(long at, object? target, IReadOnlyList<object?> items)
    {
        if (target is not PickleDict dict) throw Error(at, $"SETITEM(S) on {Describe(target)}; expected a dict");
        if (items.Count % 2 != 0) throw Error(at, "SETITEMS with an odd number of values");
        for (int i = 0; i < items.Count; i += 2)
            dict[items[i] ?? throw Error(at, "a dict key is None")] = items[i + 1];
    }

    void AppendItems(long at, object? target, IReadOnlyList<object?> items)
    {
        if (target is not List<object?> list) throw Error(at, $"APPEND(S) on {Describe(target)}; expected a list");
        list.AddRange(items);
    }

    void AddItems(long at, object? target, IReadOnlyList<object?> items)
    {
        if (target is not HashSet<object> set) throw Error(at, $"ADDITEMS on {Describe(target)}; expected a set");
        foreach (var item in items) set.Add(item ?? throw Error(at, "a set holds None"));
    }

    object? Get(long at, long key) =>
        memo.TryGetValue(key, out var value) ? value : throw Error(at, $"memo key {key} was never stored");

    void Push(object? value) => stack.Add(value);

    object? Pop(long at)
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() == stack.Count)) throw Error(at, "stack underflow");
        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    object? Peek(long at) => stack.Count > 0 ? stack[^1] : throw Error(at, "stack underflow");

    object?[] PopMark(long at)
    {
        if (marks.Count == 0) throw Error(at, "no MARK to pop to");
        int start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    int ReadByte()
    {
        int b = stream.ReadByte();
        return b >= 0 ? b : throw Error(-1, "the pickle ends inside an opcode (truncated file?)");
    }

    byte[] ReadBytes(long count)
    {
        if (count > int.MaxValue) throw Error(-1, $"a {count}-byte value is larger than a checkpoint value can be");
        var buffer = new byte[count];
        try
        {
            stream.ReadExactly(buffer.AsSpan());
        }
        catch (EndOfStreamException)
        {
            throw Error(-1, "the pickle ends inside a value (truncated file?)");
        }
        return buffer;
    }

    long ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    long ReadLength32(long at)
    {
        long length = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
        return stream.CanSeek && length > stream.Length - stream.Position
            ? throw Error(at, $"a value claims {length} bytes but the pickle has {stream.Length - stream.Position} left")
            : length;
    }

    long ReadLength64(long at)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return stream.CanSeek && length > (ulong)(stream.Length - stream.Position)
            ? throw Error(at, $"a value claims {length} bytes but the pickle has {stream.Length - stream.Position} left")
            : (long)length;
    }

    object ReadLong(long length)
    {
        var bytes = ReadBytes(length);
        var value = new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    string ReadLine(long at)
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = ReadByte();
            if (b == '\n') return Encoding.UTF8.GetString(bytes.ToArray());
            if (bytes.Count > 1024) throw Error(at, "a GLOBAL name runs past 1024 bytes");
            bytes.Add((byte)b);
        }
    }

    string AsString(long at, object? value) => value as string ?? throw Error(at, $"expected a string, found {Describe(value)}");

    InvalidDataException Error(long at, string message) =>
        new($"{source}: pickle{(at >= 0 ? $" at byte {at}" : "")}: {message}");

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"'{(s.Length > 40 ? s[..40] + "..." : s)}'",
        PickleGlobal g => g.ToString(),
        PickleTuple t => $"tuple of {t.Items.Length}",
        _ => value.GetType().Name,
    };
}
