using System.Text.Json;
using System.Text.Json.Serialization;

namespace GateWatch.Agent.Gate;

/// <summary>
/// How the agent reads the files people write by hand (gate specs, agent.json): unknown fields are errors,
/// comments and trailing commas are allowed, and a failure is told as a JSON path and a plain problem.
/// </summary>
internal static class StrictJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// System.Text.Json puts the path in e.Path; its message repeats it with line numbers and, for an unknown
    /// field, names our internal types, which mean nothing to whoever wrote the file.
    /// </summary>
    public static (string Path, string Problem) Describe(JsonException e)
    {
        var path = e.Path ?? "$";
        var problem = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"unknown field '{path[(path.LastIndexOf('.') + 1)..]}'"
            : e.Message.Split(" Path:", 2)[0];
        return (path, problem);
    }
}
