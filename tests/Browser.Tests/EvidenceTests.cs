using System.Globalization;
using System.IO.Compression;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;

namespace GateWatch.Browser.Tests;

/// <summary>An investigator's case: clips cut by the agent, a signed package, and the verify page telling intact from tampered.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class EvidenceTests(GateSite site)
{
    [Fact]
    public async Task An_investigator_exports_a_case_whose_package_verifies_and_a_tampered_copy_does_not()
    {
        // Footage of the last half minute: wait until the agent has that much.
        await site.WaitForFootageAsync(TimeSpan.FromSeconds(30));
        var page = await site.SignInAsync("investigator1");
        await page.GotoAsync("/cases.html");
        var number = "GW-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        await page.GetByTestId("case-number").FillAsync(number);
        await page.GetByTestId("case-description").FillAsync("Group forcing the north gate");
        await page.GetByTestId("case-create").ClickAsync();
        await page.Locator($"[data-testid=case-row][data-number='{number}']").ClickAsync();

        // The page reads typed times on the park's clock, whatever zone the browser is in (see GateSite).
        var to = GateSite.ParkTime(DateTime.UtcNow.AddSeconds(-8));
        var from = to.AddSeconds(-12);
        await page.GetByTestId("clip-camera").SelectOptionAsync(new SelectOptionValue { Index = 0 });
        await page.GetByTestId("clip-from").FillAsync(LocalInput(from));
        await page.GetByTestId("clip-to").FillAsync(LocalInput(to));
        await page.GetByTestId("clip-reason").FillAsync("Shows the group at the gate line");
        await page.GetByTestId("clip-add").ClickAsync();
        await Assertions.Expect(page.GetByTestId("clip-row")).ToHaveCountAsync(1, new() { Timeout = 60_000 });

        await page.GetByTestId("package-create").ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("package-download").First.ClickAsync(), new() { Timeout = 60_000 });
        var package = Path.Combine(GateSite.Artifacts, $"case-{number}.zip");
        await download.SaveAsAsync(package);
        await GateSite.ShotAsync(page, "case-exported");

        // The package as downloaded verifies on the verify page.
        await page.GotoAsync("/verify.html");
        await VerifyAsync(page, package, expectIntact: true);
        await GateSite.ShotAsync(page, "verify-intact");

        // One byte of the video changed: the page says the package is not intact and names the clip.
        var tampered = Path.Combine(GateSite.Artifacts, $"case-{number}-tampered.zip");
        File.Copy(package, tampered, overwrite: true);
        var clipName = FlipOneByteOfTheFirstClip(tampered);
        await page.ReloadAsync();
        await VerifyAsync(page, tampered, expectIntact: false);
        await Assertions.Expect(page.GetByTestId("problem").Filter(new() { HasText = clipName })).Not.ToHaveCountAsync(0);
        await GateSite.ShotAsync(page, "verify-tampered");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_guard_is_refused_cases_and_exports_in_the_page_and_by_the_server()
    {
        var page = await site.SignInAsync("guard1");
        Assert.DoesNotContain(await page.Locator("#top nav a").AllInnerTextsAsync(), t => t.Contains("Cases", StringComparison.Ordinal));
        await page.GotoAsync("/cases.html");
        // The URL is what is checked: the wall itself may take long to finish loading its live video.
        await page.WaitForURLAsync("**/live.html", new() { WaitUntil = WaitUntilState.Commit });

        // Going round the page straight to the API: refused by the server.
        var csrf = await page.EvaluateAsync<string>("async () => (await (await fetch('/api/me')).json()).csrf");
        var refused = await page.EvaluateAsync<int>(
            "async (csrf) => (await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': csrf }, body: JSON.stringify({ number: 'X-1', description: 'x' }) })).status",
            csrf);
        Assert.Equal(403, refused);
        await page.Context.CloseAsync();
    }

    private static async Task VerifyAsync(IPage page, string package, bool expectIntact)
    {
        await page.GetByTestId("verify-file").SetInputFilesAsync(package);
        await page.GetByTestId("verify-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("verdict")).ToHaveAttributeAsync("data-ok", expectIntact ? "true" : "false", new() { Timeout = 30_000 });
    }

    /// <summary>Rewrites the zip with one byte of its first clip inverted; returns that clip's entry name.</summary>
    private static string FlipOneByteOfTheFirstClip(string zipPath)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        var entry = zip.Entries.First(e => e.FullName.StartsWith("clips/", StringComparison.Ordinal));
        byte[] bytes;
        using (var s = entry.Open())
        using (var m = new MemoryStream())
        {
            s.CopyTo(m);
            bytes = m.ToArray();
        }

        bytes[bytes.Length / 2] ^= 0xFF;
        var name = entry.FullName;
        entry.Delete();
        using (var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
        {
            s.Write(bytes);
        }

        return Path.GetFileName(name);
    }

    /// <summary>
    /// A time as a datetime-local input holds it: Chromium drops ":00" seconds from the value, and Playwright refuses
    /// a fill whose value the input does not keep as given ("Malformed value"), so whole minutes are typed without them.
    /// </summary>
    private static string LocalInput(DateTime t) =>
        t.ToString(t.Second == 0 ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
}
