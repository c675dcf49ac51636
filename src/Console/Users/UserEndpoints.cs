using System.Security.Claims;
using GateWatch.Central.Audit;
using GateWatch.Central.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace GateWatch.Central.Users;

/// <summary>Sign-in with cookies, antiforgery on every state change, role-based rights, user administration.</summary>
internal static partial class UserEndpoints
{
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddSingleton<UserStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "gatewatch.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "gatewatch.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // A guard's shift; sliding, so a wall left open stays signed in while it is used.
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.LoginPath = "/login.html";
            // The API answers with status codes; only pages are redirected to the login page.
            o.Events.OnRedirectToLogin = ctx => Deny(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                // Reaching past one's role is recorded, with what was tried.
                ctx.HttpContext.RequestServices.GetRequiredService<AuditLog>().Append(
                    ctx.HttpContext.User.Identity?.Name ?? "?", AuditActions.AccessDenied, $"{ctx.Request.Method} {ctx.Request.Path}",
                    AuditOutcomes.Denied, ctx.HttpContext.User.FindFirstValue(ClaimTypes.Role) ?? "");
                return Deny(ctx, StatusCodes.Status403Forbidden);
            };
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Rights.Watch, p => p.RequireRole(Rights.Holders[Rights.Watch]))
            .AddPolicy(Rights.Review, p => p.RequireRole(Rights.Holders[Rights.Review]))
            .AddPolicy(Rights.Statistics, p => p.RequireRole(Rights.Holders[Rights.Statistics]))
            .AddPolicy(Rights.Export, p => p.RequireRole(Rights.Holders[Rights.Export]))
            .AddPolicy(Rights.Administer, p => p.RequireRole(Rights.Holders[Rights.Administer]))
            .AddPolicy(SharedRights.SeeCameras, p => p.RequireRole(SharedRights.SeeCamerasHolders))
            .AddPolicy(SharedRights.SeePlateCrops, p => p.RequireRole(SharedRights.SeePlateCropsHolders))
            .AddPolicy(SharedRights.ReadPlateLists, p => p.RequireRole(SharedRights.ReadPlateListsHolders))
            .AddPolicy(SharedRights.ReadShiftReports, p => p.RequireRole(SharedRights.ReadShiftReportsHolders));
        return services;
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every request that changes something must carry the antiforgery token the pages fetch with the
    /// session, so another site cannot make a signed-in guard's browser act. Agents sign with their key
    /// instead of a cookie and are exempt.
    /// </summary>
    public static IApplicationBuilder UseAntiforgeryOnChanges(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)
            && ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/api/agents"))
        {
            try
            {
                await ctx.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(ctx).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                await Results.Problem(statusCode: 400, detail: $"missing or invalid antiforgery token: fetch one from GET /api/login or /api/me and send it as {CsrfHeader}")
                    .ExecuteAsync(ctx).ConfigureAwait(false);
                return;
            }
        }

        await next(ctx).ConfigureAwait(false);
    });

    private sealed record LoginRequest(string? Name, string? Password, string? Next);

    private sealed record PasswordChange(string? Current, string? Password);

    /// <summary>The claim a session signed in with a one-time password carries until the password is replaced.</summary>
    private const string OneTimeClaim = "gw:one-time";

    /// <summary>What a session with a one-time password may still call: itself, signing out, and the change.</summary>
    private static readonly string[] OneTimeAllowed = ["/api/me", "/api/login", "/api/logout", "/api/password"];

    /// <summary>
    /// A one-time password was printed on someone's terminal: until its holder picks their own, the session it
    /// opened can do nothing else, so a password seen over a shoulder is worth one password change at most.
    /// </summary>
    public static IApplicationBuilder UseOneTimePasswordGate(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.User.HasClaim(c => c.Type == OneTimeClaim) && ctx.Request.Path.StartsWithSegments("/api")
            && !OneTimeAllowed.Any(p => ctx.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await Results.Problem(statusCode: 403, detail: "signed in with a one-time password: choose your own password first (POST /api/password)")
                .ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }

        await next(ctx).ConfigureAwait(false);
    });

    private sealed record NewUser(string? Name, string? Role, string? Password);

    private sealed record LanguageChoice(string? Language);

    public static WebApplication MapUsers(this WebApplication app)
    {
        app.MapGet("/api/login", (HttpContext http, IAntiforgery af) => Results.Json(new { csrf = af.GetAndStoreTokens(http).RequestToken }))
            .AllowAnonymous();
        app.MapPost("/api/login", Login).AllowAnonymous();
        app.MapPost("/api/logout", async (HttpContext http, ClaimsPrincipal user, AuditLog audit) =>
        {
            audit.Append(user.Identity!.Name!, AuditActions.Logout, "console", AuditOutcomes.Ok, "");
            await http.SignOutAsync().ConfigureAwait(false);
            return Results.NoContent();
        });
        app.MapGet("/api/me", (ClaimsPrincipal user, HttpContext http, IAntiforgery af, ParkClock clock, UserStore users) => Results.Json(new
        {
            // Read from the database, not the cookie: a language chosen on the phone holds on the guard-room screen too.
            language = users.Language(user.Identity!.Name!),
            // The park's clock: the pages show every time on it, whatever zone the browser is in.
            zone = clock.Id,
            name = user.Identity!.Name,
            role = user.FindFirstValue(ClaimTypes.Role),
            rights = Rights.Of(user.FindFirstValue(ClaimTypes.Role) ?? ""),
            mustChangePassword = user.HasClaim(c => c.Type == OneTimeClaim),
            csrf = af.GetAndStoreTokens(http).RequestToken,
        }));
        app.MapPost("/api/password", ChangePassword);
        app.MapPut("/api/me/language", (LanguageChoice? body, UserStore users, ClaimsPrincipal user) =>
        {
            try
            {
                users.SetLanguage(user.Identity!.Name!, body?.Language ?? "");
                return Results.NoContent();
            }
            catch (UserException e)
            {
                return Results.Problem(statusCode: 400, detail: e.Message);
            }
        });

        var admin = app.MapGroup("/api/admin").RequireAuthorization(Rights.Administer);
        // Spelled out, so nothing about a password is ever part of the list (the one-time mark is named as not yet signed in).
        admin.MapGet("/users", (UserStore users) => Results.Json(users.List().Select(u => new { u.Id, u.Name, u.Role, u.Disabled, firstSignInPending = u.MustChangePassword })));
        admin.MapPost("/users", (NewUser body, UserStore users, AuditLog audit, ClaimsPrincipal by) =>
        {
            try
            {
                var u = users.Create(body.Name ?? "", body.Role ?? "", body.Password ?? "");
                audit.Append(by.Identity!.Name!, AuditActions.UserCreated, $"user:{u.Name}", AuditOutcomes.Ok, u.Role);
                return Results.Json(new { u.Id, u.Name, u.Role, u.Disabled }, statusCode: StatusCodes.Status201Created);
            }
            catch (UserException e)
            {
                return Results.Problem(statusCode: 400, detail: e.Message);
            }
        });
        return app;
    }

    private static async Task<IResult> Login(LoginRequest? body, HttpContext http, UserStore users, LoginThrottle throttle, AuditLog audit, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("GateWatch.Central.Login");
        var name = body?.Name?.Trim() ?? "";
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (name.Length == 0 || string.IsNullOrEmpty(body?.Password))
        {
            return Results.Problem(statusCode: 400, detail: "send {\"name\": \"...\", \"password\": \"...\"}");
        }

        var wait = throttle.WaitFor(name, address);
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Log.Throttled(log, name, address);
            audit.Append(name, AuditActions.LoginFailed, "console", AuditOutcomes.Denied, $"throttled, from {address}");
            return Results.Problem(statusCode: 429, detail: $"too many failed sign-ins; try again in {Math.Ceiling(wait.TotalSeconds)} s");
        }

        var user = users.Check(name, body.Password);
        if (user is null)
        {
            throttle.Failed(name, address);
            Log.Failed(log, name, address);
            audit.Append(name, AuditActions.LoginFailed, "console", AuditOutcomes.Failed, $"wrong name or password, from {address}");
            return Results.Problem(statusCode: 401, detail: "wrong user name or password");
        }

        throttle.Succeeded(name);
        await SignInAsync(http, user).ConfigureAwait(false);
        Log.SignedIn(log, user.Name, user.Role, address);
        audit.Append(user.Name, AuditActions.Login, "console", AuditOutcomes.Ok, $"{user.Role}{(user.MustChangePassword ? ", one-time password" : "")}, from {address}");
        // Where the page goes next is decided here, not by the page alone: one of the console's own pages, or
        // null for the user's own first page.
        return Results.Json(new
        {
            name = user.Name,
            role = user.Role,
            rights = Rights.Of(user.Role),
            next = WebPages.SafeNext(body.Next),
            mustChangePassword = user.MustChangePassword,
        });
    }

    private static Task SignInAsync(HttpContext http, User user)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.Name, user.Name),
            new(ClaimTypes.Role, user.Role),
            new("uid", user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        if (user.MustChangePassword)
        {
            claims.Add(new Claim(OneTimeClaim, "1"));
        }

        return http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
    }

    /// <summary>Any signed-in user replaces their own password; the current one is asked for, and throttled like a sign-in.</summary>
    private static async Task<IResult> ChangePassword(PasswordChange? body, HttpContext http, ClaimsPrincipal who, UserStore users, LoginThrottle throttle, AuditLog audit)
    {
        var name = who.Identity!.Name!;
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (string.IsNullOrEmpty(body?.Current) || string.IsNullOrEmpty(body.Password))
        {
            return Results.Problem(statusCode: 400, detail: "send {\"current\": \"...\", \"password\": \"...\"}");
        }

        var wait = throttle.WaitFor(name, address);
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 429, detail: $"too many wrong passwords; try again in {Math.Ceiling(wait.TotalSeconds)} s");
        }

        try
        {
            if (!users.ChangePassword(name, body.Current, body.Password))
            {
                throttle.Failed(name, address);
                audit.Append(name, AuditActions.PasswordChanged, $"user:{name}", AuditOutcomes.Failed, $"wrong current password, from {address}");
                return Results.Problem(statusCode: 403, detail: "the current password is wrong");
            }
        }
        catch (UserException e)
        {
            return Results.Problem(statusCode: 400, detail: e.Message);
        }

        throttle.Succeeded(name);
        audit.Append(name, AuditActions.PasswordChanged, $"user:{name}", AuditOutcomes.Ok, $"from {address}");
        // The session is made again without the one-time mark.
        await SignInAsync(http, users.Check(name, body.Password)!).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Name} ({Role}) signed in from {Address}")]
        public static partial void SignedIn(ILogger log, string name, string role, string address);

        [LoggerMessage(Level = LogLevel.Warning, Message = "failed sign-in as {Name} from {Address}")]
        public static partial void Failed(ILogger log, string name, string address);

        [LoggerMessage(Level = LogLevel.Warning, Message = "sign-in as {Name} from {Address} refused: throttled")]
        public static partial void Throttled(ILogger log, string name, string address);
    }
}
