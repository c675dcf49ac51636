using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using GateWatch.Agent.Tests.Support;
using GateWatch.Browser.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace GateWatch.Browser.Tests;

/// <summary>A guard's wall: live video relayed from the agent, drawn-in tracking, alerts with sound, acknowledging.</summary>
[Collection(GateSiteGroup.Name)]
public sealed class LiveWallTests(GateSite site, ITestOutputHelper output)
{
    private const string PetsTruth = "../shared/data/pets2009-s2l1/PETS2009-S2L1.xml";

    /// <summary>A run that read no stamp at all still writes its file, with NaN figures, before it fails.</summary>
    private static readonly JsonSerializerOptions NaNAllowed = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// After <c>every</c> presented frames, the number drawn in the frame the video shows and what the overlay
    /// draws at that moment, read in the same callback so the two belong together.
    /// </summary>
    private static readonly string SampleJs = """
        async (v, [every, bits]) => {
          const code = READ;
          const overlay = v.parentElement.querySelector('[data-testid=overlay]');
          return await new Promise((resolve) => {
            let n = 0;
            const step = () => {
              if (++n < every) { v.requestVideoFrameCallback(step); return; }
              resolve({ frame: code(v, bits), overlay: overlay.dataset.tracks || '' });
            };
            v.requestVideoFrameCallback(step);
          });
        }
        """.Replace("READ", PictureCode.ReadJs, StringComparison.Ordinal);

    [Fact]
    public async Task The_wall_shows_the_gate_camera_moving_close_to_live_with_the_tracking_drawn_in()
    {
        var page = await site.SignInAsync("guard1");
        Assert.EndsWith("/live.html", page.Url, StringComparison.Ordinal);
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-playing", "1", new() { Timeout = 30_000 });

        // Moving video: the picture differs between two screenshots of the video a moment apart.
        var video = tile.GetByTestId("video");
        var first = await video.ScreenshotAsync(new() { Path = Path.Combine(GateSite.Artifacts, "live-video-1.png") });
        await page.WaitForTimeoutAsync(1500);
        var second = await video.ScreenshotAsync(new() { Path = Path.Combine(GateSite.Artifacts, "live-video-2.png") });
        Assert.NotEqual(first, second);
        Assert.True(await video.EvaluateAsync<bool>("v => !v.paused && v.videoWidth === 768 && v.videoHeight === 576"), "the PETS picture plays at its own size");

        // Close to live: what the browser holds beyond the playhead stays small.
        var behind = await video.EvaluateAsync<double>("v => v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 99");
        Assert.InRange(behind, 0, 1.5);

        // The overlay draws the gate lines at least (boxes when people are tracked).
        await page.WaitForFunctionAsync(
            """
            () => { const c = document.querySelector('[data-testid=overlay]'); if (!c || !c.width) return false;
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n > 500; }
            """, null, new() { Timeout = 15_000 });
        await GateSite.ShotAsync(page, "live-wall");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The boxes sit on the people of the picture under them: the wall's video shows a frame whose number the
    /// clip carries, and the overlay's person boxes at that moment are checked against the PETS annotation of
    /// that frame. Against the annotation three seconds off, the same boxes mostly miss, so a wall whose boxes
    /// lag or lead the video (each client of the camera its own copy of the clip) fails here.
    /// </summary>
    [RequiresFileFact(PetsTruth)]
    public async Task The_walls_boxes_sit_on_the_people_in_the_frame_the_video_shows()
    {
        var truth = LoadPetsTruth(TestPaths.Resolve(PetsTruth));
        var page = await site.SignInAsync("guard1");
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await Assertions.Expect(tile).ToHaveAttributeAsync("data-playing", "1", new() { Timeout = 30_000 });
        var video = tile.GetByTestId("video");

        // Samples three frames apart, each with at least one person box, until there are enough of both.
        var samples = new List<(int Frame, Box[] Boxes)>();
        var until = DateTime.UtcNow.AddSeconds(90);
        var unread = 0;
        while (samples.Count < 15 || samples.Sum(s => s.Boxes.Length) < 100)
        {
            Assert.True(DateTime.UtcNow < until, $"90 s gave {samples.Count} samples with person boxes ({unread} frames without a readable number)");
            var sample = await video.EvaluateAsync<JsonElement>(SampleJs, new object[] { 3, PictureCode.FrameBits });
            if (sample.GetProperty("frame").ValueKind != JsonValueKind.Number)
            {
                unread++;
                continue;
            }

            var width = await video.EvaluateAsync<int>("v => v.videoWidth");
            if (OverlayBoxes(sample.GetProperty("overlay").GetString()!, width) is { Length: > 0 } boxes)
            {
                samples.Add((sample.GetProperty("frame").GetInt32(), boxes));
            }
        }

        // A box may be from up to 0.8 s before the frame shown: analysis runs at 5 fps, and its result reaches
        // the browser after the detector's time (about 0.5 s on a busy 2-core machine) while the overlay holds
        // it back only by the player's buffer; a little after, too, as the tracker predicts.
        double OnPeople(int offset) =>
            samples.Sum(s => s.Boxes.Count(b => Enumerable.Range(-8, 11).Any(d =>
                truth.TryGetValue(Mod(s.Frame + offset + d, truth.Count), out var people) && people.Any(p => Iou(b, p) >= 0.3))))
            / (double)samples.Sum(s => s.Boxes.Length);
        var aligned = OnPeople(0);
        var early = OnPeople(-30);
        var late = OnPeople(30);
        var best = Enumerable.Range(-40, 81).MaxBy(OnPeople);
        output.WriteLine(Invariant($"{samples.Sum(s => s.Boxes.Length)} boxes in {samples.Count} samples: {aligned:P0} on a person of the frame shown, {early:P0} of the frame 3 s before, {late:P0} 3 s after; best offset {best} frames ({OnPeople(best):P0})"));
        Assert.True(aligned >= 0.6, Invariant($"only {aligned:P0} of the overlay's person boxes sit on a person of the frame the video shows (best offset {best} frames)"));
        Assert.True(aligned >= Math.Max(early, late) + 0.25, Invariant($"boxes match the frame shown ({aligned:P0}) hardly better than 3 s off ({early:P0}, {late:P0})"));
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Glass to glass: a camera that burns into each frame the wall-clock time it left the camera, read back off
    /// the wall's video as each frame is displayed. The figure goes to artifacts/browser/latency.json and the test
    /// output (bench/RESULTS.md reports it); the bound here is only that the picture arrives at all, and within
    /// seconds, not a speed requirement.
    /// </summary>
    [Fact]
    public async Task A_frame_reaches_the_wall_within_seconds_of_leaving_the_camera()
    {
        // A player keeps the delay it settled on when it started, so the spread is between page loads: for the
        // figure, GATEWATCH_LATENCY_SESSIONS page loads of GATEWATCH_LATENCY_FRAMES frames each.
        static int Setting(string name, int fallback) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var sessions = Setting("GATEWATCH_LATENCY_SESSIONS", 1);
        var frames = Setting("GATEWATCH_LATENCY_FRAMES", 50);
        await using var stamped = await site.AddStampedCameraAsync();
        var all = new List<double>();
        var perSession = new List<object>();
        var unread = 0;
        for (var i = 0; i < sessions; i++)
        {
            var page = await site.SignInAsync("guard1");
            var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.StampedCameraId}]");
            await Assertions.Expect(tile).ToHaveAttributeAsync("data-playing", "1", new() { Timeout = 60_000 });
            // Each displayed frame's time (requestVideoFrameCallback's expectedDisplayTime, on the Unix clock) less its stamp.
            var result = await tile.GetByTestId("video").EvaluateAsync<JsonElement>("""
                async (v, [frames, bits]) => {
                  const code = READ;
                  const latency = [], ahead = [];
                  let unread = 0;
                  await new Promise((resolve) => {
                    const step = (now, meta) => {
                      const stamp = code(v, bits);
                      if (stamp === null) unread++;
                      else {
                        latency.push(performance.timeOrigin + meta.expectedDisplayTime - stamp);
                        ahead.push(meta.expectedDisplayTime - now);
                      }
                      if (latency.length + unread >= frames) resolve(); else v.requestVideoFrameCallback(step);
                    };
                    v.requestVideoFrameCallback(step);
                  });
                  ahead.sort((a, b) => a - b);
                  return { latency, unread, ahead: ahead.length ? ahead[ahead.length >> 1] : null };
                }
                """.Replace("READ", PictureCode.ReadJs, StringComparison.Ordinal), new object[] { frames, PictureCode.StampBits });
            var latency = result.GetProperty("latency").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var buffered = await tile.GetByTestId("latency").GetAttributeAsync("data-seconds");
            unread += result.GetProperty("unread").GetInt32();
            all.AddRange(latency);
            // How far ahead of the callback the browser expected to show the frame: a sanity check on the display time.
            double? ahead = result.GetProperty("ahead").ValueKind == JsonValueKind.Number ? result.GetProperty("ahead").GetDouble() : null;
            perSession.Add(new { medianMs = Quantile(latency, 0.5), minMs = latency.FirstOrDefault(), maxMs = latency.LastOrDefault(), playerBufferS = buffered, displayAfterCallbackMs = ahead });
            output.WriteLine(Invariant($"page load {i + 1}: median {Quantile(latency, 0.5):0} ms over {latency.Length} frames (min {latency.FirstOrDefault():0}, max {latency.LastOrDefault():0}); the player's buffer {buffered} s; shown {ahead:0} ms after the callback"));
            await page.Context.CloseAsync();
        }

        var sorted = all.Order().ToArray();
        await File.WriteAllTextAsync(Path.Combine(GateSite.Artifacts, "latency.json"), JsonSerializer.Serialize(new
        {
            sessions, framesPerSession = frames, unread, medianMs = Quantile(sorted, 0.5), p90Ms = Quantile(sorted, 0.9),
            minMs = sorted.FirstOrDefault(), maxMs = sorted.LastOrDefault(), perSession, latencyMs = sorted,
        }, NaNAllowed));
        output.WriteLine(Invariant($"glass to glass over {sorted.Length} frames in {sessions} page loads ({unread} unreadable): median {Quantile(sorted, 0.5):0} ms, p90 {Quantile(sorted, 0.9):0} ms"));
        Assert.True(sorted.Length >= sessions * frames * 0.9, $"the stamp was unreadable on {unread} of {sessions * frames} frames");
        Assert.InRange(Quantile(sorted, 0.5), 0, 10_000);
    }

    [Fact]
    public async Task A_crowd_gathering_raises_an_alert_on_the_wall_which_a_guard_acknowledges_with_a_note()
    {
        var page = await site.SignInAsync("guard1");
        // PETS has a group gathering in the marked zone early in the clip; the camera loops it.
        var alert = page.Locator("[data-testid=alert][data-type=crowd-start]").First;
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await GateSite.ShotAsync(page, "live-crowd-alert");
        // Its size: PETS's group is sparse enough to be counted person by person, so a plain number, and its peak.
        await Assertions.Expect(alert).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ people when raised · peak \d+"));
        var id = await alert.GetAttributeAsync("data-id");

        await alert.GetByTestId("ack").ClickAsync();
        await page.GetByTestId("ack-note").FillAsync("Gate team sent; group dispersed");
        await page.GetByTestId("ack-confirm").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-testid=alert][data-id='{id}']")).ToHaveCountAsync(0);

        // The console kept who acknowledged and the note.
        var alerts = await page.Context.APIRequest.GetAsync("/api/alerts");
        using var json = JsonDocument.Parse(await alerts.TextAsync());
        var ack = json.RootElement.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id).GetProperty("acknowledged");
        Assert.Equal("guard1", ack.GetProperty("by").GetString());
        Assert.Equal("Gate team sent; group dispersed", ack.GetProperty("note").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_guard_lays_the_crowd_density_over_a_tile_and_the_wall_remembers_it()
    {
        var page = await site.SignInAsync("guard1");
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        var heat = tile.GetByTestId("heat");
        await Assertions.Expect(heat).ToHaveAttributeAsync("aria-pressed", "false");
        await heat.ClickAsync();
        await Assertions.Expect(heat).ToHaveAttributeAsync("aria-pressed", "true");

        // The agent estimates every 2 s; the overlay draws the 16-block grid of PETS's people (3-8 of them).
        var overlay = tile.GetByTestId("overlay");
        await page.WaitForFunctionAsync(
            "(c) => { const h = c.dataset.heat && JSON.parse(c.dataset.heat); return h && h.drawn > 0 && h.people >= 1; }",
            await overlay.ElementHandleAsync(), new() { Timeout = 60_000 });
        using (var heatJson = JsonDocument.Parse((await overlay.GetAttributeAsync("data-heat"))!))
        {
            Assert.Equal(16, heatJson.RootElement.GetProperty("columns").GetInt32());
            Assert.InRange(heatJson.RootElement.GetProperty("people").GetDouble(), 1, 30);
        }

        await GateSite.ShotAsync(page, "live-heat");

        await page.ReloadAsync();
        await Assertions.Expect(tile.GetByTestId("heat")).ToHaveAttributeAsync("aria-pressed", "true");
        await tile.GetByTestId("heat").ClickAsync();
        await Assertions.Expect(tile.GetByTestId("heat")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.WaitForFunctionAsync("(c) => !c.dataset.heat", await tile.GetByTestId("overlay").ElementHandleAsync(), new() { Timeout = 10_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Todays_entries_and_exits_on_the_wall_match_what_the_console_received()
    {
        var page = await site.SignInAsync("guard1");
        var tile = page.Locator($"[data-testid=tile][data-agent={GateSite.AgentId}][data-camera={GateSite.CameraId}]");
        await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=today-in]')?.textContent?.match(/\\d+/)?.[0] ?? 0) > 0",
            null, new() { Timeout = 90_000 });
        var today = await page.Context.APIRequest.GetAsync("/api/live/today");
        using var json = JsonDocument.Parse(await today.TextAsync());
        var row = json.RootElement.EnumerateArray().Single(r => r.GetProperty("camera").GetString() == GateSite.CameraId);
        // The page refreshes every few seconds; what it shows is never ahead of the console.
        var shown = int.Parse(System.Text.RegularExpressions.Regex.Match(await tile.GetByTestId("today-in").InnerTextAsync(), @"\d+").Value, CultureInfo.InvariantCulture);
        Assert.InRange(shown, 1, row.GetProperty("in").GetInt32());
        await page.Context.CloseAsync();
    }

    private readonly record struct Box(double X1, double Y1, double X2, double Y2);

    private static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];

    private static int Mod(int a, int n) => ((a % n) + n) % n;

    private static double Iou(Box a, Box b)
    {
        var w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var i = w * h;
        return i / (((a.X2 - a.X1) * (a.Y2 - a.Y1)) + ((b.X2 - b.X1) * (b.Y2 - b.Y1)) - i);
    }

    /// <summary>The overlay's person boxes seen in the newest analysed frame, in the video's own pixels.</summary>
    private static Box[] OverlayBoxes(string json, int videoWidth)
    {
        if (json.Length == 0)
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        var scale = videoWidth / doc.RootElement.GetProperty("frameSize")[0].GetDouble();
        return doc.RootElement.GetProperty("tracks").EnumerateArray()
            .Where(t => t.GetProperty("class").GetString() == "person" && t.GetProperty("seen").GetBoolean())
            .Select(t => t.GetProperty("box").EnumerateArray().Select(v => v.GetDouble() * scale).ToArray())
            .Select(b => new Box(b[0], b[1], b[2], b[3]))
            .ToArray();
    }

    /// <summary>PETS2009-S2L1.xml: each frame's people as boxes (centre, width, height in the 768x576 picture).</summary>
    private static Dictionary<int, Box[]> LoadPetsTruth(string path) =>
        XDocument.Load(path).Root!.Elements("frame").ToDictionary(
            f => (int)f.Attribute("number")!,
            f => f.Descendants("box").Select(b =>
            {
                double A(string name) => double.Parse(b.Attribute(name)!.Value, CultureInfo.InvariantCulture);
                return new Box(A("xc") - (A("w") / 2), A("yc") - (A("h") / 2), A("xc") + (A("w") / 2), A("yc") + (A("h") / 2));
            }).ToArray());

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
