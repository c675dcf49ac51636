using System.Text;
using GateWatch.Central.Agents;

namespace GateWatch.Central.Tests.Agents;

/// <summary>The ingest's body, read without a web host: what anyone on the network may POST is a refusal, never an exception.</summary>
public sealed class EventBatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_batch_gives_its_agent_and_events()
    {
        var body = """{"agent":"gate-north","events":[{"seq":1,"id":"0196aa0000000001","agent":"gate-north","camera":"north-1","type":"crossing","time":"2026-12-01T11:00:00Z","data":{}}]}"""u8;

        Assert.Null(EventBatch.Read(body, out var agent, out var events));
        Assert.Equal("gate-north", agent);
        Assert.Null(EventIngest.Problem(agent, Assert.Single(events), Now));
    }

    [Theory]
    [InlineData("""{"agent":"gate-north","events":[""", "the body is not an event batch")]
    [InlineData("""{"agent":"gate-north"}""", "send {\"agent\"")]
    [InlineData("null", "send {\"agent\"")]
    public void A_body_that_is_not_a_batch_is_refused(string body, string problem)
    {
        Assert.StartsWith(problem, EventBatch.Read(Encoding.UTF8.GetBytes(body), out _, out _), StringComparison.Ordinal);
    }

    // Found by fuzzing (bench/fuzz, event-ingest).
    [Fact]
    public void A_body_that_is_not_utf8_is_refused()
    {
        byte[] body = [.. "{\"agent\":\"gate-north\",\"events\":[],\"x\":\""u8, 0xff, .. "\"}"u8];

        Assert.Equal("the body is not UTF-8 text", EventBatch.Read(body, out _, out _));
    }

    // Found by fuzzing (bench/fuzz, event-ingest).
    [Fact]
    public void A_null_event_is_a_problem_not_an_exception()
    {
        Assert.Null(EventBatch.Read("""{"agent":"gate-north","events":[null]}"""u8, out var agent, out var events));
        Assert.Equal("it is null, not an event", EventIngest.Problem(agent, Assert.Single(events), Now));
    }

    // Found by fuzzing (bench/fuzz, event-ingest): the plate hook's GetString threw InvalidOperationException.
    [Theory]
    [InlineData("""{"class":"car","plate":{"text":"\udc00","confidence":0.5,"crop":null}}""")]
    [InlineData("""{"class":"\ud800"}""")]
    [InlineData("""{"nested":[{"\ud800x":1}]}""")]
    public void Data_with_an_unpaired_surrogate_is_a_problem(string data)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"agent":"gate-north","events":[{"seq":1,"id":"0196aa0000000001","agent":"gate-north","camera":"north-1","type":"crossing","time":"2026-12-01T11:00:00Z","data":{{data}}}]}""");

        Assert.Null(EventBatch.Read(body, out var agent, out var events));
        Assert.StartsWith("data holds a string that is not Unicode text", EventIngest.Problem(agent, Assert.Single(events), Now), StringComparison.Ordinal);
    }
}
