using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateWatch.Shared.Web;

/// <summary>
/// Every request has an id, named in each log line written while it is served (a logging scope) and in the
/// <c>X-Request-Id</c> response header: a guard's "the wall said error at 21:16" finds its lines. A caller's own id
/// (a reverse proxy's, or the console's when it calls an agent) is kept when it is a plain token; anything else is
/// replaced, since it goes into the log as it is.
/// </summary>
internal static partial class RequestIds
{
    public const string Header = "X-Request-Id";

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex Plain();

    public static WebApplication UseRequestIds(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GateWatch.Requests");
        app.Use(async (http, next) =>
        {
            var given = http.Request.Headers[Header].ToString();
            var id = Plain().IsMatch(given) ? given : http.TraceIdentifier;
            http.TraceIdentifier = id;
            http.Response.Headers[Header] = id;
            // Not "RequestId": ASP.NET's own scope has that name for its connection-made id, which a caller's id replaces here.
            using (log.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            {
                await next(http).ConfigureAwait(false);
            }
        });
        return app;
    }

    /// <summary>The simple console lines with their scopes (the request id), or one JSON object a line for a log shipper.</summary>
    public static ILoggingBuilder AddLogLines(this ILoggingBuilder logging, bool json)
    {
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            });
        }

        return logging;
    }
}
