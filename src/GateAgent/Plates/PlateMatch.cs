namespace GateWatch.Agent.Plates;

/// <summary>
/// How plates are compared: on letters and digits only (dashes, dots and spaces are print), upper case, and with
/// the look-alikes no plate font tells apart folded (O is 0, I is 1), so that "AYO9034" read as "AY09034" matches.
/// </summary>
internal static class PlateMatch
{
    public static string Key(string plate) =>
        new([.. plate.Where(char.IsAsciiLetterOrDigit).Select(c => char.ToUpperInvariant(c) switch { 'O' => '0', 'I' => '1', var u => u })]);

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
