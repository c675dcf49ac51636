using System.Globalization;

namespace GateWatch.Central.Plates;

/// <summary>A plate on a list, as matching needs it: its days of validity (both included), null for no limit.</summary>
internal sealed record ListedPlate(long Id, string Plate, string Text, DateOnly? From, DateOnly? To)
{
    public bool ValidOn(DateOnly day) => (From is null || From <= day) && (To is null || day <= To);
}

/// <summary>The three lists at one moment.</summary>
internal sealed record ListSnapshot(IReadOnlyList<ListedPlate> Allowed, IReadOnlyList<ListedPlate> Denied, IReadOnlyList<ListedPlate> Visitors);

/// <summary>What a read is by the lists: its status, and which entry made it so ("" when none).</summary>
internal sealed record PlateVerdict(string Status, string Matched);

/// <summary>The statuses a read can have; stored as text, so a name never changes.</summary>
internal static class PlateStatus
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Visitor = "visitor";
    public const string Unlisted = "unlisted";

    public static readonly IReadOnlyList<string> All = [Allowed, Denied, Visitor, Unlisted];
}

/// <summary>
/// Decides a read's status. A read matches an entry when their letters and digits are at most the admin's
/// edit distance apart (0: exactly). Where several entries match, the closest wins, because a reader's one
/// mistake should not turn the allowed car whose plate it read exactly into a near-miss of a denied one;
/// between equally close entries, denied wins over allowed over visitor, because missing a watchlisted
/// vehicle is the worse mistake.
/// </summary>
internal static class PlateMatcher
{
    public static PlateVerdict Decide(string plate, DateOnly day, ListSnapshot lists, int maxDistance)
    {
        (ListedPlate Entry, int Distance, string Status)? best = null;
        void Consider(IReadOnlyList<ListedPlate> list, string status)
        {
            foreach (var e in list)
            {
                if (!e.ValidOn(day))
                {
                    continue;
                }

                var d = PlateText.Distance(plate, e.Plate);
                // Strictly closer only: the lists are considered in the order denied, allowed, visitor.
                if (d <= maxDistance && (best is null || d < best.Value.Distance))
                {
                    best = (e, d, status);
                }
            }
        }

        Consider(lists.Denied, PlateStatus.Denied);
        Consider(lists.Allowed, PlateStatus.Allowed);
        Consider(lists.Visitors, PlateStatus.Visitor);
        if (best is { } b)
        {
            var off = b.Distance == 0 ? "" : $", {b.Distance} character{(b.Distance == 1 ? "" : "s")} off";
            return new PlateVerdict(b.Status, $"{b.Status} entry {b.Entry.Id}: {b.Entry.Text}{off}");
        }

        // Not allowed today, but allowed on other days: worth saying to the guard who sees the alert.
        var lapsed = lists.Allowed.FirstOrDefault(e => !e.ValidOn(day) && PlateText.Distance(plate, e.Plate) <= maxDistance);
        return lapsed is null
            ? new PlateVerdict(PlateStatus.Unlisted, "")
            : new PlateVerdict(PlateStatus.Unlisted, $"allowed entry {lapsed.Id}: {lapsed.Text} is valid {Range(lapsed)}, not on {Day(day)}");
    }

    private static string Range(ListedPlate e) => (e.From, e.To) switch
    {
        ({ } f, { } t) => $"{Day(f)} to {Day(t)}",
        ({ } f, null) => $"from {Day(f)}",
        (null, { } t) => $"until {Day(t)}",
        _ => "always",
    };

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a gate does with its reads: <c>log</c> only (the default: a gate is watched only once an admin says so),
/// <c>alert-denied</c> on the watchlist's plates, <c>alert-unlisted</c> on every plate that is neither allowed
/// nor an expected visitor that day (denied ones included).
/// </summary>
internal static class GatePolicy
{
    public const string Log = "log";
    public const string AlertDenied = "alert-denied";
    public const string AlertUnlisted = "alert-unlisted";

    public static readonly IReadOnlyList<string> All = [Log, AlertDenied, AlertUnlisted];

    /// <summary>The alert type a read raises under <paramref name="policy"/>, or null for none.</summary>
    public static string? AlertFor(string policy, string status) => (policy, status) switch
    {
        (AlertDenied or AlertUnlisted, PlateStatus.Denied) => PlateAlerts.Denied,
        (AlertUnlisted, PlateStatus.Unlisted) => PlateAlerts.Unlisted,
        _ => null,
    };
}

/// <summary>The alert types plate reads raise; they sit beside the agents' alert types in the alerts list.</summary>
internal static class PlateAlerts
{
    public const string Denied = "plate-denied";
    public const string Unlisted = "plate-unlisted";

    public static readonly IReadOnlyList<string> Types = [Denied, Unlisted];
}
