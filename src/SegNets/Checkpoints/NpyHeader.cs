using System.Globalization;
using System.Text;

namespace SegNets.Checkpoints;

/// <summary>
/// The header dict of a .npy array: numpy writes it with repr() as a Python dict literal,
/// `{'descr': '&lt;f4', 'fortran_order': False, 'shape': (64, 3, 7, 7), }` padded with spaces and ended by '\n'
/// (numpy/numpy@006003b5:numpy/lib/format.py, `_write_array_header`). This parses exactly that subset of Python
/// literals (strings, True/False, tuples of ints) without assuming key order, and, like numpy's `_read_array_header`,
/// requires exactly the three keys.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>numpy 2 raised NPY_MAXDIMS from 32 to 64; no real array comes near either.</summary>
    const int MaxDims = 64;

    public static NpyHeader Parse(string text, string where)
    {
        var parser = new Parser(text, where);
        return parser.Header();
    }

    sealed class Parser(string text, string where)
    {
        int pos;

        public NpyHeader Header()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            SkipSpace();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { pos++; break; }
                var key = PyString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (descr is not null) throw Error("key 'descr' appears twice");
                        if (Peek() == '[')
                            throw Error("a structured dtype (descr is a list of fields); only plain numeric arrays are supported");
                        descr = PyString();
                        break;
                    case "fortran_order":
                        if (fortran is not null) throw Error("key 'fortran_order' appears twice");
                        fortran = PyBool();
                        break;
                    case "shape":
                        if (shape is not null) throw Error("key 'shape' appears twice");
                        shape = PyIntTuple();
                        break;
                    default:
                        throw Error($"unexpected key '{key}'; numpy's header holds exactly 'descr', 'fortran_order' and 'shape'");
                }
                SkipSpace();
                if (Peek() == ',') { pos++; continue; }
                if (Peek() == '}') { pos++; break; }
                throw Error("expected ',' or '}'");
            }
            SkipSpace();
            if (pos != text.Length) throw Error("text after the closing '}'");
            if (descr is null || fortran is null || shape is null)
                throw Error($"missing key(s) {string.Join(", ", new[] { descr is null ? "'descr'" : null, fortran is null ? "'fortran_order'" : null, shape is null ? "'shape'" : null }.Where(k => k is not null))}");
            return new NpyHeader(descr, fortran.Value, shape);
        }

        char Peek() => pos < text.Length ? text[pos] : '\0';

        void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        }

        void Expect(char c)
        {
            if (Peek() != c) throw Error($"expected '{c}'");
            pos++;
        }

        string PyString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Error("expected a quoted string");
            pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= text.Length) throw Error("unterminated string");
                char c = text[pos++];
                if (c == quote) return sb.ToString();
                if (c == '\\')
                {
                    if (pos >= text.Length) throw Error("unterminated string");
                    c = text[pos++];
                }
                sb.Append(c);
            }
        }

        bool PyBool()
        {
            if (text.AsSpan(pos).StartsWith("True", StringComparison.Ordinal)) { pos += 4; return true; }
            if (text.AsSpan(pos).StartsWith("False", StringComparison.Ordinal)) { pos += 5; return false; }
            throw Error("expected True or False");
        }

        long[] PyIntTuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { pos++; break; }
                int start = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
                if (pos == start) throw Error("expected a non-negative integer dimension");
                if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                    throw Error($"dimension {text[start..pos]} is out of range");
                if (Peek() == 'L') pos++; // Python 2's long literal, in files written by numpy under Python 2
                dims.Add(dim);
                if (dims.Count > MaxDims) throw Error($"more than {MaxDims} dimensions");
                SkipSpace();
                if (Peek() == ',') { pos++; continue; }
                if (Peek() == ')') { pos++; break; }
                throw Error("expected ',' or ')' in the shape");
            }
            return [.. dims];
        }

        InvalidDataException Error(string what) =>
            new($"{where}: bad .npy header at character {pos}: {what} (header: {Abbreviate(text)})");

        static string Abbreviate(string s) => s.Length <= 200 ? s.TrimEnd() : s[..200] + "...";
    }
}
