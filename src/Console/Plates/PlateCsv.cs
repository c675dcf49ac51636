using System.Text;

namespace GateWatch.Central.Plates;

/// <summary>One record of a CSV file and the line it starts on (1 is the header), for error reports people can find.</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// RFC 4180 CSV, the way spreadsheets write it: comma-separated, fields with commas, quotes or line breaks in
/// double quotes, a quote doubled inside them. Written with the same formula guard as the statistics CSV.
/// </summary>
internal static class PlateCsv
{
    /// <summary>Characters a spreadsheet takes as the start of a formula; exported with an apostrophe in front.</summary>
    private static readonly char[] FormulaStart = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>The records of <paramref name="text"/>, blank lines left out; null with the problem when a quote is never closed.</summary>
    public static List<CsvRecord>? Parse(string text, out string? problem)
    {
        problem = null;
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var quoteLine = 0;
        var any = false; // something on this record, so an empty line is not a record of one empty field
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0; // a spreadsheet's byte order mark
        for (; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    quoteLine = line;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    End();
                    line++;
                    start = line;
                    break;
                default:
                    field.Append(ch);
                    any = true;
                    break;
            }
        }

        if (quoted)
        {
            problem = $"line {quoteLine}: a quoted field is never closed";
            return null;
        }

        End();
        return records;

        void End()
        {
            if (any)
            {
                fields.Add(field.ToString());
                records.Add(new CsvRecord(start, fields.ToArray()));
            }

            fields.Clear();
            field.Clear();
            any = false;
        }
    }

    /// <summary>A field as the export wrote it, back to what it was: the formula guard's apostrophe removed.</summary>
    public static string Unguard(string value) =>
        value.Length >= 2 && value[0] == '\'' && FormulaStart.Contains(value[1]) ? value[1..] : value;

    public static string Line(IEnumerable<string> fields) => string.Join(',', fields.Select(Field));

    /// <summary>
    /// Quoted where needed, and an apostrophe in front of what a spreadsheet would run as a formula: owners,
    /// companies and reasons are typed by people and imported from other systems, and an exported list must
    /// not make Excel compute anything.
    /// </summary>
    public static string Field(string value)
    {
        if (value.Length > 0 && FormulaStart.Contains(value[0]))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
