using System.Net;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Outbox;
using GateWatch.Agent.Plates;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateWatch.Agent.Tests.Plates;

/// <summary>A real relay controller (an HTTP listener on loopback) and the allow list file the barrier reads.</summary>
public sealed class LaneBarrierTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HttpListener _relay = new();
    private readonly List<string> _calls = [];
    private readonly int _port = RtspTestServer.FreePort();
    private HttpStatusCode _answer = HttpStatusCode.OK;

    public LaneBarrierTests()
    {
        _relay.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _relay.Start();
        _ = Task.Run(async () =>
        {
            while (_relay.IsListening)
            {
                try
                {
                    var c = await _relay.GetContextAsync();
                    lock (_calls)
                    {
                        _calls.Add($"{c.Request.HttpMethod} {c.Request.Url!.AbsolutePath} {c.Request.Headers["Authorization"]}".TrimEnd());
                    }

                    c.Response.StatusCode = (int)_answer;
                    c.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
    }

    public void Dispose()
    {
        _relay.Close();
        _dir.Dispose();
    }

    private string AllowList(params string[] lines)
    {
        var path = _dir.File("allowed.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static LaneBarrier Barrier(string allow, int port, int maxEdits = 0, string user = "") =>
        new(new BarrierConfig(new HashSet<string> { "approach" }, Direction.In, new Uri($"http://{user}127.0.0.1:{port}/relay/1/open"), HttpMethod.Post, allow, maxEdits),
            LaneBarrier.Http, NullLogger.Instance);

    private static Crossing Crossing(string line = "approach", Direction direction = Direction.In) =>
        new(line, direction, 10, DateTimeOffset.UnixEpoch, 7, ObjectClass.Car);

    private static PlateData Plate(string text) => new(text, 0.95, "p-x.jpg");

    [Fact]
    public async Task An_allowed_plate_opens_the_barrier_through_the_relay_and_others_do_not()
    {
        var barrier = Barrier(AllowList("# staff cars", "51G-123.45,Nguyen Van A,ACME", "30A 999.99"), _port);

        Assert.Equal(new BarrierData(true, true, null), await barrier.DecideAsync(Crossing(), Plate("51G-123.45"), CancellationToken.None));
        Assert.Equal(["POST /relay/1/open"], _calls);

        Assert.Equal(new BarrierData(false, false, null), await barrier.DecideAsync(Crossing(), Plate("51G-123.46"), CancellationToken.None));
        Assert.Equal(new BarrierData(false, false, null), await barrier.DecideAsync(Crossing(), Plate(""), CancellationToken.None));
        Assert.Null(await barrier.DecideAsync(Crossing("exit"), Plate("51G-123.45"), CancellationToken.None));
        Assert.Null(await barrier.DecideAsync(Crossing(direction: Direction.Out), Plate("51G-123.45"), CancellationToken.None));
        Assert.Single(_calls);
    }

    [Fact]
    public async Task Look_alikes_always_match_and_one_misread_character_only_when_allowed()
    {
        var allow = AllowList("AYO9034");
        Assert.True((await Barrier(allow, _port).DecideAsync(Crossing(), Plate("AY09034"), CancellationToken.None))!.Opened);
        Assert.False((await Barrier(allow, _port).DecideAsync(Crossing(), Plate("AY09084"), CancellationToken.None))!.Allowed);
        Assert.True((await Barrier(allow, _port, maxEdits: 1).DecideAsync(Crossing(), Plate("AY09084"), CancellationToken.None))!.Opened);
    }

    [Fact]
    public async Task An_edited_allow_list_applies_to_the_next_vehicle_and_a_missing_one_allows_nobody()
    {
        var allow = AllowList("51G-123.45");
        var barrier = Barrier(allow, _port);
        Assert.False((await barrier.DecideAsync(Crossing(), Plate("29C-551.25"), CancellationToken.None))!.Allowed);

        File.WriteAllLines(allow, ["51G-123.45", "29C-551.25"]);
        File.SetLastWriteTimeUtc(allow, DateTime.UtcNow.AddSeconds(5));
        Assert.True((await barrier.DecideAsync(Crossing(), Plate("29C-551.25"), CancellationToken.None))!.Opened);

        File.Delete(allow);
        var gone = await barrier.DecideAsync(Crossing(), Plate("51G-123.45"), CancellationToken.None);
        Assert.False(gone!.Allowed);
        Assert.Contains("allowed.txt", gone.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_that_refuses_or_is_gone_is_reported_without_its_password()
    {
        var allow = AllowList("51G-123.45");
        _answer = HttpStatusCode.InternalServerError;
        var refused = await Barrier(allow, _port, user: "relay:s3cr%2Fet@").DecideAsync(Crossing(), Plate("51G-123.45"), CancellationToken.None);
        Assert.Equal((true, false), (refused!.Allowed, refused.Opened));
        // The relay got the URL's user and password as HTTP Basic ("relay:s3cr/et").
        Assert.Equal("POST /relay/1/open Basic " + Convert.ToBase64String("relay:s3cr/et"u8.ToArray()), Assert.Single(_calls));
        Assert.Contains("answered 500", refused.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr", refused.Problem, StringComparison.Ordinal);

        var dead = await Barrier(allow, RtspTestServer.FreePort(), user: "relay:s3cr%2Fet@").DecideAsync(Crossing(), Plate("51G-123.45"), CancellationToken.None);
        Assert.Equal((true, false), (dead!.Allowed, dead.Opened));
        Assert.Contains("could not be reached", dead.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr", dead.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("51G12345", "51G12345", 0)]
    [InlineData("51G12345", "51G1234", 1)]
    [InlineData("", "ABC", 3)]
    public void Distance_is_levenshtein(string a, string b, int expected) => Assert.Equal(expected, PlateMatch.Distance(a, b));
}
