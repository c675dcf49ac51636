using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Users;

/// <summary>
/// A new site's first start: GateConsole init makes the first admin with a one-time password that opens nothing but a
/// password change, and refuses to run again on a console that has people.
/// </summary>
public sealed class FirstAdminTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-init-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_one_time_password_only_lets_its_holder_choose_a_password_and_then_no_longer_works()
    {
        var data = Path.Combine(_dir, "data");
        var secret = Path.Combine(_dir, "first-admin.txt");
        Assert.Equal(0, await ConsoleCommands.RunAsync(["init", "--data", data, "--password-out", secret]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        }

        var once = (await File.ReadAllTextAsync(secret)).Trim();
        Assert.True(File.Exists(Path.Combine(data, "evidence-key.pem")));

        await using var console = await TestConsole.StartAsync(dataDir: data, createUsers: false);
        using var admin = console.Client();
        await TestConsole.Csrf(admin);
        var login = await (await admin.PostAsJsonAsync("api/login", new { name = "admin", password = once })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(login.GetProperty("mustChangePassword").GetBoolean());
        var me = await admin.GetFromJsonAsync<JsonElement>("api/me");
        admin.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        admin.DefaultRequestHeaders.Add("X-CSRF-TOKEN", me.GetProperty("csrf").GetString());

        var blocked = await admin.GetAsync("api/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        Assert.Contains("one-time password", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsJsonAsync("api/password", new { current = "not-it-at-all", password = "the park's own 1" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("api/password", new { current = once, password = "short" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync("api/password", new { current = once, password = "the park's own 1" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/admin/users")).StatusCode);
        Assert.False((await admin.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("mustChangePassword").GetBoolean());
        using var again = console.Client();
        await TestConsole.Csrf(again);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.PostAsJsonAsync("api/login", new { name = "admin", password = once })).StatusCode);
        using var own = await console.SignedInAsync("admin", "the park's own 1");
        var audit = (await own.GetFromJsonAsync<JsonElement>("api/admin/audit?action=password-changed")).ToString();
        Assert.Contains("wrong current password", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(once, (await own.GetFromJsonAsync<JsonElement>("api/admin/audit")).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_on_a_console_that_has_people_changes_nothing()
    {
        var data = Path.Combine(_dir, "data");
        Assert.Equal(0, await ConsoleCommands.RunAsync(["init", "--data", data, "--password-out", Path.Combine(_dir, "one.txt")]));
        var before = await File.ReadAllBytesAsync(Path.Combine(data, "console.db"));

        Assert.Equal(1, await ConsoleCommands.RunAsync(["init", "--data", data, "--password-out", Path.Combine(_dir, "two.txt")]));

        Assert.False(File.Exists(Path.Combine(_dir, "two.txt")));
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(data, "console.db")));
    }
}
