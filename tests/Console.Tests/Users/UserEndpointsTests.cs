using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GateWatch.Central.Tests.Users;

public sealed class UserEndpointsTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task Every_endpoint_but_login_and_health_needs_a_user()
    {
        using var http = _console.Client();
        await TestConsole.Csrf(http);
        var open = new HashSet<string> { "/healthz", "GET /api/login", "POST /api/login" };
        var checkedRoutes = 0;
        foreach (var e in _console.Endpoints())
        {
            var path = "/" + e.RoutePattern.RawText!.TrimStart('/');
            var concrete = System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "x");
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (open.Contains(path) || open.Contains($"{method} {path}"))
                {
                    continue;
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), concrete.TrimStart('/')) { Content = JsonContent.Create(new { }) };
                var r = await http.SendAsync(request);
                Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)r.StatusCode} without a user");
                checkedRoutes++;
            }
        }

        Assert.True(checkedRoutes >= 4, $"{checkedRoutes} routes checked");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task Signing_in_needs_the_antiforgery_token_and_the_right_password()
    {
        using var http = _console.Client();
        var noToken = await http.PostAsJsonAsync("api/login", new { name = "guard1", password = TestConsole.Password });
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("antiforgery", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await TestConsole.Csrf(http);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/login", new { name = "guard1", password = "wrong password" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/login", new { name = "nobody", password = TestConsole.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/me")).StatusCode);

        var ok = await http.PostAsJsonAsync("api/login", new { name = "GUARD1", password = TestConsole.Password });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var me = await http.GetFromJsonAsync<JsonElement>("api/me");
        Assert.Equal(("guard1", "guard"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));
        Assert.Equal(["watch"], me.GetProperty("rights").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Repeated_wrong_passwords_are_throttled_until_time_passes()
    {
        using var http = _console.Client();
        await TestConsole.Csrf(http);
        for (var i = 0; i < GateWatch.Central.Users.LoginThrottle.FreeFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/login", new { name = "reviewer1", password = "guess " + i })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("api/login", new { name = "reviewer1", password = "guess 6" })).StatusCode);
        var throttled = await http.PostAsJsonAsync("api/login", new { name = "reviewer1", password = TestConsole.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);

        _console.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("api/login", new { name = "reviewer1", password = TestConsole.Password })).StatusCode);
    }

    [Fact]
    public async Task Only_an_admin_manages_users_and_weak_or_duplicate_ones_are_refused()
    {
        foreach (var name in new[] { "guard1", "reviewer1", "investigator1" })
        {
            using var user = await _console.SignedInAsync(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("api/admin/users")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("api/admin/users", new { name = "x1", role = "admin", password = "long enough pw" })).StatusCode);
        }

        using var admin = await _console.SignedInAsync("admin1");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/admin/users", new { name = "night guard", role = "guard", password = "long enough pw" })).StatusCode);
        var dup = await admin.PostAsJsonAsync("api/admin/users", new { name = "Night Guard", role = "guard", password = "long enough pw" });
        Assert.Equal(HttpStatusCode.BadRequest, dup.StatusCode);
        Assert.Contains("already exists", await dup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var weak = await admin.PostAsJsonAsync("api/admin/users", new { name = "x2", role = "guard", password = "short" });
        Assert.Contains("at least 8", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var role = await admin.PostAsJsonAsync("api/admin/users", new { name = "x3", role = "superuser", password = "long enough pw" });
        Assert.Contains("does not exist", await role.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var users = await admin.GetFromJsonAsync<JsonElement>("api/admin/users");
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("name").GetString() == "night guard");
        Assert.DoesNotContain("password", users.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // The session's token is required for changes even when signed in.
        admin.DefaultRequestHeaders.Remove(GateWatch.Central.Users.UserEndpoints.CsrfHeader);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("api/admin/users", new { name = "x4", role = "guard", password = "long enough pw" })).StatusCode);
    }
}
