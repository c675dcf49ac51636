using System.Net;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Web;

public sealed class WebPagesTests
{
    [Fact]
    public async Task Only_the_login_page_and_what_it_loads_are_served_to_someone_not_signed_in()
    {
        await using var console = await TestConsole.StartAsync();
        using var anonymous = console.Client();
        foreach (var open in new[] { "login.html", "css/app.css", "js/api.js", "js/login.js" })
        {
            var r = await anonymous.GetAsync(open);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("default-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        foreach (var page in new[] { "", "index.html", "js/index.js", "live.html?x=1", "no-such-page.html" })
        {
            var r = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/login.html", r.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        Assert.Equal("/login.html?next=%2Flive.html%3Fx%3D1", (await anonymous.GetAsync("live.html?x=1")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_signed_in_user_gets_the_pages_and_no_page_may_be_framed()
    {
        await using var console = await TestConsole.StartAsync();
        using var guard = await console.SignedInAsync("guard1");
        var r = await guard.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("js/index.js", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await guard.GetAsync("no-such-page.html")).StatusCode);
    }
}
