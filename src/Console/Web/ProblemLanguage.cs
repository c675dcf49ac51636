using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GateWatch.Central.Web;

/// <summary>
/// The API's problem details in the reader's language. The endpoints say what is wrong in English, with the values that
/// matter (a name, a limit, a time); the pages' string tables hold each such sentence as a "problem.*" template in both
/// languages, so a detail is matched against the English templates and the Vietnamese one is filled with the same values.
/// One table per language for pages and API alike; a sentence no template covers stays English (a test keeps the
/// templates in step with the code).
/// </summary>
internal sealed partial class ProblemLanguage
{
    private const string Prefix = "problem.";

    /// <summary>An inner message inside an outer one (an exception's text in "...; nothing was changed") is translated too, this deep.</summary>
    private const int MaxDepth = 2;

    private readonly List<(Regex English, string Vietnamese, string[] Names)> _templates;

    private ProblemLanguage(List<(Regex, string, string[])> templates) => _templates = templates;

    public int Count => _templates.Count;

    /// <summary>The templates of wwwroot/i18n/en.json and vi.json, most specific first (the longest fixed text wins).</summary>
    public static ProblemLanguage Load(string wwwroot)
    {
        var en = Read(Path.Combine(wwwroot, "i18n", "en.json"));
        var vi = Read(Path.Combine(wwwroot, "i18n", "vi.json"));
        var templates = en.Where(x => x.Key.StartsWith(Prefix, StringComparison.Ordinal) && vi.ContainsKey(x.Key))
            .Select(x => (Template: x.Value, Vietnamese: vi[x.Key], Fixed: Placeholder().Replace(x.Value, "").Length))
            .OrderByDescending(x => x.Fixed)
            .Select(x => (Pattern(x.Template), x.Vietnamese, Placeholder().Matches(x.Template).Select(m => m.Groups[1].Value).ToArray()))
            .ToList();
        return new ProblemLanguage(templates);
    }

    /// <summary>The detail in Vietnamese when a template covers it; else as it was.</summary>
    public string ToVietnamese(string detail, int depth = 0)
    {
        foreach (var (english, vietnamese, names) in _templates)
        {
            Match m;
            try
            {
                m = english.Match(detail);
            }
            catch (RegexMatchTimeoutException)
            {
                continue;
            }

            if (!m.Success)
            {
                continue;
            }

            return Placeholder().Replace(vietnamese, p =>
                names.Contains(p.Groups[1].Value) && m.Groups[p.Groups[1].Value] is { Success: true } g
                    ? depth < MaxDepth ? ToVietnamese(g.Value, depth + 1) : g.Value
                    : p.Value);
        }

        return detail;
    }

    /// <summary>Writes problem details in the reader's language: Vietnamese where <see cref="LanguageOf"/> says so.</summary>
    public static IServiceCollection AddProblemLanguage(IServiceCollection services, string wwwroot)
    {
        var language = Load(wwwroot);
        services.AddSingleton(language);
        services.Configure<ProblemDetailsOptions>(o =>
        {
            var before = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = ctx =>
            {
                before?.Invoke(ctx);
                if (ctx.ProblemDetails.Detail is { Length: > 0 } detail && LanguageOf(ctx.HttpContext) == "vi")
                {
                    ctx.ProblemDetails.Detail = language.ToVietnamese(detail);
                }
            };
        });
        return services;
    }

    /// <summary>
    /// The language a problem is written in: what the page asks for (its Accept-Language names the user's language), else
    /// the signed-in user's, else English for scripts and other programs.
    /// </summary>
    public static string LanguageOf(HttpContext http)
    {
        var asked = http.Request.Headers.AcceptLanguage.ToString();
        if (asked.Length >= 2)
        {
            var first = asked.Split(',')[0].Trim();
            if (first.StartsWith("vi", StringComparison.OrdinalIgnoreCase))
            {
                return "vi";
            }

            if (first.StartsWith("en", StringComparison.OrdinalIgnoreCase))
            {
                return "en";
            }
        }

        return http.User.Identity?.IsAuthenticated == true && http.User.FindFirstValue(ClaimTypes.Name) is { } name
            ? http.RequestServices.GetRequiredService<UserStore>().Language(name)
            : "en";
    }

    private static Regex Pattern(string template)
    {
        var parts = Placeholder().Split(template);
        // Split with a capture group alternates fixed text and placeholder names: "a {x} b" -> ["a ", "x", " b"].
        var pattern = string.Concat(parts.Select((p, i) => i % 2 == 0 ? Regex.Escape(p) : $"(?<{p}>.+?)"));
        return new Regex($"\\A{pattern}\\z", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
    }

    private static Dictionary<string, string> Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [] : [];

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
