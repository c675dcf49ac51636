using System.Globalization;

namespace GateWatch.Central;

/// <summary>Times as the API takes and gives them: ISO 8601, UTC.</summary>
internal static class UtcTime
{
    /// <summary>
    /// Reads an ISO 8601 time ("2026-03-01T08:00:00Z", a date alone, or with an offset); one without an offset
    /// is taken as UTC, since every time in the console is UTC. Looser forms ("3/1/2026") are refused: their
    /// meaning depends on where the reader is.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        if (text is not { Length: >= 10 } || text[4] != '-' || text[7] != '-' || (text.Length > 10 && text[10] is not ('T' or 't' or ' ')))
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        time = parsed.ToUniversalTime();
        return true;
    }

    /// <summary>"2026-03-01T08:00:00Z": one spelling per instant, for CSV and bucket keys.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"20260301T080000Z": a time that can be part of a file name.</summary>
    public static string Compact(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
