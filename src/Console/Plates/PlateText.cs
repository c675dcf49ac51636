using System.Text;

namespace GateWatch.Central.Plates;

/// <summary>
/// Number plates as text. A plate is printed with dashes, dots and spaces ("51G-123.45", "59-X1 234.56"), but
/// two readings are the same plate when their letters and digits are: those, upper-cased, are what is compared.
/// </summary>
internal static class PlateText
{
    /// <summary>The longest printed plate the agent sends (the wire contract), and the longest a list takes.</summary>
    public const int MaxText = 20;

    /// <summary>A list entry with fewer letters and digits than this would match nearly anything once tolerance is allowed.</summary>
    public const int MinAlnum = 2;

    /// <summary>Letters and digits only, upper case: "51g-123.45" and "51G 12345" both give "51G12345".</summary>
    public static string Normalize(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (IsAlnum(ch))
            {
                b.Append(char.ToUpperInvariant(ch));
            }
        }

        return b.ToString();
    }

    /// <summary>
    /// Why <paramref name="text"/> cannot be printed plate text, or null when it can: at most
    /// <see cref="MaxText"/> characters of letters, digits, space, '-' and '.'. Empty text is allowed here
    /// (an agent that read nothing sends ""); see <see cref="ListProblem"/> for a list entry.
    /// </summary>
    public static string? Problem(string text)
    {
        if (text.Length > MaxText)
        {
            return $"at most {MaxText} characters";
        }

        foreach (var ch in text)
        {
            if (!IsAlnum(ch) && ch is not (' ' or '-' or '.'))
            {
                return "only letters, digits, spaces, '-' and '.'";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="text"/> cannot be a plate on a list, or null: printable plate text with enough letters and digits.</summary>
    public static string? ListProblem(string text)
    {
        if (Problem(text) is { } why)
        {
            return $"'{Short(text)}' is not a plate: {why}";
        }

        return Normalize(text).Length < MinAlnum
            ? $"'{Short(text)}' is not a plate: at least {MinAlnum} letters or digits, e.g. 51G-123.45"
            : null;
    }

    /// <summary>
    /// Letters of any script (a foreign plate may have an Ä) and the ASCII digits; other scripts' digits are
    /// not what a plate reader produces.
    /// </summary>
    public static bool IsAlnum(char ch) => char.IsAsciiDigit(ch) || char.IsLetter(ch);

    /// <summary>
    /// The Levenshtein distance: how many single characters must be inserted, deleted or replaced to turn
    /// <paramref name="a"/> into <paramref name="b"/>. A reader that mistakes an 8 for a B, or misses a
    /// character, is one edit away from the real plate.
    /// </summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length < b.Length)
        {
            (a, b) = (b, a);
        }

        // Two rows of the table suffice; the shorter string along the row keeps them small.
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var replace = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.Min(replace, Math.Min(prev[j], cur[j - 1]) + 1);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }

    public static string Short(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
