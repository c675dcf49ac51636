using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Users;

/// <summary>Each user's language: Vietnamese for a new user, chosen by the user, kept by the console across sign-ins.</summary>
public sealed class LanguageTests : IAsyncLifetime
{
    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync();

    public async Task DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task A_new_user_reads_Vietnamese_and_a_choice_of_English_holds_at_the_next_sign_in()
    {
        using (var guard = await _console.SignedInAsync("guard1"))
        {
            Assert.Equal("vi", (await guard.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("language").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await guard.PutAsJsonAsync("api/me/language", new { language = "en" })).StatusCode);
        }

        using var again = await _console.SignedInAsync("guard1");
        Assert.Equal("en", (await again.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("language").GetString());
        using var other = await _console.SignedInAsync("reviewer1");
        Assert.Equal("vi", (await other.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("language").GetString());
    }

    [Fact]
    public async Task A_language_without_pages_is_refused_and_changes_nothing()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var r = await guard.PutAsJsonAsync("api/me/language", new { language = "fr" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("language 'fr' has no pages; use vi or en", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal("vi", (await guard.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("language").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.Client().PutAsJsonAsync("api/me/language", new { language = "en" })).StatusCode);
    }
}
