using System.Security.Cryptography;
using System.Text;

namespace GateWatch.Agent.Api;

/// <summary>The configured key, as a service of its own so the filter can be built by the endpoint pipeline.</summary>
internal sealed record AgentKey(string Value)
{
    // The generated ToString would print the key into any log that formats this record.
    public override string ToString() => "AgentKey { *** }";
}

/// <summary>
/// The local API's one credential: the agent key from the configuration, presented as
/// <c>Authorization: Bearer KEY</c> (or <c>X-Agent-Key: KEY</c>). Never accepted in a query string, where it
/// would end up in proxy and browser logs.
/// </summary>
internal sealed partial class AgentKeyFilter(AgentKey key, ILogger<AgentKeyFilter> log) : IEndpointFilter
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key.Value);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = Presented(http.Request);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key))
        {
            Log.Refused(log, http.Connection.RemoteIpAddress?.ToString() ?? "?", http.Request.Method, http.Request.Path,
                presented is null ? "no key" : "wrong key");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "agent key required",
                detail: presented is null
                    ? "send the agent key as 'Authorization: Bearer <key>'"
                    : "the agent key is wrong");
        }

        return await next(context).ConfigureAwait(false);
    }

    private static string? Presented(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return auth["Bearer ".Length..].Trim();
        }

        return request.Headers.TryGetValue("X-Agent-Key", out var k) && k.Count == 1 ? k[0] : null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "refused {Method} {Path} from {Remote}: {Why}")]
        public static partial void Refused(ILogger log, string remote, string method, string path, string why);
    }
}
