using System.Globalization;
using System.Security.Cryptography;
using System.Security.Claims;
using System.Text;
using GateWatch.Central.Alerts;
using GateWatch.Central.Audit;
using GateWatch.Central.Data;
using GateWatch.Central.Users;

namespace GateWatch.Central.Web;

/// <summary>
/// What an operator watches the console by, in Prometheus' text format at <c>GET /api/metrics</c>: requests by status
/// class, events ingested, alerts raised and still open, live relays under way, the database's size. A scraper
/// sends the key from <c>serve --metrics-key-file</c>; a signed-in admin may look too; nobody else.
/// </summary>
internal sealed class ConsoleMetrics
{
    private readonly long[] _requests = new long[6];
    private long _stored;
    private long _duplicates;
    private long _rejected;
    private long _relays;

    public void Request(int status)
    {
        var index = status / 100;
        Interlocked.Increment(ref _requests[index is >= 1 and <= 5 ? index : 0]);
    }

    public void Ingested(int stored, int duplicates, int rejected)
    {
        Interlocked.Add(ref _stored, stored);
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Add(ref _rejected, rejected);
    }

    /// <summary>A live relay (video, metadata, footage) began; dispose the result when it ends.</summary>
    public IDisposable Relaying()
    {
        Interlocked.Increment(ref _relays);
        return new Ended(this);
    }

    public string Render(ConsoleDb db)
    {
        var text = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> values)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
            foreach (var (labels, value) in values)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value}\n");
            }
        }

        Metric("gatewatch_console_requests_total", "counter", "HTTP requests answered, by status class.",
            Enumerable.Range(1, 5).Select(c => ($"{{status=\"{c}xx\"}}", (double)Volatile.Read(ref _requests[c]))));
        Metric("gatewatch_console_events_ingested_total", "counter", "Events agents delivered since start, by outcome.",
            [("{outcome=\"stored\"}", Volatile.Read(ref _stored)), ("{outcome=\"duplicate\"}", Volatile.Read(ref _duplicates)), ("{outcome=\"rejected\"}", Volatile.Read(ref _rejected))]);
        Metric("gatewatch_console_relays", "gauge", "Streams relayed from agents to browsers now (live video and metadata, footage, crops).",
            [("", Volatile.Read(ref _relays))]);

        using var c = db.Open();
        var (raised, open) = AlertCounts(c);
        Metric("gatewatch_console_alerts_total", "counter", "Alerts raised and kept in the database, by type.", raised.Select(r => ($"{{type=\"{r.Key}\"}}", (double)r.Value)));
        Metric("gatewatch_console_alerts_open", "gauge", "Alerts neither acknowledged nor cleared, by type.", open.Select(r => ($"{{type=\"{r.Key}\"}}", (double)r.Value)));
        var size = new[] { db.Path, db.Path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        Metric("gatewatch_console_database_bytes", "gauge", "Size of the console's database with its write-ahead log.", [("", size)]);
        return text.ToString();
    }

    /// <summary>Whether the request may read the metrics: the scraper's key, or an admin's session.</summary>
    public static bool Allowed(HttpContext http, string? key)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        if (key is not null && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(auth[7..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return http.User.Identity?.IsAuthenticated == true && Rights.Holders[Rights.Administer].Contains(http.User.FindFirstValue(ClaimTypes.Role));
    }

    private static (Dictionary<string, long> Raised, Dictionary<string, long> Open) AlertCounts(Microsoft.Data.Sqlite.SqliteConnection c)
    {
        var raised = AlertEndpoints.Types.ToDictionary(t => t, _ => 0L);
        var open = AlertEndpoints.Types.ToDictionary(t => t, _ => 0L);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT e.type, COUNT(*), SUM(CASE WHEN a.event_id IS NULL AND b.id IS NULL THEN 1 ELSE 0 END)
            {AlertEndpoints.StateJoins}
            WHERE e.type IN ('{string.Join("', '", AlertEndpoints.Types)}')
            GROUP BY e.type
            """;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            raised[r.GetString(0)] = r.GetInt64(1);
            open[r.GetString(0)] = r.GetInt64(2);
        }

        return (raised, open);
    }

    private sealed class Ended(ConsoleMetrics metrics) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref metrics._relays);
            }
        }
    }
}

/// <summary>The metrics' endpoint and the request counting behind it.</summary>
internal static class MetricsEndpoints
{
    public static WebApplication UseRequestCounting(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ConsoleMetrics>();
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http).ConfigureAwait(false);
                metrics.Request(http.Response.StatusCode);
            }
            catch
            {
                metrics.Request(500);
                throw;
            }
        });
        return app;
    }

    public static WebApplication MapMetrics(this WebApplication app, string? key)
    {
        // Not behind the cookie policy: a scraper has no session. The handler decides, and says what it wants.
        app.MapGet("/api/metrics", (HttpContext http, ConsoleMetrics metrics, ConsoleDb db, AuditLog audit) =>
        {
            if (ConsoleMetrics.Allowed(http, key))
            {
                return Results.Text(metrics.Render(db), "text/plain; version=0.0.4; charset=utf-8");
            }

            if (http.User.Identity is { IsAuthenticated: true, Name: { } name })
            {
                // Signed in, but not as an admin: refused like any other route a role may not use, and audited.
                audit.Append(name, AuditActions.AccessDenied, "GET /api/metrics", AuditOutcomes.Denied, http.User.FindFirstValue(ClaimTypes.Role) ?? "");
                return Results.Problem(statusCode: 403, detail: "the console's metrics are for admins and the metrics scraper");
            }

            return Results.Problem(statusCode: 401, detail: key is null
                ? "sign in as an admin, or start the console with --metrics-key-file and send that key as 'Authorization: Bearer <key>'"
                : "send the metrics key as 'Authorization: Bearer <key>', or sign in as an admin");
        }).AllowAnonymous();
        return app;
    }
}
