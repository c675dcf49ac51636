namespace GateWatch.Central.Plates;

/// <summary>
/// What a reviewer types to find a plate: letters and digits, '*' for any run of characters and '?' for
/// exactly one. Without a wildcard the text may be anywhere in the plate ("123" finds 51G-123.45); with one
/// the pattern describes the whole plate ("51G*" starts with 51G). Print characters (- . space) are ignored,
/// as they are when plates are compared.
/// </summary>
internal sealed class PlatePattern
{
    /// <summary>Generous for a 20-character plate with a wildcard between each character, and still bounded.</summary>
    public const int MaxLength = 40;

    // Tokens: an upper-case letter or digit, '?' or '*'; consecutive '*' are one.
    private readonly string _tokens;

    private PlatePattern(string tokens) => _tokens = tokens;

    /// <summary>The pattern as it is matched ("*51G123*"), for the audit log and the page.</summary>
    public string Shown => _tokens;

    /// <summary>Reads a pattern; null with <paramref name="problem"/> saying what is wrong.</summary>
    public static PlatePattern? Parse(string text, out string? problem)
    {
        problem = null;
        if (text.Length > MaxLength)
        {
            problem = $"plate: at most {MaxLength} characters";
            return null;
        }

        var tokens = new System.Text.StringBuilder(text.Length + 2);
        var literals = 0;
        var wildcard = false;
        foreach (var ch in text)
        {
            if (PlateText.IsAlnum(ch))
            {
                tokens.Append(char.ToUpperInvariant(ch));
                literals++;
            }
            else if (ch is '*' or '?')
            {
                wildcard = true;
                if (ch == '?' || tokens.Length == 0 || tokens[^1] != '*')
                {
                    tokens.Append(ch);
                }
            }
            else if (ch is not (' ' or '-' or '.'))
            {
                problem = $"plate: '{PlateText.Short(text)}' has '{ch}'; a plate search is letters and digits, '*' (any characters) and '?' (one character)";
                return null;
            }
        }

        if (literals == 0)
        {
            problem = "plate: give at least one letter or digit (e.g. 51G* or 123)";
            return null;
        }

        var t = tokens.ToString();
        if (!wildcard)
        {
            t = "*" + t + "*";
        }

        return new PlatePattern(t);
    }

    /// <summary>Whether <paramref name="plate"/> (normalised) matches with at most <paramref name="tolerance"/> wrong characters.</summary>
    public bool Matches(string plate, int tolerance) => Distance(plate) <= tolerance;

    /// <summary>
    /// The fewest characters of <paramref name="plate"/> (normalised) to insert, delete or replace for it to
    /// match: 0 is a match as the wildcards alone allow it. An edit distance between a string and the set of
    /// strings the pattern describes; with no wildcard it is the Levenshtein distance.
    /// </summary>
    public int Distance(string plate)
    {
        var m = plate.Length;
        // d[j]: the cost of matching the tokens so far against plate[..j].
        var prev = new int[m + 1];
        var cur = new int[m + 1];
        for (var j = 0; j <= m; j++)
        {
            prev[j] = j;
        }

        foreach (var token in _tokens)
        {
            if (token == '*')
            {
                // Any run of characters: carry the best so far along the row at no cost.
                cur[0] = prev[0];
                for (var j = 1; j <= m; j++)
                {
                    cur[j] = Math.Min(prev[j], cur[j - 1]);
                }
            }
            else
            {
                cur[0] = prev[0] + 1;
                for (var j = 1; j <= m; j++)
                {
                    var step = prev[j - 1] + (token == '?' || token == plate[j - 1] ? 0 : 1);
                    cur[j] = Math.Min(step, Math.Min(prev[j], cur[j - 1]) + 1);
                }
            }

            (prev, cur) = (cur, prev);
        }

        return prev[m];
    }
}
