using System.Security.Claims;
using GateWatch.Central.Audit;
using GateWatch.Central.Users;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace GateWatch.Central.Evidence;

/// <summary>Checks an evidence package someone hands back (from a court, a colleague, a USB stick) against this console's key.</summary>
internal static class EvidenceEndpoints
{
    public const string PackageField = "package";

    /// <summary>A package holds up to a few hours of video.</summary>
    public const long MaxPackageBytes = 2L << 30;

    public static WebApplication MapEvidence(this WebApplication app)
    {
        app.MapPost("/api/evidence/verify", VerifyAsync).RequireAuthorization(Rights.Export);
        return app;
    }

    private static async Task<IResult> VerifyAsync(HttpContext http, EvidenceKey key, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var by = user.Identity!.Name!;
        // Raised here, after authorization, so only a signed-in investigator can send a body this large;
        // everywhere else Kestrel's default limit stands.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxPackageBytes;
        }

        var temp = Path.Combine(Path.GetTempPath(), $"gatewatch-verify-{Guid.NewGuid():N}.zip");
        try
        {
            var (name, problem) = await ReceiveAsync(http.Request, temp, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                audit.Append(by, AuditActions.EvidenceVerify, "package", AuditOutcomes.Failed, problem);
                return Results.Problem(statusCode: problem.StartsWith("the package is larger", StringComparison.Ordinal) ? 413 : 400, detail: problem);
            }

            var report = EvidenceVerifier.Verify(temp, key.PublicKeyPem);
            audit.Append(by, AuditActions.EvidenceVerify, $"package:{name}", report.Ok ? AuditOutcomes.Ok : AuditOutcomes.Failed,
                report.Ok ? $"intact, case {report.Manifest!.Case.Number}, {report.Manifest.Clips.Count} clip(s)" : string.Join("; ", report.Problems));
            return Results.Json(new
            {
                ok = report.Ok,
                problems = report.Problems,
                notes = report.Notes,
                @case = report.Manifest is { } m ? new { number = m.Case.Number, description = m.Case.Description } : null,
                clips = report.Manifest?.Clips.Count ?? 0,
                signer = report.SignerFingerprint,
            });
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Streams the multipart field <see cref="PackageField"/> to <paramref name="path"/>. The form is read
    /// section by section rather than through the form reader, whose buffering and limits are made for forms,
    /// not gigabytes of video.
    /// </summary>
    private static async Task<(string Name, string? Problem)> ReceiveAsync(HttpRequest request, string path, CancellationToken ct)
    {
        const string form = $"send the package as multipart/form-data, in the field '{PackageField}'";
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return ("", form);
        }

        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, PackageField, StringComparison.Ordinal))
                {
                    continue;
                }

                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await section.Body.CopyToAsync(file, ct).ConfigureAwait(false);
                }

                var name = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "") is { Length: > 0 } n ? n : "upload.zip";
                return (name.Length > 100 ? name[..100] : name, null);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ("", $"the package is larger than {MaxPackageBytes >> 30} GiB, more than any this console writes");
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return ("", $"the upload could not be read as multipart/form-data ({e.Message}); {form}");
        }

        return ("", $"no field '{PackageField}' in the form; {form}");
    }
}
