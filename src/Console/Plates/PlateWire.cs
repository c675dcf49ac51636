using System.Text.Json;
using System.Text.RegularExpressions;

namespace GateWatch.Central.Plates;

/// <summary>A crossing's plate as the agent sends it: the text read ("" when none), the reader's confidence, the crop's file name.</summary>
internal sealed record WirePlate(string Text, double Confidence, string? Crop);

/// <summary>
/// The optional <c>plate</c> object in a crossing's data (the agent's wire contract):
/// <c>{"text":"51G-123.45","confidence":0.93,"crop":"p-&lt;eventId&gt;.jpg"}</c>, or <c>{"text":"","confidence":0,"crop":null}</c>
/// when the reader saw a vehicle but read nothing. Persons have no plate object at all.
/// </summary>
internal static partial class PlateWire
{
    /// <summary>
    /// A crop's file name on the agent. Only this shape is ever put into a path to the agent, so no name can
    /// climb out of the agent's crop folder or reach another of its routes. \z, not $: $ also matches before a final newline.
    /// </summary>
    [GeneratedRegex(@"^p-[A-Za-z0-9-]{8,64}\.jpg\z")]
    public static partial Regex CropFile();

    /// <summary>Why the data's plate is malformed, or null when it is fine or absent; <paramref name="plate"/> is the plate when there is one.</summary>
    public static string? Read(JsonElement data, out WirePlate? plate)
    {
        plate = null;
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("plate", out var p))
        {
            return null;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            return "data.plate must be an object {text, confidence, crop}";
        }

        if (!p.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
        {
            return "data.plate.text must be a string (\"\" when nothing was read)";
        }

        var t = text.GetString()!;
        if (PlateText.Problem(t) is { } why)
        {
            return $"data.plate.text: {why}";
        }

        if (!p.TryGetProperty("confidence", out var conf) || conf.ValueKind != JsonValueKind.Number
            || !conf.TryGetDouble(out var confidence) || !double.IsFinite(confidence) || confidence is < 0 or > 1)
        {
            return "data.plate.confidence must be a number from 0 to 1";
        }

        string? crop = null;
        if (p.TryGetProperty("crop", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.String || !CropFile().IsMatch(c.GetString()!))
            {
                return "data.plate.crop must be null or a file name p-<id>.jpg (8-64 letters, digits or '-')";
            }

            crop = c.GetString();
        }

        plate = new WirePlate(t, Math.Round(confidence, 4), crop);
        return null;
    }

    /// <summary>A crossing's class or direction, as the agent sends them; a missing or odd one is stored as "unknown".</summary>
    public static string Word(JsonElement data, string name)
    {
        if (data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 and <= 20 } s
            && s.All(ch => char.IsAsciiLetterLower(ch) || ch == '-'))
        {
            return s;
        }

        return "unknown";
    }
}
