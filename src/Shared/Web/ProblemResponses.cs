using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Shared.Web;

/// <summary>
/// Every error the console and the agent give is problem+json that says what was wrong: a request the endpoints could not
/// bind (a body that is not JSON, a field of the wrong type, a query value that is not a number) names the
/// parameter and the JSON path; an empty 404 or 405 gets a body; an unexpected failure says only that it
/// happened, never its stack or message (which may hold a path or a query), and is logged for the operator.
/// </summary>
/// Compiled into both programs (src/Shared is not a project: one file is not worth a library of its own).
internal static class ProblemResponses
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails();
        // Binding failures are thrown rather than answered with an empty 400, so the handler can say which field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequests>();
        return services;
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A bad request is the client's mistake, answered and not worth an error line per attempt (a flood of
            // them would flood the log); anything else the handler did not take is logged as the failure it is.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>What an endpoint could not bind, in words: the parameter, and for JSON the path and the reason.</summary>
    public static string Describe(BadHttpRequestException e)
    {
        var what = e.Message.TrimEnd('.');
        if (e.InnerException is JsonException json)
        {
            var reason = json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            return json.Path is { Length: > 0 } path ? $"{what}: at {path}: {reason}" : $"{what}: {reason}";
        }

        return what;
    }

    private sealed class BadRequests(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
            {
                return false;
            }

            http.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read", Detail = Describe(bad) },
            }).ConfigureAwait(false);
        }
    }
}
