using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Service;
using GateWatch.Agent.Tests.Outbox;
using GateWatch.Agent.Tests.Retention;
using GateWatch.Agent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Tests.Api;

/// <summary>Hands the host's log lines to one <see cref="CapturingLogger"/>, with the host's own filters.</summary>
internal sealed class CapturingLoggerProvider(CapturingLogger logger) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void Dispose()
    {
    }
}

/// <summary>
/// One real agent for the whole class, built by <see cref="AgentHost.Build"/> from an agent.json on disk and
/// listening on a loopback port: one camera recording (no analysis) a looped 640x360 H.264 file in 2 s segments.
/// </summary>
public sealed class RunningAgentFixture : IAsyncLifetime
{
    internal const string CameraId = "cam1";

    internal TempDir Dir { get; } = new();

    /// <summary>Random per run, so finding it in a log cannot be a coincidence.</summary>
    internal string Key { get; } = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal CapturingLogger Logs { get; } = new();

    internal string ConfigPath => Dir.File("agent.json");

    internal string ConfigText { get; private set; } = "";

    internal AgentConfig Config { get; private set; } = null!;

    internal WebApplication App { get; private set; } = null!;

    /// <summary>Sends the agent key on every request.</summary>
    internal HttpClient Client { get; private set; } = null!;

    /// <summary>Sends no key.</summary>
    internal HttpClient Anonymous { get; private set; } = null!;

    internal CameraSet Cameras => App.Services.GetRequiredService<CameraSet>();

    public async Task InitializeAsync()
    {
        // A keyframe every second and no B-frames, as cameras send; 5 s looped forever in real time.
        FfmpegCli.Run("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10", "-frames:v", "50",
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", "-f", "mp4", Dir.File("gate.mp4"));
        var port = ConsoleReceiver.FreePort();
        ConfigText = $$"""
            {
              "agentId": "api-test",
              "listen": "http://127.0.0.1:{{port}}",
              "apiKey": "{{Key}}",
              "dataDir": "data",
              "retention": { "lowDiskFreeMB": 0 },
              "cameras": [ { "id": "{{CameraId}}", "name": "Test gate", "main": "gate.mp4", "loop": true, "segmentSeconds": 2 } ]
            }
            """;
        await File.WriteAllTextAsync(ConfigPath, ConfigText);
        Config = AgentConfigLoader.Load(ConfigPath);
        App = AgentHost.Build(Config, logging: b => b.AddProvider(new CapturingLoggerProvider(Logs)));
        await App.StartAsync();

        var address = new Uri($"http://127.0.0.1:{port}/");
        Anonymous = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Anonymous?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        Dir.Dispose();
    }

    /// <summary>The camera's segments, waiting up to <paramref name="within"/> for at least <paramref name="count"/>.</summary>
    internal async Task<List<SegmentDto>> SegmentsAsync(int count, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var list = await Client.GetFromJsonAsync<List<SegmentDto>>($"api/cameras/{CameraId}/segments", Json) ?? [];
            if (list.Count >= count)
            {
                return list;
            }

            Assert.True(DateTime.UtcNow < until, $"only {list.Count} of {count} segments after {within.TotalSeconds} s");
            await Task.Delay(250);
        }
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

internal sealed record SegmentDto(string File, DateTimeOffset Start, DateTimeOffset End, long Bytes, bool Complete, bool Protected);

/// <summary>
/// The local API against a real running agent: the key guards every route and never reaches a log, and
/// bad input (paths, ranges, bodies, paging) gets a clear 4xx while the camera keeps recording.
/// </summary>
public sealed class AgentApiTests(RunningAgentFixture agent) : IClassFixture<RunningAgentFixture>
{
    private const string Camera = RunningAgentFixture.CameraId;
    private const string SomeSegment = "20250101T000000Z-000000.mp4";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);

    private HttpClient Client => agent.Client;

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{(int)response.StatusCode} with {response.Content.Headers.ContentType}: '{text}'");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("detail").GetString()!;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, params string[] fragments)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: '{body}'");
        var detail = await DetailAsync(response);
        foreach (var f in fragments)
        {
            Assert.True(detail.Contains(f, StringComparison.Ordinal), $"expected '{f}' in '{detail}'");
        }
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private Task<HttpResponseMessage> ExportAsync(string json, string camera = Camera) =>
        Client.PostAsync($"api/cameras/{camera}/clips", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> ExportAsync(DateTimeOffset from, DateTimeOffset to) =>
        ExportAsync(JsonSerializer.Serialize(new { from = Iso(from), to = Iso(to) }));

    /// <summary>Every route the agent maps under /api, with its placeholders filled in.</summary>
    private List<(HttpMethod Method, string Path)> ApiRoutes()
    {
        var routes = ((IEndpointRouteBuilder)agent.App).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => (
                Method: new HttpMethod(m),
                Path: e.RoutePattern.RawText!.Replace("{id}", Camera, StringComparison.Ordinal).Replace("{file}", SomeSegment, StringComparison.Ordinal))))
            .ToList();
        Assert.True(routes.Count >= 11, $"only {routes.Count} API routes found");
        Assert.All(routes, r => Assert.DoesNotContain("{", r.Path, StringComparison.Ordinal));
        return routes;
    }

    [Fact]
    public async Task Healthz_answers_without_a_key()
    {
        var response = await agent.Anonymous.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_api_route_refuses_a_missing_or_wrong_key_and_no_key_reaches_the_log()
    {
        var wrong = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var refusals = 0;
        foreach (var (method, path) in ApiRoutes())
        {
            // No key; a wrong key both ways it may be sent; the right key where it is never accepted (the query).
            var attempts = new (string Why, Action<HttpRequestMessage> Prepare, string Query)[]
            {
                ("no key", _ => { }, ""),
                ("wrong bearer key", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong), ""),
                ("wrong X-Agent-Key", r => r.Headers.Add("X-Agent-Key", wrong), ""),
                ("key in the query", _ => { }, $"?key={agent.Key}&access_token={agent.Key}&api_key={agent.Key}"),
                ("key with another scheme", r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", agent.Key), ""),
                ("the key with a suffix", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.Key + "x"), ""),
            };
            foreach (var (why, prepare, query) in attempts)
            {
                using var request = new HttpRequestMessage(method, path + query);
                if (method == HttpMethod.Post)
                {
                    request.Content = new StringContent("""{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T00:00:10Z"}""", Encoding.UTF8, "application/json");
                }

                prepare(request);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var response = await agent.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {why}: {(int)response.StatusCode}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
                var detail = await DetailAsync(response);
                Assert.DoesNotContain(agent.Key, detail, StringComparison.Ordinal);
                Assert.Contains(why == "no key" || why.Contains("query", StringComparison.Ordinal) || why.Contains("scheme", StringComparison.Ordinal)
                    ? "send the agent key as 'Authorization: Bearer <key>'" : "the agent key is wrong", detail, StringComparison.Ordinal);
                refusals++;
            }
        }

        // Each refusal is logged (method, path, why), and neither key is in any line or value.
        var lines = agent.Logs.Lines;
        Assert.True(lines.Count(l => l.Message.StartsWith("refused ", StringComparison.Ordinal)) >= refusals);
        foreach (var line in lines)
        {
            var all = line.Message + " " + string.Join(" ", line.Values.Values) + " " + line.Exception;
            Assert.DoesNotContain(agent.Key, all, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_without_a_key_is_refused_before_its_body_or_query_is_looked_at()
    {
        // Bad input from a stranger must be a 401, not a 400 that shows the route exists and parses input.
        var malformed = await agent.Anonymous.PostAsync($"api/cameras/{Camera}/clips", new StringContent("{ not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.StatusCode);

        var badQuery = await agent.Anonymous.GetAsync("api/events?after=abc");
        Assert.Equal(HttpStatusCode.Unauthorized, badQuery.StatusCode);
    }

    [Fact]
    public async Task Health_lists_the_camera_and_it_comes_online()
    {
        var until = DateTime.UtcNow + Soon;
        JsonElement camera;
        while (true)
        {
            using var doc = JsonDocument.Parse(await Client.GetStringAsync("api/health"));
            var root = doc.RootElement;
            Assert.Equal("api-test", root.GetProperty("agent").GetString());
            Assert.Equal(agent.Config.DataDir, root.GetProperty("disk").GetProperty("path").GetString());
            camera = Assert.Single(root.GetProperty("cameras").EnumerateArray()).Clone();
            Assert.Equal(Camera, camera.GetProperty("id").GetString());
            Assert.Equal("Test gate", camera.GetProperty("name").GetString());
            if (camera.GetProperty("state").GetString() == "online")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < until, $"not online after {Soon.TotalSeconds} s: {camera}");
            await Task.Delay(250);
        }

        Assert.True(camera.GetProperty("recording").GetBoolean());
        Assert.False(camera.GetProperty("analysing").GetBoolean());

        var metrics = await Client.GetAsync("api/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains($"gatewatch_camera_online{{camera=\"{Camera}\"}} 1", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Segments_appear_and_download_by_name()
    {
        var segments = await agent.SegmentsAsync(2, Soon);

        var first = segments[0];
        Assert.Matches(@"^\d{8}T\d{6}Z-\d{6}\.mp4$", first.File);
        Assert.True(first.Complete);
        Assert.True(first.End > first.Start);
        var response = await Client.GetAsync($"api/cameras/{Camera}/segments/{first.File}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(first.Bytes, bytes.Length);
        Assert.Equal("ftyp", Encoding.ASCII.GetString(bytes, 4, 4));

        // Players seek with ranges.
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"api/cameras/{Camera}/segments/{first.File}");
        ranged.Headers.Range = new RangeHeaderValue(4, 7);
        var part = await Client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("ftyp", await part.Content.ReadAsStringAsync());

        // A time window narrows the list; a reversed one is refused.
        var narrow = await Client.GetFromJsonAsync<List<SegmentDto>>(
            $"api/cameras/{Camera}/segments?from={Iso(first.Start)}&to={Iso(first.End)}", RunningAgentFixture.Json);
        Assert.Contains(narrow!, s => s.File == first.File);
        Assert.DoesNotContain(narrow!, s => s.Start >= first.End);
        await AssertProblemAsync(
            await Client.GetAsync($"api/cameras/{Camera}/segments?from={Iso(first.End)}&to={Iso(first.Start)}"),
            HttpStatusCode.BadRequest, "is empty or reversed");
        await AssertProblemAsync(
            await Client.GetAsync($"api/cameras/{Camera}/segments?from=yesterday"), HttpStatusCode.BadRequest, "from: 'yesterday' is not an ISO 8601 time");
    }

    /// <summary>Paths as a client sends them: some encoded, some raw and left unnormalised on the wire.</summary>
    [Theory]
    [InlineData("..%2F..%2Fsegments.db")]
    [InlineData("..%2F..%2F..%2Fagent.json")]
    [InlineData("%2E%2E%2F%2E%2E%2Fsegments.db")]
    [InlineData("%252E%252E%252Fsegments.db")]
    [InlineData("..%5C..%5Csegments.db")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("%2Ftmp%2F20250101T000000Z-000000.mp4")]
    [InlineData("segments.db")]
    [InlineData("clip.mp4")]
    [InlineData("20250101T000000Z-000000.mp4.partial")]
    [InlineData("20250101T000000Z-000000.MP4")]
    [InlineData("...")]
    public async Task A_segment_name_that_is_not_a_segment_in_the_folder_is_refused_and_named(string file)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, Raw($"api/cameras/{Camera}/segments/{file}")));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "is not a segment file name", "only files inside the camera's recordings folder are served");
    }

    /// <summary>
    /// A raw "../" in the path is resolved by the server before routing, so it can only ever reach another
    /// route (here none): never a file outside the folder.
    /// </summary>
    [Theory]
    [InlineData("api/cameras/cam1/segments/..")]
    [InlineData("api/cameras/cam1/segments/../../../segments.db")]
    [InlineData("api/cameras/cam1/segments/../../../../agent.json")]
    [InlineData("api/cameras/cam1/segments/..%2F..%2F..%2F..%2Fagent.json")]
    public async Task A_raw_dot_dot_path_never_serves_a_file(string path)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, Raw(path)));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)response.StatusCode}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("SQLite", body, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Key, body, StringComparison.Ordinal);
    }

    /// <summary>A URI that HttpClient sends as written, without resolving dot segments or unescaping.</summary>
    private Uri Raw(string path) =>
        new(Client.BaseAddress + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    [Fact]
    public async Task A_well_formed_name_that_is_not_recorded_is_404_and_another_cameras_folder_is_not_reachable()
    {
        await AssertProblemAsync(await Client.GetAsync($"api/cameras/{Camera}/segments/{SomeSegment}"), HttpStatusCode.NotFound, $"camera {Camera} has no segment {SomeSegment}");

        // A real segment of cam1 asked for under another id is not found in that id's folder.
        var real = (await agent.SegmentsAsync(1, Soon))[0];
        await AssertProblemAsync(await Client.GetAsync($"api/cameras/other/segments/{real.File}"), HttpStatusCode.NotFound, "no camera 'other'");
    }

    [Theory]
    [InlineData("GET", "api/cameras/nope/segments")]
    [InlineData("GET", "api/cameras/nope/segments/" + SomeSegment)]
    [InlineData("POST", "api/cameras/nope/clips")]
    [InlineData("GET", "api/cameras/nope/snapshot.jpg")]
    [InlineData("GET", "api/cameras/nope/live.mp4")]
    [InlineData("GET", "api/cameras/nope/live.mjpeg")]
    [InlineData("GET", "api/cameras/nope/live/meta")]
    public async Task An_unknown_camera_is_404_listing_the_cameras(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T00:00:10Z"}""", Encoding.UTF8, "application/json");
        }

        await AssertProblemAsync(await Client.SendAsync(request), HttpStatusCode.NotFound, "no camera 'nope' on this agent; it has: cam1");
    }

    [Fact]
    public async Task A_clip_of_recorded_footage_downloads_with_the_hash_it_was_given()
    {
        var segments = await agent.SegmentsAsync(3, Soon);
        var from = segments[0].Start + TimeSpan.FromSeconds(0.5);
        var to = segments[1].End;

        var response = await ExportAsync(from, to);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        var clip = doc.RootElement;
        Assert.Equal(Camera, clip.GetProperty("camera").GetString());
        var file = clip.GetProperty("file").GetString()!;
        Assert.Matches("^[0-9a-f]{32}\\.mp4$", file);
        Assert.Equal($"/api/clips/{file}", clip.GetProperty("download").GetString());
        Assert.Empty(clip.GetProperty("gaps").EnumerateArray());
        Assert.InRange(clip.GetProperty("durationSeconds").GetDouble(), (to - from).TotalSeconds - 0.3, (to - from).TotalSeconds + 1.2);

        var download = await Client.GetAsync(clip.GetProperty("download").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/mp4", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(file, download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(clip.GetProperty("bytes").GetInt64(), bytes.Length);
        Assert.Equal(clip.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));

        var copy = agent.Dir.File("downloaded.mp4");
        await File.WriteAllBytesAsync(copy, bytes);
        var probed = await VideoProbe.ProbeAsync(copy, CancellationToken.None);
        Assert.Equal((640, 360), (probed.Width, probed.Height));
        Assert.Equal("h264", probed.Codec);

        // The clip route serves clip names only.
        await AssertProblemAsync(await Client.GetAsync("api/clips/..%2Fsegments.db"), HttpStatusCode.BadRequest, "is not a clip name");
        await AssertProblemAsync(await Client.GetAsync($"api/clips/{new string('0', 32)}.mp4"), HttpStatusCode.NotFound, "no clip");
    }

    [Fact]
    public async Task A_reversed_or_empty_range_is_400()
    {
        var now = DateTimeOffset.UtcNow;
        await AssertProblemAsync(await ExportAsync(now, now.AddMinutes(-1)), HttpStatusCode.BadRequest, "is empty or reversed");
        await AssertProblemAsync(await ExportAsync(now, now), HttpStatusCode.BadRequest, "is empty or reversed");
    }

    [Fact]
    public async Task A_json_body_sent_with_curls_default_form_type_is_still_read()
    {
        var now = DateTimeOffset.UtcNow;
        var body = JsonSerializer.Serialize(new { from = Iso(now), to = Iso(now.AddMinutes(-1)) });
        var response = await Client.PostAsync($"api/cameras/{Camera}/clips", new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "is empty or reversed");
    }

    [Theory]
    [InlineData("""{"to":"2026-01-01T00:00:10Z"}""", "from: is required, an ISO 8601 UTC time")]
    [InlineData("""{"from":"2026-01-01T00:00:00Z"}""", "to: is required, an ISO 8601 UTC time")]
    [InlineData("""{}""", "from: is required")]
    [InlineData("""{"from":"last tuesday","to":"2026-01-01T00:00:10Z"}""", "from: 'last tuesday' is not an ISO 8601 time")]
    [InlineData("null", "send {\"from\": \"...Z\", \"to\": \"...Z\"} with UTC times")]
    public async Task A_missing_or_unreadable_time_is_400(string body, string problem)
    {
        await AssertProblemAsync(await ExportAsync(body), HttpStatusCode.BadRequest, problem);
    }

    [Fact]
    public async Task An_empty_body_is_400_saying_what_to_send()
    {
        var response = await Client.PostAsync($"api/cameras/{Camera}/clips", null);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "\"from\"");
    }

    [Fact]
    public async Task A_range_without_footage_is_404_saying_what_exists()
    {
        await agent.SegmentsAsync(1, Soon);
        var yearAgo = DateTimeOffset.UtcNow.AddYears(-1);

        await AssertProblemAsync(await ExportAsync(yearAgo, yearAgo.AddMinutes(5)), HttpStatusCode.NotFound, $"camera {Camera} has no footage between", "its recordings span");
    }

    [Fact]
    public async Task A_range_longer_than_an_hour_is_400()
    {
        var now = DateTimeOffset.UtcNow;
        await AssertProblemAsync(await ExportAsync(now.AddHours(-2), now), HttpStatusCode.BadRequest, "the range is 120 minutes; one clip may be at most 60");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{"from": 5, "to": "2026-01-01T00:00:10Z"}""")]
    [InlineData("""["2026-01-01T00:00:00Z"]""")]
    [InlineData("""{"from":"2026-01-01T00:00:00Z",""")]
    public async Task A_malformed_json_body_is_a_clear_400(string body)
    {
        await AssertProblemAsync(await ExportAsync(body), HttpStatusCode.BadRequest, "the body is not JSON of the form {\"from\": \"...Z\", \"to\": \"...Z\"}");
    }

    [Fact]
    public async Task A_body_over_64_KB_is_refused_with_413()
    {
        var padding = new string(' ', 70 * 1024);
        var response = await ExportAsync($$"""{ "from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:00:10Z" {{padding}} }""");

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "the body is too large");
    }

    [Theory]
    [InlineData("after=-1", "after: must be a sequence number of 0 or more")]
    [InlineData("limit=0", "limit: must be between 1 and 1000")]
    [InlineData("limit=1001", "limit: must be between 1 and 1000")]
    [InlineData("after=abc", "after")]
    [InlineData("limit=ten", "limit")]
    public async Task Events_paging_out_of_range_is_400(string query, string problem)
    {
        await AssertProblemAsync(await Client.GetAsync($"api/events?{query}"), HttpStatusCode.BadRequest, problem);
    }

    [Theory]
    [InlineData("GET", "api/no-such-thing", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "api/health", HttpStatusCode.MethodNotAllowed)]
    public async Task An_unknown_path_or_method_gets_problem_json_not_an_empty_body(string method, string path, HttpStatusCode status)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, doc.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Events_page_from_the_start()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("api/events?after=0&limit=5"));
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("events").ValueKind);
        Assert.True(doc.RootElement.GetProperty("next").GetInt64() >= 0);
    }

    [Fact]
    public async Task Live_mjpeg_of_a_camera_without_analysis_is_404_pointing_at_live_mp4()
    {
        await AssertProblemAsync(await Client.GetAsync($"api/cameras/{Camera}/live.mjpeg"), HttpStatusCode.NotFound, "is not analysed", "use live.mp4");
    }

    [Fact]
    public async Task Live_metadata_of_a_camera_without_analysis_is_404_instead_of_a_silent_stream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var response = await Client.GetAsync($"api/cameras/{Camera}/live/meta", HttpCompletionOption.ResponseHeadersRead, cts.Token);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "is not analysed");
    }

    [Fact]
    public async Task A_snapshot_of_a_recording_only_camera_is_a_jpeg_grabbed_from_the_stream()
    {
        var response = await Client.GetAsync($"api/cameras/{Camera}/snapshot.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
        using var image = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
        Assert.Equal((640, 360), (image.Width, image.Height));
    }

    [Fact]
    public async Task Live_mp4_streams_fragmented_mp4_until_the_viewer_leaves()
    {
        var received = new MemoryStream();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            using var response = await Client.GetAsync($"api/cameras/{Camera}/live.mp4", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("video/mp4; codecs=\"avc1.", string.Join("", response.Headers.GetValues("X-Codec")), StringComparison.Ordinal);
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var buffer = new byte[16 * 1024];
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (DateTime.UtcNow < until && await stream.ReadAsync(buffer, cts.Token) is var n and > 0)
            {
                received.Write(buffer, 0, n);
            }
        }

        var bytes = received.ToArray();
        Assert.True(bytes.Length > 8, $"{bytes.Length} bytes");
        Assert.Equal("ftyp", Encoding.ASCII.GetString(bytes, 4, 4));
        var text = Encoding.ASCII.GetString(bytes);
        Assert.Contains("moov", text, StringComparison.Ordinal);
        Assert.Contains("moof", text, StringComparison.Ordinal); // fragments, not one file at the end

        // Leaving frees the viewer's seat (and its ffmpeg).
        var camera = agent.Cameras.Find(Camera)!;
        var until2 = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (camera.LiveViewers.Count > 0 && DateTime.UtcNow < until2)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, camera.LiveViewers.Count);
    }

    [Fact]
    public async Task A_broken_config_edit_is_refused_and_the_camera_keeps_recording_what_it_has()
    {
        var before = await agent.SegmentsAsync(2, Soon);
        var supervisor = agent.Cameras.Find(Camera)!;
        var twice = agent.ConfigText.Replace(
            "\"segmentSeconds\": 2 } ]",
            "\"segmentSeconds\": 2 }, { \"id\": \"cam1\", \"main\": \"gate.mp4\", \"loop\": true } ]",
            StringComparison.Ordinal);
        Assert.NotEqual(agent.ConfigText, twice);

        try
        {
            await File.WriteAllTextAsync(agent.ConfigPath, twice);
            await LogAsync("configuration change refused");
            var refused = agent.Logs.Lines.First(l => l.Message.Contains("configuration change refused", StringComparison.Ordinal));
            Assert.Equal(LogLevel.Error, refused.Level);
            Assert.Contains("$.cameras[1].id: 'cam1' is used by an earlier camera", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await File.WriteAllTextAsync(agent.ConfigPath, agent.ConfigText);
        }

        // The original comes back: applied, and the same camera runs on without a restart.
        await LogAsync("configuration reloaded");
        Assert.Same(supervisor, agent.Cameras.Find(Camera));
        var after = await agent.SegmentsAsync(before.Count + 1, Soon);
        foreach (var s in before)
        {
            Assert.Contains(after, a => a.File == s.File);
            Assert.True(File.Exists(Path.Combine(agent.Config.CameraFolder(Camera), s.File)));
        }
    }

    private async Task LogAsync(string fragment)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!agent.Logs.Lines.Any(l => l.Message.Contains(fragment, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < until, $"no '{fragment}' in the log after 10 s");
            await Task.Delay(200);
        }
    }
}
