using Microsoft.Extensions.FileProviders;

namespace GateWatch.Central.Web;

/// <summary>
/// The console's pages: plain HTML and JavaScript modules from wwwroot, no build step. Only the login
/// page and what it loads are served to someone not signed in; every other page redirects there first,
/// and each page asks the API only for what the user's role allows (the API checks again).
/// </summary>
internal static class WebPages
{
    /// <summary>What the login page needs; nothing here tells anything about the gates.</summary>
    private static readonly string[] Public = ["/login.html", "/css/app.css", "/js/api.js", "/js/login.js", "/favicon.svg"];

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
