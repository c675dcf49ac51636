using System.Text.Json;
using System.Text.Json.Nodes;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>An admin: the gate's lines and zones edited on the camera's picture, applied by the agent, and the audit chain checked.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class AdminTests(GateSite site)
{
    [Fact]
    public async Task An_admin_moves_a_gate_line_the_agent_applies_it_and_the_audit_chain_holds()
    {
        var page = await site.SignInAsync("admin1");
        await page.GotoAsync("/cameras.html");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("gate-json")).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });

        // Move the east line one pixel (harmless to the other tests' counting), in the JSON the page keeps in sync with its drawing.
        var spec = JsonNode.Parse(await page.GetByTestId("gate-json").InputValueAsync())!;
        var east = spec["lines"]!.AsArray().Single(l => (string?)l!["id"] == "east")!;
        var x = (int)east["a"]![0]!;
        east["a"]![0] = x + 1;
        await page.GetByTestId("gate-json").FillAsync(spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        await page.GetByTestId("gate-save").ClickAsync();
        await page.WaitForFunctionAsync("() => /saved|applied/i.test(document.querySelector('[data-testid=status]')?.textContent ?? '')", null, new() { Timeout = 20_000 });
        await GateSite.ShotAsync(page, "admin-lines-and-zones");

        // The agent has it: its own gate endpoint answers with the moved line.
        var gate = await site.AgentGetAsync($"api/cameras/{GateSite.CameraId}/gate");
        var applied = gate.GetProperty("spec").GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "east");
        Assert.Equal(x + 1, applied.GetProperty("a")[0].GetInt32());

        // The change is in the audit log, whose hash chain verifies from the admin page.
        await page.GotoAsync("/admin.html");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("audit-row").Filter(new() { HasText = "config-change" }).First).ToBeVisibleAsync();
        await page.GetByTestId("audit-verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("chain-result")).ToContainTextAsync("intact", new() { Timeout = 15_000 });
        await GateSite.ShotAsync(page, "admin-audit");
        await page.Context.CloseAsync();
    }
}
