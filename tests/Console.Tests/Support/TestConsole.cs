using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using GateWatch.Central.Data;
using GateWatch.Central.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Central.Tests.Support;

/// <summary>The real console on a loopback port with its own data folder, a fake clock, and one user per role.</summary>
internal sealed class TestConsole : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private readonly WebApplication _app;

    private TestConsole(string dir, WebApplication app, Uri url, FakeTimeProvider time)
    {
        Dir = dir;
        _app = app;
        Url = url;
        Time = time;
    }

    public string Dir { get; }

    public Uri Url { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public ConsoleDb Db => _app.Services.GetRequiredService<ConsoleDb>();

    /// <summary>Starts a console; <paramref name="logs"/>, when given, receives everything it logs (otherwise nothing is kept).</summary>
    /// <param name="now">Where the console's clock starts (a test about a given day); the machine's time when not given.</param>
    /// <param name="clock">The console's clock, for a test that watches its timers; a new one when not given.</param>
    /// <param name="dataDir">A data folder made beforehand (an earlier version's database); the console owns it from here and deletes it at the end.</param>
    /// <param name="createUsers">Whether to make one user per role ("guard1", ...); a restored folder has them already.</param>
    /// <param name="zone">The park's time zone; UTC unless a test is about the park's clock, so other tests' days are UTC days.</param>
    public static async Task<TestConsole> StartAsync(
        ILoggerProvider? logs = null, DateTimeOffset? now = null, FakeTimeProvider? clock = null, string? dataDir = null, bool createUsers = true,
        string zone = "UTC")
    {
        var dir = dataDir ?? Directory.CreateTempSubdirectory("gateconsole-tests-").FullName;
        var port = LocalAgent.FreePort();
        var time = clock ?? new FakeTimeProvider(now ?? DateTimeOffset.UtcNow);
        var app = ConsoleHost.Build(new ConsoleSettings(dir, $"http://127.0.0.1:{port}") { Clock = ParkClock.For(zone) }, b =>
        {
            b.Services.AddSingleton<TimeProvider>(time);
            b.Logging.ClearProviders();
            if (logs is not null)
            {
                b.Logging.AddProvider(logs);
            }
        });
        var users = app.Services.GetRequiredService<UserStore>();
        foreach (var role in createUsers ? Roles.All : [])
        {
            users.Create(role + "1", role, Password);
        }

        await app.StartAsync();
        return new TestConsole(dir, app, new Uri($"http://127.0.0.1:{port}/"), time);
    }

    /// <summary>A browser-like client: keeps cookies, sends the antiforgery token it was given.</summary>
    /// <remarks>It asks for English (as a page in English does), so the tests read the details the code writes; ProblemLanguageTests removes that.</remarks>
    public HttpClient Client()
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Url };
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        return http;
    }

    /// <summary>A client signed in as <paramref name="name"/>, with the antiforgery header set.</summary>
    public async Task<HttpClient> SignedInAsync(string name, string password = Password)
    {
        var http = Client();
        await Csrf(http);
        var r = await http.PostAsJsonAsync("api/login", new { name, password });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var me = await http.GetFromJsonAsync<JsonElement>("api/me");
        http.DefaultRequestHeaders.Remove(UserEndpoints.CsrfHeader);
        http.DefaultRequestHeaders.Add(UserEndpoints.CsrfHeader, me.GetProperty("csrf").GetString());
        return http;
    }

    /// <summary>Fetches the login page's antiforgery token and sends it from now on.</summary>
    public static async Task Csrf(HttpClient http)
    {
        var token = (await http.GetFromJsonAsync<JsonElement>("api/login")).GetProperty("csrf").GetString();
        http.DefaultRequestHeaders.Remove(UserEndpoints.CsrfHeader);
        http.DefaultRequestHeaders.Add(UserEndpoints.CsrfHeader, token);
    }

    public IEnumerable<Microsoft.AspNetCore.Routing.RouteEndpoint> Endpoints() =>
        _app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
