using System.Text.Json;
using GateWatch.Agent.Tests.Support;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>
/// A park's first start, as the README's install section walks it: GateConsole init on an empty data folder, the
/// first admin signs in with the one-time password and must choose their own, makes an enrolment code on the admin
/// page, and a gate box enrols itself with that code (GateAgent enrol, a real process) and shows up pinned.
/// </summary>
[Collection(GateSiteGroup.Name)]
public sealed class FirstStartTests(GateSite site) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gatewatch-first-start-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_first_admin_replaces_the_one_time_password_and_a_gate_box_enrols_with_a_code_from_the_admin_page()
    {
        var data = Path.Combine(_dir, "console");
        var secret = Path.Combine(_dir, "first-admin.txt");
        var said = GateSite.Console("init", "--data", data, "--password-out", secret);
        Assert.Contains("one-time password in", said, StringComparison.Ordinal);
        var once = (await File.ReadAllTextAsync(secret)).Trim();
        Assert.DoesNotContain(once, said, StringComparison.Ordinal);
        var port = RtspTestServer.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        using var console = ChildProcess.Start(Path.Combine(GateSite.Artifacts, "first-start-console.log"), "dotnet",
            GateSite.Program("src/Console", "GateConsole.dll"), "serve", "--data", data, "--listen", $"http://127.0.0.1:{port}");
        await GateSite.WaitAsync(() => GateSite.UpAsync(new Uri(url, "healthz")), TimeSpan.FromSeconds(60), "the new console to answer", console);

        var context = await site.Browser.NewContextAsync(new() { BaseURL = url.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin.html");
        await page.FillAsync("#name", "admin");
        await page.FillAsync("#password", once);
        await page.ClickAsync("#signin");
        await Assertions.Expect(page.Locator("#change")).ToBeVisibleAsync();
        await page.FillAsync("#fresh", "our own gate password");
        await page.FillAsync("#again", "our own gate pasword");
        await page.ClickAsync("#change-save");
        // The first admin is a new user: the console speaks Vietnamese to them.
        await Assertions.Expect(page.Locator("#change-status")).ToHaveTextAsync(PageChecks.Vi("login.differ"));
        await page.FillAsync("#again", "our own gate password");
        await page.ClickAsync("#change-save");
        await page.WaitForURLAsync("**/admin.html");
        await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync($"admin · {PageChecks.Vi("role.admin")}");

        await page.FillAsync("#enrol-id", "gate-south");
        await page.FillAsync("#enrol-name", "South gate");
        await page.ClickAsync("#enrol-make");
        var code = (await page.GetByTestId("enrol-code").TextContentAsync())!.Trim();
        await Assertions.Expect(page.GetByTestId("enrolment-state")).ToHaveTextAsync(PageChecks.Vi("admin.enrol.waiting"));
        await GateSite.ShotAsync(page, "first-start-enrolment-code");

        // The gate box, as the package leaves it plus its camera: no console section yet.
        var box = Directory.CreateDirectory(Path.Combine(_dir, "box")).FullName;
        var config = Path.Combine(box, "agent.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            agentId = "gate-south",
            listen = $"https://127.0.0.1:{RtspTestServer.FreePort()}",
            apiKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            dataDir = "data",
            cameras = new[] { new { id = "south-1", main = "rtsp://127.0.0.1:9/none" } },
        }));
        var enrolled = ChildProcess.Run("dotnet", GateSite.Program("src/GateAgent", "GateAgent.dll"), "enrol", "--config", config, "--console", url.ToString(), "--code", code);
        Assert.Contains("enrolled as 'South gate'", enrolled, StringComparison.Ordinal);
        using (var written = JsonDocument.Parse(await File.ReadAllTextAsync(config)))
        {
            Assert.Equal(url.ToString(), written.RootElement.GetProperty("console").GetProperty("url").GetString());
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=agent-row][data-id=gate-south] [data-testid=agent-tls]")).ToContainTextAsync(PageChecks.Vi("admin.agent.pinned").Split("{pin}")[0].Trim());
        await Assertions.Expect(page.GetByTestId("enrolment-state")).ToHaveTextAsync(PageChecks.Vi("admin.enrol.used"));
        await GateSite.ShotAsync(page, "first-start-enrolled");

        var again = Assert.Throws<InvalidOperationException>(() =>
            ChildProcess.Run("dotnet", GateSite.Program("src/GateAgent", "GateAgent.dll"), "enrol", "--config", config, "--console", url.ToString(), "--code", code));
        Assert.Contains("already sends its events to", again.Message, StringComparison.Ordinal);
        await context.CloseAsync();
    }
}
