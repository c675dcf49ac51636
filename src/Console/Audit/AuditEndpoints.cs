using System.Security.Claims;
using GateWatch.Central.Users;

namespace GateWatch.Central.Audit;

/// <summary>Admins read and verify the audit log; nothing in the product can change it.</summary>
internal static class AuditEndpoints
{
    private const int MaxPage = 1000;

    public static WebApplication MapAudit(this WebApplication app)
    {
        var audit = app.MapGroup("/api/admin/audit").RequireAuthorization(Rights.Administer);
        audit.MapGet("/", (long? after, int? limit, string? action, AuditLog log, ClaimsPrincipal user) =>
        {
            if (limit is < 1 or > MaxPage)
            {
                return Results.Problem(statusCode: 400, detail: $"limit: 1 to {MaxPage}");
            }

            log.Append(user.Identity!.Name!, AuditActions.AuditRead, "audit", AuditOutcomes.Ok, $"after {after ?? 0}");
            return Results.Json(log.Read(after ?? 0, limit ?? 200, action));
        });
        audit.MapGet("/verify", (AuditLog log, ClaimsPrincipal user) =>
        {
            var result = log.Verify();
            log.Append(user.Identity!.Name!, AuditActions.AuditVerify, "audit", result.Ok ? AuditOutcomes.Ok : AuditOutcomes.Failed, result.Problem ?? $"{result.Count} entries");
            return Results.Json(result);
        });
        return app;
    }
}
