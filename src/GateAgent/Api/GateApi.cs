using System.Text.Json;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace GateWatch.Agent.Api;

/// <summary>
/// A camera's gate spec (lines and zones) read and replaced over the API, for the console's editor. The file
/// named in agent.json stays the source of truth: an edit is written there first, then applied.
/// </summary>
internal static class GateApi
{
    private const string BodyForm = "{\"spec\": {...the gate spec...}, \"expectedFingerprint\": \"...\"}";

    /// <summary>How the file is read for showing: as the loader reads it, comments and trailing commas allowed.</summary>
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static RouteGroupBuilder MapGateApi(this RouteGroupBuilder api)
    {
        api.MapGet("/cameras/{id}/gate", Get);
        api.MapPut("/cameras/{id}/gate", PutAsync);
        return api;
    }

    private static IResult Error(int status, string detail) => Results.Problem(statusCode: status, detail: detail);

    private static IResult NoGate(CameraSet cameras, string id) =>
        cameras.Find(id) is null
            ? Error(404, $"no camera '{id}' on this agent; it has: {string.Join(", ", cameras.All.Select(c => c.Camera.Id))}")
            : Error(404, $"camera {id} has no gate spec: it records only. Give it one with \"gate\" in agent.json to analyse it");

    private static IResult Get(string id, CameraSet cameras)
    {
        if (cameras.Find(id) is not { Camera: { GatePath: { } path, Gate: not null } })
        {
            return NoGate(cameras, id);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The camera runs on the spec it read at start; an editor can still write a new file over the lost one.
            return Results.Json(new { camera = id, file = Path.GetFileName(path), fingerprint = "", spec = (JsonElement?)null, problem = $"the file cannot be read ({e.Message})" });
        }

        // A file edited by hand into something the agent would refuse is still shown, with what is wrong, so that
        // it can be mended here; the camera keeps the spec it last applied.
        var text = GateFile.Text(bytes);
        string? problem = null;
        JsonElement? spec = null;
        try
        {
            using var doc = JsonDocument.Parse(text, Lenient);
            spec = doc.RootElement.Clone();
            GateSpecLoader.Parse(text, Path.GetFileName(path));
        }
        catch (JsonException e)
        {
            problem = $"{e.Path ?? "$"}: {e.Message.Split(" Path:", 2)[0]}";
        }
        catch (GateSpecException e)
        {
            problem = $"{e.JsonPath}: {e.Problem}";
        }

        return Results.Json(new { camera = id, file = Path.GetFileName(path), fingerprint = GateFile.Fingerprint(bytes), spec, problem });
    }

    private static async Task<IResult> PutAsync(string id, HttpRequest request, CameraSet cameras, CancellationToken ct)
    {
        if (cameras.Find(id) is not { Camera: { GatePath: not null, Gate: not null } })
        {
            return NoGate(cameras, id);
        }

        // Read here, not bound by the framework: a malformed body would get an empty 400 before the key is checked.
        JsonElement body;
        try
        {
            if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            {
                return Error(400, $"send {BodyForm}");
            }

            using var doc = await JsonDocument.ParseAsync(request.Body, default, ct).ConfigureAwait(false);
            body = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Error(400, $"the body is not JSON of the form {BodyForm} (the problem is at {e.Path ?? "$"}, line {(e.LineNumber ?? 0) + 1})");
        }
        catch (BadHttpRequestException e)
        {
            return Error(e.StatusCode, $"the body could not be read ({e.Message})");
        }

        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("expectedFingerprint", out var expected) || expected.ValueKind != JsonValueKind.String)
        {
            return Error(400, $"send {BodyForm}; expectedFingerprint is the fingerprint GET gave with the spec you edited");
        }

        if (body.EnumerateObject().FirstOrDefault(p => p.Name is not ("spec" or "expectedFingerprint")) is { Value.ValueKind: not JsonValueKind.Undefined } extra)
        {
            return Error(400, $"unknown field '{extra.Name}'; send {BodyForm}");
        }

        // Stored as sent, indented for whoever opens the file next; the fingerprint is of exactly these bytes.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            spec.WriteTo(writer);
        }

        buffer.WriteByte((byte)'\n');
        try
        {
            var (previous, fingerprint, applied) = await cameras.ReplaceGateAsync(id, buffer.ToArray(), expected.GetString()!).ConfigureAwait(false);
            return Results.Json(new
            {
                camera = id,
                previousFingerprint = previous,
                fingerprint,
                applied = true,
                lines = applied.Lines.Select(l => l.Id),
                zones = applied.Zones.Select(z => z.Id),
            });
        }
        catch (GateSpecException e)
        {
            return Error(400, $"{e.JsonPath}: {e.Problem}");
        }
        catch (GateConflictException e)
        {
            return Results.Problem(statusCode: 409, detail: e.Message, extensions: new Dictionary<string, object?> { ["currentFingerprint"] = e.Current });
        }
        catch (InvalidOperationException e)
        {
            // The camera was removed from agent.json, or lost its gate, while the edit was on its way.
            return Error(404, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error(507, $"the gate file could not be written ({e.Message}); the camera keeps its current spec");
        }
    }
}
