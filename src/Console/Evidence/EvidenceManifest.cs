using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GateWatch.Central.Evidence;

/// <summary>
/// What an evidence package contains and where it came from: <c>manifest.json</c> inside the zip, the file
/// the signature covers. Properties are written in declaration order, so the same manifest always gives
/// the same bytes.
/// </summary>
/// <param name="FormatVersion">The package layout; <see cref="CurrentFormatVersion"/> is the only one so far.</param>
/// <param name="ExportedBy">The user who exported it.</param>
/// <param name="ExportedAt">When, UTC.</param>
/// <param name="Signer">Fingerprint of the console key that signed it (<see cref="EvidenceKey.Fingerprint"/>).</param>
internal sealed record EvidenceManifest(
    int FormatVersion, EvidenceCase Case, string ExportedBy, DateTimeOffset ExportedAt, string Signer, IReadOnlyList<EvidenceClip> Clips)
{
    public const int CurrentFormatVersion = 1;

    public byte[] ToJsonBytes()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, EvidenceJson.Default.EvidenceManifest);
        // A final newline, so `cat manifest.json` ends cleanly; it is part of the signed bytes like the rest.
        return [.. bytes, (byte)'\n'];
    }

    /// <exception cref="JsonException">Not JSON, or a required field is missing or null.</exception>
    public static EvidenceManifest FromJson(ReadOnlySpan<byte> json)
    {
        var manifest = JsonSerializer.Deserialize(json, EvidenceJson.Default.EvidenceManifest) ?? throw new JsonException("the manifest is null");
        // Nullable annotations cover properties, not list items; a package from elsewhere may hold anything.
        if (manifest.Clips.Any(c => c is null || c.Gaps is null || c.Gaps.Any(g => g is null)))
        {
            throw new JsonException("a clip or a gap is null");
        }

        return manifest;
    }
}

internal sealed record EvidenceCase(string Number, string Description);

/// <summary>One clip, as cut by an agent.</summary>
/// <param name="File">Its path inside the zip: <c>clips/&lt;name&gt;</c>.</param>
/// <param name="From">Requested start, UTC.</param>
/// <param name="To">Requested end, UTC.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="Reason">Why the investigator added it.</param>
/// <param name="Gaps">Stretches inside From-To with no recording.</param>
internal sealed record EvidenceClip(
    string File, string Camera, string Agent, DateTimeOffset From, DateTimeOffset To, string Sha256, long Bytes, string Reason, IReadOnlyList<EvidenceGap> Gaps);

internal sealed record EvidenceGap(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Times as UTC ISO 8601 with a Z ("2026-01-02T03:04:05.25Z"): one spelling per instant, whatever offset the
/// value was made with, and no fraction digits that are not there.
/// </summary>
internal sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(EvidenceManifest))]
internal sealed partial class EvidenceJson : JsonSerializerContext;
