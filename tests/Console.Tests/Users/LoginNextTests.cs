using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using GateWatch.Central.Web;

namespace GateWatch.Central.Tests.Users;

/// <summary>
/// Where the login page goes after signing in is the server's decision: only one of the console's own pages,
/// never a next= that a browser would read as another site or a script.
/// </summary>
public sealed class LoginNextTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public static TheoryData<string> Hostile =>
    [
        "/\t/evil.example",
        "/%09/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "//evil.example/live.html",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example/live.html",
        "https://evil.example/live.html",
        "http:evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "live.html",
        "/ /evil.example",
        " /live.html",
        "/live.html\t",
        "/live.html/../../x",
        "/../live.html",
        "/./live.html",
        "/live.html/x",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/login.html",
        "/login.html?next=//evil.example",
        "/no-such-page.html",
        "/api/me",
        "/js/api.js",
        "/LIVE.HTML",
        "/live.html?x=\\evil",
        "/live.html?\n",
        "/live.html?x=1#\t",
        "/live.html?x=1 2",
        "/\u00a0/evil.example",
        "/\u2028/evil.example",
        "",
    ];

    public static TheoryData<string> Good =>
    [
        "/live.html",
        "/recordings.html?agent=gate-north&camera=north-1",
        "/recordings.html?agent=gate-north&camera=north-1&t=2026-03-01T08%3A00%3A00Z#player",
        "/cases.html#12",
        "/index.html",
        "/admin.html?",
        "/plates.html?list=deny",
    ];

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_next_that_is_not_one_of_the_consoles_pages_is_not_given_back(string next)
    {
        Assert.Null(WebPages.SafeNext(next));
        Assert.Equal(JsonValueKind.Null, (await SignInAsync(next)).GetProperty("next").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Good))]
    public async Task A_next_that_is_one_of_the_consoles_pages_is_given_back_as_it_is(string next)
    {
        Assert.Equal(next, WebPages.SafeNext(next));
        Assert.Equal(next, (await SignInAsync(next)).GetProperty("next").GetString());
    }

    [Fact]
    public async Task Without_a_next_the_sign_in_says_none_and_a_huge_one_is_refused_too()
    {
        Assert.Equal(JsonValueKind.Null, (await SignInAsync(null)).GetProperty("next").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await SignInAsync("/live.html?" + new string('a', 10_000))).GetProperty("next").ValueKind);
    }

    [Fact]
    public void The_pages_a_next_may_name_are_the_consoles_pages_but_the_login_page()
    {
        var pages = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot"), "*.html").Select(Path.GetFileName).Where(p => p != "login.html").Order();
        Assert.Equal(pages, WebPages.Pages.Order());
    }

    private async Task<JsonElement> SignInAsync(string? next)
    {
        using var http = _console.Client();
        await TestConsole.Csrf(http);
        var r = await http.PostAsJsonAsync("api/login", new { name = "guard1", password = TestConsole.Password, next });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }
}
