namespace GateWatch.Agent.Plates;

/// <summary>A vehicle's plate as decided from its views: the text ("" when none was read), how sure, and the view and box it was best read in.</summary>
internal sealed record PlateDecision(string Text, float Confidence, int View, OpenCvSharp.Rect Box)
{
    public static readonly PlateDecision None = new("", 0, -1, default);
}

/// <summary>
/// Votes a vehicle's plate from the reads of its views. Each view gives its best read that fits the grammar; the
/// text with the most confidence summed wins, and its confidence is that sum over the number of views, so a plate
/// read alike in every view is surer than one read once among disagreeing views.
/// </summary>
internal static class PlateVote
{
    public static PlateDecision Decide(IReadOnlyList<PlateRead?> reads)
    {
        var valid = reads.Select((r, i) => (Read: r, View: i)).Where(x => x.Read is { Valid: true }).ToList();
        if (valid.Count == 0)
        {
            return PlateDecision.None;
        }

        var winner = valid
            .GroupBy(x => x.Read!.Text, StringComparer.Ordinal)
            .Select(g => (Text: g.Key, Sum: g.Sum(x => x.Read!.Confidence), Best: g.MaxBy(x => x.Read!.Confidence)))
            .OrderByDescending(g => g.Sum)
            .ThenBy(g => g.Text, StringComparer.Ordinal)
            .First();
        return new PlateDecision(winner.Text, Math.Min(1, winner.Sum / reads.Count), winner.Best.View, winner.Best.Read!.Box);
    }
}
