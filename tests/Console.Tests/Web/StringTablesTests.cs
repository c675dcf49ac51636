using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Tests.Support;

namespace GateWatch.Central.Tests.Web;

/// <summary>
/// The pages' two string tables (wwwroot/i18n/vi.json, en.json): the same keys, the same placeholders, every key a page
/// asks for present in both, and one Vietnamese word for "acknowledge" wherever English says it.
/// </summary>
public sealed partial class StringTablesTests
{
    private static readonly string Root = Path.Combine(TestPaths.RepoRoot, "src", "Console", "wwwroot");

    private static Dictionary<string, string> Table(string lang) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Root, "i18n", lang + ".json")))!;

    [Fact]
    public void Both_tables_have_the_same_keys_and_placeholders_and_no_empty_string()
    {
        var vi = Table("vi");
        var en = Table("en");
        Assert.Empty(en.Keys.Except(vi.Keys).Select(k => $"vi.json has no key '{k}'"));
        Assert.Empty(vi.Keys.Except(en.Keys).Select(k => $"en.json has no key '{k}'"));
        Assert.Empty(vi.Concat(en).Where(x => string.IsNullOrWhiteSpace(x.Value)).Select(x => $"'{x.Key}' is empty"));
        Assert.Empty(vi.Keys.Intersect(en.Keys)
            .Where(k => !Placeholders(vi[k]).SetEquals(Placeholders(en[k])))
            .Select(k => $"'{k}': vi has {{{string.Join("}, {", Placeholders(vi[k]))}}}, en has {{{string.Join("}, {", Placeholders(en[k]))}}}"));
    }

    [Fact]
    public void Every_key_a_page_uses_is_in_both_tables()
    {
        var vi = Table("vi");
        var en = Table("en");
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var keys = Call().Matches(text).Select(m => m.Groups["fn"].Value == "tn" ? m.Groups["key"].Value + ".other" : m.Groups["key"].Value)
                .Concat(Attribute().Matches(text).Select(m => m.Groups["key"].Value))
                .Concat(AttributeList().Matches(text).SelectMany(m => m.Groups["list"].Value.Split(';')).Where(p => p.Contains(':', StringComparison.Ordinal)).Select(p => p.Split(':')[1].Trim()));
            foreach (var key in keys.Distinct())
            {
                missing.AddRange(new[] { ("vi", vi), ("en", en) }.Where(t => !t.Item2.ContainsKey(key))
                    .Select(t => $"{Path.GetRelativePath(Root, file)} uses '{key}', which {t.Item1}.json does not have"));
            }
        }

        Assert.Empty(missing);
        // The scan sees the pages' keys at all (a regex that matched nothing would pass above).
        Assert.True(Call().Count(File.ReadAllText(Path.Combine(Root, "js", "api.js"))) >= 3);
    }

    [Fact]
    public void Acknowledge_is_one_word_in_Vietnamese_wherever_English_says_it()
    {
        var vi = Table("vi");
        var odd = Table("en").Where(x => x.Value.Contains("cknowledg", StringComparison.Ordinal) && vi.TryGetValue(x.Key, out var v) && !v.Contains("xác nhận", StringComparison.OrdinalIgnoreCase))
            .Select(x => $"'{x.Key}': \"{x.Value}\" is \"{vi[x.Key]}\" without \"xác nhận\"");
        Assert.Empty(odd);
    }

    private static HashSet<string> Placeholders(string s) => [.. Placeholder().Matches(s).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\b(?<fn>tn?)\(\s*'(?<key>[a-zA-Z0-9_.\-]+)'")]
    private static partial Regex Call();

    [GeneratedRegex("data-i18n=\"(?<key>[^\"]+)\"")]
    private static partial Regex Attribute();

    [GeneratedRegex("data-i18n-attr=\"(?<list>[^\"]+)\"")]
    private static partial Regex AttributeList();
}
