using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Web;

/// <summary>
/// Problem details in the reader's language: a Vietnamese user (or a page in Vietnamese) reads the API's errors in
/// Vietnamese, with the values of the English sentence; a script gets English. Every sentence the console's code writes
/// as a detail has a template in both tables.
/// </summary>
public sealed partial class ProblemLanguageTests : IAsyncLifetime
{
    private static readonly string Tables = Path.Combine(TestPaths.RepoRoot, "src", "Console", "wwwroot", "i18n");

    private TestConsole _console = null!;

    public async Task InitializeAsync() => _console = await TestConsole.StartAsync(zone: "Asia/Ho_Chi_Minh");

    public async Task DisposeAsync() => await _console.DisposeAsync();

    private static Dictionary<string, string> Table(string lang) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Tables, lang + ".json")))!;

    /// <summary>The Vietnamese template whose English one is <paramref name="english"/>, filled with the values given in order.</summary>
    private static string Vietnamese(string english, params string[] values)
    {
        var key = Table("en").Single(x => x.Key.StartsWith("problem.", StringComparison.Ordinal) && x.Value == english).Key;
        var names = Placeholder().Matches(english).Select(m => m.Groups[1].Value).ToList();
        return Placeholder().Replace(Table("vi")[key], m => values[names.IndexOf(m.Groups[1].Value)]);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    [Fact]
    public async Task A_Vietnamese_guard_reads_the_refusal_in_Vietnamese_and_English_when_the_page_is_English()
    {
        using var guard = await _console.SignedInAsync("guard1");
        var body = new { note = "" };
        guard.DefaultRequestHeaders.AcceptLanguage.Clear();
        var vi = await guard.PostAsJsonAsync("api/alerts/nothing/acknowledge", body);
        Assert.Equal(HttpStatusCode.BadRequest, vi.StatusCode);
        Assert.Equal(Vietnamese("note: say what was seen or done, 1 to {max} characters", "1000"), await DetailAsync(vi));

        guard.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        Assert.Equal("note: say what was seen or done, 1 to 1000 characters", await DetailAsync(await guard.PostAsJsonAsync("api/alerts/nothing/acknowledge", body)));

        // A composed detail: the plan's own words inside "...; nothing was changed", both translated.
        using var admin = await _console.SignedInAsync("admin1");
        admin.DefaultRequestHeaders.AcceptLanguage.Clear();
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("vi");
        var plan = await admin.PutAsJsonAsync("api/admin/shifts", new { shifts = new[] { new { name = "Ngày", start = "07:00", end = "19:00" }, new { name = "Đêm", start = "20:00", end = "07:00" } } });
        var detail = await DetailAsync(plan);
        Assert.DoesNotContain("nothing was changed", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("no shift covers", detail, StringComparison.Ordinal);
        Assert.Contains("19:00-20:00", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_without_a_language_gets_English()
    {
        using var http = _console.Client();
        http.DefaultRequestHeaders.AcceptLanguage.Clear();
        var r = await http.PostAsJsonAsync("api/login", new { name = "x", password = "y" });
        var detail = await DetailAsync(r);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("missing or invalid antiforgery token", detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every string the console's code writes as a problem detail or an exception message has an English template
    /// that matches it hole for hole ("{...}" of the C# string against "{name}" of the template).
    /// </summary>
    [Fact]
    public void Every_message_the_code_writes_has_a_template_in_both_tables()
    {
        var covered = Table("en").Where(x => x.Key.StartsWith("problem.", StringComparison.Ordinal)).Select(x => Placeholder().Replace(x.Value, "{}")).ToHashSet();
        var vi = Table("vi");
        Assert.DoesNotContain(Table("en").Keys, k => k.StartsWith("problem.", StringComparison.Ordinal) && !vi.ContainsKey(k));
        var missing = new List<string>();
        var seen = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", "Console"), "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!MessageCall().IsMatch(lines[i]) || lines[i].Contains("audit.Append", StringComparison.Ordinal) || lines[i].Contains("Log", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var message in Literals(lines[i]).Where(m => m.Length >= 12 && m.Contains(' ', StringComparison.Ordinal) && !NotForPeople.Contains(m)))
                {
                    seen++;
                    if (!covered.Contains(message))
                    {
                        missing.Add($"{Path.GetRelativePath(TestPaths.RepoRoot, file)}:{i + 1}: \"{message}\"");
                    }
                }
            }
        }

        Assert.True(seen > 100, $"only {seen} messages found: the scan is broken");
        Assert.True(missing.Count == 0, $"{missing.Count} messages without a problem.* template:\n" + string.Join('\n', missing));
    }

    /// <summary>Literals on those lines that are not sentences for a person: matched in code, or a part of a larger message.</summary>
    private static readonly HashSet<string> NotForPeople = ["already registered", "the package is larger", "; nothing was changed"];

    /// <summary>
    /// The string literals of a line, each interpolation hole written "{}": a small scanner, since holes hold strings of their
    /// own (a ternary's "none") that a regular expression would take for the end of the message.
    /// </summary>
    private static IEnumerable<string> Literals(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != '"' || (i > 0 && line[i - 1] == '\''))
            {
                continue;
            }

            var interpolated = i > 0 && (line[i - 1] == '$' || (line[i - 1] == '@' && i > 1 && line[i - 2] == '$'));
            var text = new StringBuilder();
            var j = i + 1;
            for (; j < line.Length; j++)
            {
                var c = line[j];
                if (c == '\\' && j + 1 < line.Length)
                {
                    text.Append(line[j + 1] == '"' ? '"' : line[j + 1] == 'n' ? '\n' : line[j + 1]);
                    j++;
                }
                else if (c == '"')
                {
                    break;
                }
                else if (interpolated && c == '{' && j + 1 < line.Length && line[j + 1] == '{')
                {
                    text.Append('{');
                    j++;
                }
                else if (interpolated && c == '}' && j + 1 < line.Length && line[j + 1] == '}')
                {
                    text.Append('}');
                    j++;
                }
                else if (interpolated && c == '{')
                {
                    j = SkipHole(line, j);
                    text.Append("{}");
                }
                else
                {
                    text.Append(c);
                }
            }

            // A plain string's braces are JSON shown as an example ("send {\"name\": ...}"): a hole in the template too.
            yield return interpolated ? text.ToString() : JsonExample().Replace(text.ToString(), "{}");
            i = j;
        }
    }

    /// <summary>The index of the '}' closing the hole opened at <paramref name="open"/>, past nested braces and strings.</summary>
    private static int SkipHole(string line, int open)
    {
        var depth = 0;
        for (var k = open; k < line.Length; k++)
        {
            switch (line[k])
            {
                case '{':
                    depth++;
                    break;
                case '}':
                    if (--depth == 0)
                    {
                        return k;
                    }

                    break;
                case '"':
                    k++;
                    while (k < line.Length && line[k] != '"')
                    {
                        k += line[k] == '\\' ? 2 : 1;
                    }

                    break;
            }
        }

        return line.Length - 1;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex JsonExample();

    [GeneratedRegex(@"(detail:|Bad\(|Refuse\(|Refused\(|Problem\(|Exception\(|Fail\(|Problems\.Add\(|problem = |return \(null, )")]
    private static partial Regex MessageCall();
}
