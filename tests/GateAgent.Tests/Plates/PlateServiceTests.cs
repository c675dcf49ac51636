using System.Net;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Plates;

/// <summary>
/// Plates through the whole agent: a clip made from a real photo of a car (OpenALPR's Brazilian set), the frame
/// panning so the car drives across the gate line, served by a real RTSP server. The crossing goes to the outbox
/// with the plate read and a crop the agent serves; people would cross without a plate.
/// </summary>
public sealed class PlateServiceTests : IDisposable
{
    private const string Photo = "../shared/data/plates/openalpr-br/AYO9034.jpg";
    private const string Plate = "AYO9034";

    private static readonly string[] Lanes = ["lane"];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [RequiresFileFact(Photo)]
    public async Task A_car_crossing_the_line_is_delivered_with_its_plate_and_a_crop_the_agent_serves()
    {
        // The 1024x576 photo on a canvas twice as wide; a 1024x576 window pans across it in 4 s, so the cars move
        // right to left across a vertical line in the middle.
        var clip = _dir.File("car.h264");
        FfmpegCli.Run("-loop", "1", "-i", TestPaths.Resolve(Photo), "-vf",
            "pad=2048:576:512:0:color=gray,crop=1024:576:x='min(1024\\,t*256)':y=0,format=yuv420p", "-r", "10", "-t", "4",
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "10", "-f", "h264", clip);
        var gate = _dir.File("gate.json");
        File.WriteAllText(gate, """
            { "fps": 10, "frameSize": [1024, 576],
              "lines": [ { "id": "lane", "a": [512, 0], "b": [512, 576], "insidePoint": [200, 288] } ], "zones": [] }
            """);
        // The lane's barrier: a relay controller (a loopback HTTP listener) and an allow list holding the car's plate.
        var allow = _dir.File("allowed.txt");
        File.WriteAllText(allow, "AYO9034,staff car\n");
        var relayPort = RtspTestServer.FreePort();
        using var relay = new HttpListener();
        relay.Prefixes.Add($"http://127.0.0.1:{relayPort}/");
        relay.Start();
        var opened = 0;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var c = await relay.GetContextAsync();
                    Interlocked.Increment(ref opened);
                    c.Response.Close();
                }
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        });
        using var server = RtspTestServer.Start(clip);
        var config = TestAgent.WriteConfig(_dir.Path, [new
        {
            id = "lane-1",
            main = server.Url,
            gate,
            analysisFps = 5,
            analysisWidth = 1024,
            segmentSeconds = 2,
            plates = "any",
            barrier = new { lines = Lanes, direction = "in", url = $"http://127.0.0.1:{relayPort}/open", allowList = allow },
        }]);
        await using var agent = await TestAgent.StartAsync(config);

        await agent.WaitUntilAsync(
            () => agent.Events("crossing").Any(e => PlateScorer.Fold(PlateText(e)) == PlateScorer.Fold(Plate)),
            TimeSpan.FromSeconds(120), $"a crossing with plate {Plate}");

        var crossings = agent.Events("crossing");
        Assert.All(crossings, e => Assert.True(e.Data.TryGetProperty("plate", out _), $"a {e.Data.GetProperty("class")} crossing without a plate field"));
        var read = crossings.First(e => PlateScorer.Fold(PlateText(e)) == PlateScorer.Fold(Plate));
        var plate = read.Data.GetProperty("plate");
        Assert.Equal("car", read.Data.GetProperty("class").GetString());
        Assert.InRange(plate.GetProperty("confidence").GetDouble(), 0.3, 1);

        // Allowed: the barrier opened through the relay, and the event says so; the other cars' crossings did not open it.
        var barrier = read.Data.GetProperty("barrier");
        Assert.True(barrier.GetProperty("allowed").GetBoolean());
        Assert.True(barrier.GetProperty("opened").GetBoolean());
        Assert.InRange(Volatile.Read(ref opened), 1, crossings.Count(e => Barrier(e) is { } b && b.GetProperty("opened").GetBoolean()));

        // The parked cars in the photo cross too, as the clip loops: theirs are not on the allow list.
        await agent.WaitUntilAsync(
            () => agent.Events("crossing").Any(e => Barrier(e) is { } b && !b.GetProperty("allowed").GetBoolean()),
            TimeSpan.FromSeconds(60), "a crossing of a car that is not on the allow list");

        var crop = plate.GetProperty("crop").GetString()!;
        using var response = await agent.Http.GetAsync($"api/plates/lane-1/{crop}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        using var picture = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
        // A crop of the plate, not of the car: wider than tall, far smaller than the frame.
        Assert.InRange(picture.Width, 40, 400);
        Assert.True(picture.Width > picture.Height, $"{picture.Width}x{picture.Height}");

        // Crossings with nothing read say so: a plate of "".
        Assert.All(crossings.Where(e => PlateText(e).Length == 0), e => Assert.Equal(JsonValueKindNull, e.Data.GetProperty("plate").GetProperty("crop").ValueKind));

        // Only crop names the agent makes are served: no path can be smuggled in.
        using var sneaky = await agent.Http.GetAsync("api/plates/lane-1/..%2F..%2Fagent.json");
        Assert.Equal(HttpStatusCode.BadRequest, sneaky.StatusCode);
        using var unknown = await agent.Http.GetAsync($"api/plates/nope/{crop}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = agent.Http.BaseAddress };
        using var refused = await anonymous.GetAsync($"api/plates/lane-1/{crop}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private static System.Text.Json.JsonElement? Barrier(GateWatch.Agent.Outbox.AgentEvent e) =>
        e.Data.TryGetProperty("barrier", out var b) ? b : null;

    private static string PlateText(GateWatch.Agent.Outbox.AgentEvent e) =>
        e.Data.TryGetProperty("plate", out var p) ? p.GetProperty("text").GetString() ?? "" : "";
}
