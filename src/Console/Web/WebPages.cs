using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace GateWatch.Central.Web;

/// <summary>
/// The console's pages: plain HTML and JavaScript modules from wwwroot, no build step. Only the login
/// page and what it loads are served to someone not signed in; every other page redirects there first,
/// and each page asks the API only for what the user's role allows (the API checks again).
/// </summary>
internal static partial class WebPages
{
    /// <summary>What the login page needs; nothing here tells anything about the gates.</summary>
    private static readonly string[] Public = ["/login.html", "/css/app.css", "/js/api.js", "/js/clock.js", "/js/i18n.js", "/i18n/vi.json", "/i18n/en.json", "/js/login.js", "/favicon.svg"];

    /// <summary>The pages a sign-in may go on to (every page but the login page itself); a test keeps this in step with wwwroot.</summary>
    public static readonly string[] Pages =
        ["index.html", "live.html", "recordings.html", "vehicles.html", "cases.html", "verify.html", "stats.html", "report.html", "admin.html", "cameras.html", "plates.html"];

    /// <summary>Longer than any link the pages make; a longer next= is not the console's own.</summary>
    private const int MaxNext = 2048;

    /// <summary>
    /// <paramref name="next"/> if it names one of the console's pages ("/live.html", with a query or hash
    /// made of printable ASCII), else null. Browsers drop tabs and newlines from a URL and read '\' as '/', so
    /// "/\t/evil.example" would go to another site; a single '/', a known page name and no such characters
    /// leave nothing to read as a host or a scheme.
    /// </summary>
    public static string? SafeNext(string? next)
    {
        if (next is null || next.Length > MaxNext || SafeNextShape().Match(next) is not { Success: true } m)
        {
            return null;
        }

        return Pages.Contains(m.Groups["page"].Value, StringComparer.Ordinal) ? next : null;
    }

    // Query and hash: printable ASCII but the backslash; the page name is lower-case as the files are.
    [GeneratedRegex(@"\A/(?<page>[a-z]+\.html)(?:[?#][\x21-\x5B\x5D-\x7E]*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeNextShape();

    public static WebApplication UseWebPages(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var files = new PhysicalFileProvider(root);
        app.Use(async (ctx, next) =>
        {
            var path = ctx.Request.Path;
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers.XFrameOptions = "DENY";
            ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
            if (!path.StartsWithSegments("/api") && path != "/healthz")
            {
                // Video comes from MediaSource blobs; nothing is loaded from another origin.
                ctx.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
                if (ctx.User.Identity?.IsAuthenticated != true && !Public.Contains(path.Value, StringComparer.Ordinal))
                {
                    var next_ = path == "/" ? "" : $"?next={Uri.EscapeDataString(path + ctx.Request.QueryString)}";
                    ctx.Response.Redirect("/login.html" + next_);
                    return;
                }
            }

            await next(ctx).ConfigureAwait(false);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Pages change with the console's version; a browser must not keep an old script beside a new API.
            OnPrepareResponse = f => f.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
