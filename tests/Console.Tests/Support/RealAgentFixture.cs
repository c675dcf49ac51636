using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace GateWatch.Central.Tests.Support;

/// <summary>
/// A real GateAgent in this process recording one camera, camera "gate": the PETS clip played in a loop. The
/// clip has a keyframe only every 25 s, and the recorder cuts segments at keyframes, so its first 20 s are
/// re-encoded with one every second first: 2 s segments, and footage to cut within seconds of the start.
/// Shared by a test class; when the clip is not on this machine it starts nothing (the tests skip).
/// </summary>
public sealed class RealAgentFixture : IAsyncLifetime
{
    public const string AgentId = "gate-test";
    public const string Camera = "gate";
    public const string ApiKey = "agent-api-key-for-console-tests";

    private readonly string _dir = Directory.CreateTempSubdirectory("gateconsole-agent-").FullName;
    private WebApplication? _app;

    public Uri Url { get; private set; } = new("http://127.0.0.1:1/");

    /// <summary>The recorded segments' complete stretch: [first start, last complete end].</summary>
    public async Task<(DateTimeOffset From, DateTimeOffset To)> RecordedAsync()
    {
        using var http = Client();
        var segments = await http.GetFromJsonAsync<JsonElement>($"api/cameras/{Camera}/segments");
        var complete = segments.EnumerateArray().Where(s => s.GetProperty("complete").GetBoolean()).ToList();
        return (complete[0].GetProperty("start").GetDateTimeOffset(), complete[^1].GetProperty("end").GetDateTimeOffset());
    }

    public async Task InitializeAsync()
    {
        var video = TestPaths.Resolve(TestPaths.Video);
        if (!File.Exists(video))
        {
            return;
        }

        var clip = Path.Combine(_dir, "pets-1s-gop.mp4");
        await LocalAgent.FfmpegAsync("-v", "error", "-y", "-t", "20", "-i", video, "-an", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10",
            "-pix_fmt", "yuv420p", clip);

        (_app, Url) = await LocalAgent.StartAsync(_dir, port => new
        {
            agentId = AgentId,
            listen = $"http://127.0.0.1:{port}",
            apiKey = ApiKey,
            dataDir = "data",
            retention = new { lowDiskFreeMB = 10, sweepSeconds = 60 },
            cameras = new[] { new { id = Camera, name = "Gate camera", main = clip, loop = true, segmentSeconds = 2 } },
        });

        // Three complete segments: at least 4 s of footage to cut, however the first segment started.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        using var http = Client();
        while (true)
        {
            var segments = await http.GetFromJsonAsync<JsonElement>($"api/cameras/{Camera}/segments");
            if (segments.EnumerateArray().Count(s => s.GetProperty("complete").GetBoolean()) >= 3)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the agent recorded no 3 complete segments in 30 s: {segments}");
            }

            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        await LocalAgent.StopAsync(_app);
        Directory.Delete(_dir, recursive: true);
    }

    private HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return http;
    }
}
