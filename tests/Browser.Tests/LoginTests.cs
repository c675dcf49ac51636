using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

[Collection(GateSiteGroup.Name)]
public sealed class LoginTests(GateSite site)
{
    [Fact]
    public async Task A_wrong_password_is_refused_in_words_and_the_right_one_opens_the_users_own_page()
    {
        var context = await site.Browser.NewContextAsync(new() { BaseURL = site.ConsoleUrl.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/live.html");
        Assert.Contains("/login.html?next=%2Flive.html", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#name", "guard1");
        await page.FillAsync("#password", "not the password");
        await page.ClickAsync("#signin");
        // A new device shows the sign-in page in Vietnamese, and the console's refusal comes in the page's language.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync(PageChecks.ViOf("wrong user name or password"));
        await GateSite.ShotAsync(page, "login-refused");

        await page.FillAsync("#password", GateSite.Password);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync("**/live.html");
        await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync("guard1 · guard");
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_next_that_a_browser_would_read_as_another_site_is_not_followed_after_signing_in()
    {
        var context = await site.Browser.NewContextAsync(new() { BaseURL = site.ConsoleUrl.ToString() });
        var page = await context.NewPageAsync();
        // %09 is a tab: a browser drops it, and "/\t/evil.example" would become "//evil.example", another site.
        await page.GotoAsync("/login.html?next=/%09/evil.example");
        await page.FillAsync("#name", "guard1");
        await page.FillAsync("#password", GateSite.Password);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync("**/live.html");
        Assert.Equal(new Uri(site.ConsoleUrl, "/live.html"), new Uri(page.Url));
        await context.CloseAsync();
    }
}
