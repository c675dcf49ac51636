using System.Globalization;
using System.Security.Claims;
using System.Text;
using GateWatch.Central.Agents;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
using GateWatch.Central.Plates;
using GateWatch.Central.Users;

namespace GateWatch.Central.Shifts;

/// <summary>The park's clock and shifts for every page, the admin's shift plan, and each gate's shift handover report.</summary>
internal static class ShiftEndpoints
{
    private sealed record ShiftWire(string? Name, string? Start, string? End);

    private sealed record PlanWire(List<ShiftWire>? Shifts);

    private sealed record NoteWire(string? Agent, string? Day, string? Shift, string? Text);

    public static WebApplication MapShifts(this WebApplication app)
    {
        // Every page shows times on the park's clock and names the current shift; nothing here is about the gates.
        app.MapGet("/api/clock", (ParkClock clock, ShiftStore store, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var plan = store.Plan();
            var current = plan.Find(now, clock);
            return Results.Json(new
            {
                zone = clock.Id,
                offset = clock.OffsetName(now),
                now = UtcTime.Format(now),
                today = clock.Day(now).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                todayStart = UtcTime.Format(clock.StartOfDay(clock.Day(now))),
                shifts = plan.Shifts.Select(s => new { name = s.Name, start = Shift.Hhmm(s.Start), end = Shift.Hhmm(s.End) }),
                current = SpanWire(clock, current),
            });
        }).RequireAuthorization();

        app.MapPut("/api/admin/shifts", (PlanWire? body, ShiftStore store, AuditLog audit, ClaimsPrincipal user) =>
        {
            var shifts = new List<Shift>();
            foreach (var (s, i) in (body?.Shifts ?? []).Select((s, i) => (s, i)))
            {
                if (!ShiftPlan.TryParseTime(s.Start, out var start) || !ShiftPlan.TryParseTime(s.End, out var end))
                {
                    return Bad($"shifts[{i}] ('{Short(s.Name ?? "")}'): start and end are times of day such as 06:00 and 14:00");
                }

                shifts.Add(new Shift(s.Name ?? "", start, end));
            }

            ShiftPlan plan;
            try
            {
                plan = ShiftPlan.Create(shifts);
            }
            catch (ShiftPlanException e)
            {
                return Bad(e.Message + "; nothing was changed");
            }

            store.Save(plan);
            audit.Append(user.Identity!.Name!, AuditActions.ConfigChange, "shifts", AuditOutcomes.Ok,
                string.Join(", ", plan.Shifts.Select(s => $"{s.Name} {s.Hours}")));
            return Results.Json(new { shifts = plan.Shifts.Select(s => new { name = s.Name, start = Shift.Hhmm(s.Start), end = Shift.Hhmm(s.End) }) });
        }).RequireAuthorization(Rights.Administer);

        var reports = app.MapGroup("/api/reports/shift");
        reports.MapGet("/", (string? agent, string? day, string? shift, string? format, ConsoleDb db, ShiftStore store, AgentRegistry agents,
            ParkClock clock, TimeProvider time, AuditLog audit, ClaimsPrincipal user) =>
        {
            var (found, refusal) = Resolve(agent, day, shift, store, agents, clock, time);
            if (found is null)
            {
                return refusal!;
            }

            if (format is not (null or "json" or "csv"))
            {
                return Bad($"format: '{Short(format)}' is unknown; use csv, or leave it out for JSON");
            }

            var report = HandoverReport.Build(db, store, found.Agent.Id, found.Agent.Name, found.Span, time.GetUtcNow());
            audit.Append(user.Identity!.Name!, AuditActions.ShiftReportView, $"{found.Agent.Id}/{SpanKey(found.Span)}", AuditOutcomes.Ok,
                format == "csv" ? "csv" : "");
            return format == "csv" ? Csv(report, clock) : Results.Json(Json(report, clock));
        }).RequireAuthorization(SharedRights.ReadShiftReports);

        reports.MapPost("/notes", (NoteWire? body, ShiftStore store, AgentRegistry agents, ParkClock clock, TimeProvider time, AuditLog audit, ClaimsPrincipal user) =>
        {
            var text = body?.Text?.Trim() ?? "";
            if (text.Length is 0 or > ShiftStore.MaxNote)
            {
                return Bad($"text: what the next shift must know, 1 to {ShiftStore.MaxNote} characters");
            }

            var (found, refusal) = Resolve(body?.Agent, body?.Day, body?.Shift, store, agents, clock, time);
            if (found is null)
            {
                return refusal!;
            }

            var note = store.AddNote(found.Agent.Id, found.Span, user.Identity!.Name!, text);
            audit.Append(note.By, AuditActions.ShiftNote, $"{found.Agent.Id}/{SpanKey(found.Span)}", AuditOutcomes.Ok, text);
            return Results.Json(new { by = note.By, time = UtcTime.Format(note.Time), local = clock.Format(note.Time), text = note.Text });
        }).RequireAuthorization(Rights.Watch);
        return app;
    }

    private sealed record Found(AgentInfo Agent, ShiftSpan Span);

    /// <summary>
    /// The gate and the shift asked for (the current shift when neither day nor shift is given), or the problem that
    /// says, in the words of what was asked, why there is none.
    /// </summary>
    private static (Found? Found, IResult? Refusal) Resolve(string? agent, string? day, string? shift, ShiftStore store, AgentRegistry agents, ParkClock clock, TimeProvider time)
    {
        if (agent is null)
        {
            return (null, Bad("agent: name the gate (its agent id)"));
        }

        if (agents.Find(agent) is not { } info)
        {
            return (null, Results.Problem(statusCode: 404, detail: $"no gate agent '{Short(agent)}'"));
        }

        var plan = store.Plan();
        var now = time.GetUtcNow();
        if (day is null && shift is null)
        {
            return (new Found(info, plan.Find(now, clock)), null);
        }

        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return (null, Bad($"day: '{Short(day ?? "")}' is not a day such as 2026-12-01 (the day the shift starts, in {clock.Id})"));
        }

        if (shift is null || plan.Named(shift) is not { } s)
        {
            return (null, Bad($"shift: '{Short(shift ?? "")}' is not one of the park's shifts ({string.Join(", ", plan.Shifts.Select(x => $"{x.Name} {x.Hours}"))})"));
        }

        var span = ShiftPlan.Span(s, d, clock);
        return span.Start <= now
            ? (new Found(info, span), null)
            : (null, Bad($"{s.Name} of {d:yyyy-MM-dd} starts at {clock.Format(span.Start)}; it has not begun, so there is nothing to report yet (now {clock.Format(now)})"));
    }

    private static string SpanKey(ShiftSpan s) => $"{s.Day:yyyy-MM-dd}/{s.Shift.Name}";

    private static object SpanWire(ParkClock clock, ShiftSpan s) => new
    {
        name = s.Shift.Name,
        hours = s.Shift.Hours,
        day = s.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        start = UtcTime.Format(s.Start),
        end = UtcTime.Format(s.End),
        startLocal = clock.Format(s.Start),
        endLocal = clock.Format(s.End),
        hoursLong = (s.End - s.Start).TotalHours,
    };

    private static object Json(HandoverReport.Report r, ParkClock clock) => new
    {
        agent = r.Agent,
        agentName = r.AgentName,
        zone = clock.Id,
        shift = SpanWire(clock, r.Span),
        complete = r.Complete,
        asOf = UtcTime.Format(r.AsOf),
        asOfLocal = clock.Format(r.AsOf),
        detail = r.Complete ? null : $"the shift has not ended (it ends at {clock.Format(r.Span.End)}): this is what it holds until {clock.Format(r.AsOf)}",
        crossings = r.Counts.Select(x => new { camera = x.Camera, @class = x.Class, @in = x.In, @out = x.Out }),
        totals = new { @in = r.Counts.Sum(x => x.In), @out = r.Counts.Sum(x => x.Out) },
        alerts = r.Alerts.Select(a => new
        {
            id = a.Id, camera = a.Camera, type = a.Type, time = UtcTime.Format(a.Time), local = clock.Format(a.Time), detail = a.Detail,
            acknowledged = a.Acknowledged is { } k ? new { by = k.By, time = UtcTime.Format(k.Time), local = clock.Format(k.Time), note = k.Note } : null,
        }),
        outages = r.Outages.Select(o => new
        {
            camera = o.Camera, kind = o.Kind, reason = o.Reason,
            from = UtcTime.Format(o.From), fromLocal = clock.Format(o.From),
            to = o.To is { } t ? UtcTime.Format(t) : null, toLocal = o.To is { } t2 ? clock.Format(t2) : null,
            // The part of the outage that fell in this shift (up to now while it lasts).
            minutesInShift = Math.Round(((o.To is { } e && e < r.AsOf ? e : r.AsOf) - (o.From > r.Span.Start ? o.From : r.Span.Start)).TotalMinutes, 1),
        }),
        notes = r.Notes.Select(n => new { by = n.By, time = UtcTime.Format(n.Time), local = clock.Format(n.Time), text = n.Text }),
    };

    /// <summary>
    /// One table for a spreadsheet: a row per count, alert, outage and note, with a section column, and every time
    /// both on the park's clock and in UTC.
    /// </summary>
    private static IResult Csv(HandoverReport.Report r, ParkClock clock)
    {
        var text = new StringBuilder("section,camera,what,entries,exits,time_local,time_utc,until_local,until_utc,by,note\n");
        void Row(params string[] fields) => text.Append(PlateCsv.Line(fields)).Append('\n');
        string L(DateTimeOffset? t) => t is { } x ? clock.Format(x) : "";
        string U(DateTimeOffset? t) => t is { } x ? UtcTime.Format(x) : "";
        Row("shift", "", $"{r.Span.Shift.Name} {r.Span.Day:yyyy-MM-dd} {r.AgentName}", "", "", L(r.Span.Start), U(r.Span.Start), L(r.Span.End), U(r.Span.End), "",
            r.Complete ? "" : $"not ended: counted until {L(r.AsOf)}");
        foreach (var x in r.Counts)
        {
            Row("crossings", x.Camera, x.Class, Num(x.In), Num(x.Out), "", "", "", "", "", "");
        }

        foreach (var a in r.Alerts)
        {
            Row("alert", a.Camera, a.Detail.Length > 0 ? $"{a.Type} {a.Detail}" : a.Type, "", "", L(a.Time), U(a.Time), L(a.Acknowledged?.Time), U(a.Acknowledged?.Time),
                a.Acknowledged?.By ?? "", a.Acknowledged?.Note ?? "not acknowledged");
        }

        foreach (var o in r.Outages)
        {
            Row("outage", o.Camera, o.Kind, "", "", L(o.From), U(o.From), L(o.To), U(o.To), "", o.To is null ? "still dark" : o.Reason);
        }

        foreach (var n in r.Notes)
        {
            Row("note", "", "", "", "", L(n.Time), U(n.Time), "", "", n.By, n.Text);
        }

        var name = $"gatewatch-shift-{r.Agent}-{r.Span.Day:yyyyMMdd}-{new string(r.Span.Shift.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray())}.csv";
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static IResult Bad(string detail) => Results.Problem(statusCode: 400, detail: detail);

    private static string Short(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "..." : s;
}
