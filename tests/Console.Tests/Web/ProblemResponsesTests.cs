using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GateWatch.Central.Tests.Support;
using Microsoft.Extensions.Logging;

namespace GateWatch.Central.Tests.Web;

/// <summary>Requests the endpoints cannot bind get problem+json naming what is wrong, not an empty 400; and they do not fill the error log.</summary>
public sealed class ProblemResponsesTests : IAsyncLifetime, IDisposable
{
    private readonly RecordingLoggerProvider _logs = new();
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync(_logs);

    public async Task DisposeAsync() => await _console.DisposeAsync();

    public void Dispose() => _logs.Dispose();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        return body;
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_named_with_its_json_path()
    {
        using var admin = await _console.SignedInAsync("admin1");
        var r = await admin.PostAsync("api/admin/agents", new StringContent("""{"id": 5, "url": "http://127.0.0.1:1"}""", Encoding.UTF8, "application/json"));
        var detail = (await ProblemAsync(r, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!;
        Assert.Contains("at $.id", detail, StringComparison.Ordinal);
        Assert.Contains("NewAgent body", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_and_a_query_value_that_is_not_a_number_are_named()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var notJson = await guard.PostAsync("api/alerts/abc/acknowledge", new StringContent("note=hello", Encoding.UTF8, "application/json"));
        Assert.Contains("body", (await ProblemAsync(notJson, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!, StringComparison.Ordinal);

        var notNumber = await guard.GetAsync("api/alerts?since=yesterday");
        var detail = (await ProblemAsync(notNumber, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!;
        Assert.Contains("since", detail, StringComparison.Ordinal);
        Assert.Contains("yesterday", detail, StringComparison.Ordinal);

        // Answered, and not worth an error line each: a flood of them would flood the log.
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task An_unknown_api_path_and_a_wrong_method_get_a_body_too()
    {
        using var guard = await _console.SignedInAsync("guard1");
        await ProblemAsync(await guard.GetAsync("api/no-such-thing"), HttpStatusCode.NotFound);
        await ProblemAsync(await guard.DeleteAsync("api/alerts"), HttpStatusCode.MethodNotAllowed);
    }
}
