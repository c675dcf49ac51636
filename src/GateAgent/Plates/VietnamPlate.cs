using System.Text;

namespace GateWatch.Agent.Plates;

/// <summary>A plate as the grammar reads it: canonical text and how sure the characters chosen make it.</summary>
internal sealed record PlateText(string Text, float Confidence);

/// <summary>
/// Vietnam's plate grammar (Circular 24/2023 layouts): a two-digit province code, a series of one or two letters with
/// an optional digit (Đ is written D), and a number of four digits or five (printed NNN.NN). One line on a car
/// ("51G-123.45", old "30V-3993"); two lines on a motorbike ("59-X1 234.56") and on a square car plate ("30A 999.99").
/// </summary>
/// <remarks>
/// The grammar decides the look-alikes by position: a digit where a letter must be is re-read as the letter the
/// recogniser gave the most to at that step (8 to B, 0 to D, 2 to Z), and the other way round, so "5I-F2" is 51-F2
/// and "30A-O75I" is 30A-0751. An extra character at a line's edge (a screw, the frame) may be dropped, at a cost.
/// </remarks>
internal static class VietnamPlate
{
    /// <summary>Letters a Vietnamese series uses: never I, J, O, Q or W, which would be mistaken for digits.</summary>
    private const string SeriesLetters = "ABCDEFGHKLMNPRSTUVXYZ";

    /// <summary>
    /// Dropping a character at a line's edge costs what the recogniser believed in it (1 - its probability), at least
    /// this much: a sure character is rarely noise, and a plate that fits as read beats one that fits without a character.
    /// </summary>
    private const float MinDropCost = 0.02f;

    /// <summary>The probability given to a look-alike the recogniser did not consider at all (its own reading was confident).</summary>
    private const float LookAlikeFloor = 0.05f;

    private static readonly Dictionary<char, char> ToDigit = new()
    {
        ['O'] = '0', ['D'] = '0', ['Q'] = '0', ['U'] = '0', ['I'] = '1', ['L'] = '1', ['T'] = '1', ['J'] = '1', ['Z'] = '2',
        ['B'] = '8', ['S'] = '5', ['G'] = '6', ['A'] = '4', ['Y'] = '7',
    };

    private static readonly Dictionary<char, char> ToLetter = new()
    {
        ['0'] = 'D', ['8'] = 'B', ['2'] = 'Z', ['5'] = 'S', ['6'] = 'G', ['4'] = 'A', ['1'] = 'T', ['7'] = 'T', ['3'] = 'B',
    };

    private enum Kind
    {
        Digit,
        Letter,
        DigitOrLetter,
    }

    /// <summary>The best reading of one line (a car plate) or of two lines top then bottom (a motorbike or square plate); null if none fits.</summary>
    public static PlateText? Parse(IReadOnlyList<IReadOnlyList<ReadChar>> lines)
    {
        if (lines.Count is < 1 or > 2)
        {
            return null;
        }

        PlateText? best = null;
        foreach (var trimmed in Trims(lines))
        {
            var (chars, cost) = trimmed;
            // One-line plates are cars', whose series is one or two letters; the three-character series ("MD1") is a moped's, on two lines.
            foreach (var seriesLength in lines.Count == 1 ? (int[])[1, 2] : [1, 2, 3])
            {
                foreach (var numberLength in (int[])[4, 5])
                {
                    var read = TryLayout(chars, lines.Count, seriesLength, numberLength, cost);
                    if (read is not null && (best is null || read.Confidence > best.Confidence))
                    {
                        best = read;
                    }
                }
            }
        }

        return best;
    }

    /// <summary>The lines as they were read, and with one character dropped at either end of either line.</summary>
    private static IEnumerable<(List<List<ReadChar>> Lines, float Cost)> Trims(IReadOnlyList<IReadOnlyList<ReadChar>> lines)
    {
        var options = lines.Select(l => new List<(List<ReadChar>, float)>
        {
            ([.. l], 1f),
            (l.Count > 1 ? [.. l.Skip(1)] : [], l.Count > 1 ? DropCost(l[0]) : 0),
            (l.Count > 1 ? [.. l.Take(l.Count - 1)] : [], l.Count > 1 ? DropCost(l[^1]) : 0),
        }).ToList();
        if (options.Count == 1)
        {
            foreach (var (l, c) in options[0])
            {
                yield return ([l], c);
            }

            yield break;
        }

        foreach (var (top, ct) in options[0])
        {
            foreach (var (bottom, cb) in options[1])
            {
                yield return ([top, bottom], ct * cb);
            }
        }
    }

    private static float DropCost(ReadChar dropped) => Math.Max(MinDropCost, 1 - dropped.Probability);

    private static PlateText? TryLayout(List<List<ReadChar>> lines, int lineCount, int seriesLength, int numberLength, float cost)
    {
        var headLength = 2 + seriesLength;
        if (lineCount == 2 ? lines[0].Count != headLength || lines[1].Count != numberLength
                           : lines[0].Count != headLength + numberLength)
        {
            return null;
        }

        var all = lines.SelectMany(l => l).ToList();
        var kinds = new List<Kind> { Kind.Digit, Kind.Digit, Kind.Letter };
        if (seriesLength >= 2)
        {
            // A car's series is letters ("51LD"); a motorbike's second character is mostly a digit ("59-X1").
            kinds.Add(seriesLength == 2 && lineCount == 2 ? Kind.DigitOrLetter : Kind.Letter);
        }

        if (seriesLength == 3)
        {
            kinds.Add(Kind.Digit);
        }

        kinds.AddRange(Enumerable.Repeat(Kind.Digit, numberLength));

        // A plate is as sure as its least sure character: one doubtful digit makes the whole plate doubtful.
        var text = new StringBuilder();
        var weakest = 1f;
        for (var i = 0; i < all.Count; i++)
        {
            var (c, p) = Choose(all[i], kinds[i]);
            if (c == '\0')
            {
                return null;
            }

            text.Append(c);
            weakest = Math.Min(weakest, p);
        }

        var s = text.ToString();
        if (s[0] == '0' || (s[0] == '1' && s[1] == '0'))
        {
            // Province codes run from 11 to 99.
            return null;
        }

        return new PlateText(Format(s, seriesLength, numberLength, lineCount), weakest * cost);
    }

    private static (char, float) Choose(ReadChar read, Kind kind)
    {
        Func<char, bool> allowed = kind switch
        {
            Kind.Digit => char.IsAsciiDigit,
            Kind.Letter => c => SeriesLetters.Contains(c, StringComparison.Ordinal),
            _ => c => char.IsAsciiDigit(c) || SeriesLetters.Contains(c, StringComparison.Ordinal),
        };
        var (c, p) = read.Best(allowed);
        if (c != '\0' && p >= LookAlikeFloor * read.Probability)
        {
            return (c, p);
        }

        // The recogniser gave the right kind next to nothing: fall back on the shape look-alike, at a price.
        var table = kind == Kind.Digit ? ToDigit : ToLetter;
        return table.TryGetValue(read.Char, out var look) && allowed(look) ? (look, LookAlikeFloor * read.Probability) : ('\0', 0);
    }

    /// <summary>The canonical text: "59-X1 234.56", "30A 999.99", "51G-123.45", "30V-3993".</summary>
    public static string Format(string alnum, int seriesLength, int numberLength, int lineCount)
    {
        var province = alnum[..2];
        var series = alnum.Substring(2, seriesLength);
        var number = alnum[(2 + seriesLength)..];
        var printed = numberLength == 5 ? $"{number[..3]}.{number[3..]}" : number;
        if (lineCount == 1)
        {
            return $"{province}{series}-{printed}";
        }

        // A square car plate's top line has no dash ("30A"); a motorbike's does ("59-X1", "29-MD1").
        return seriesLength == 1 ? $"{province}{series} {printed}" : $"{province}-{series} {printed}";
    }
}
