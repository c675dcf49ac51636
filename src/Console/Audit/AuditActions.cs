namespace GateWatch.Central.Audit;

/// <summary>
/// The audit log's action names. They are stored as text and searched by exact match, so a name, once
/// written to a log, never changes meaning or spelling.
/// </summary>
internal static class AuditActions
{
    public const string Login = "login";
    public const string LoginFailed = "login-failed";
    public const string Logout = "logout";
    public const string LiveView = "live-view";
    public const string RecordingView = "recording-view";
    public const string Export = "export";
    public const string EvidenceVerify = "evidence-verify";
    public const string CaseCreated = "case-created";
    public const string ClipAdded = "clip-added";
    public const string Acknowledge = "acknowledge";
    public const string ConfigChange = "config-change";
    public const string UserCreated = "user-created";
    public const string UserChanged = "user-changed";
    public const string PasswordChanged = "password-changed";
    public const string ConsoleInitialised = "console-initialised";
    public const string EnrolmentCodeMade = "enrolment-code-made";
    public const string AgentEnrolled = "agent-enrolled";
    public const string AgentRegistered = "agent-registered";
    public const string AgentPinned = "agent-pinned";
    public const string IngestRefused = "ingest-refused";
    public const string AccessDenied = "access-denied";
    public const string AuditRead = "audit-read";
    public const string AuditVerify = "audit-verify";
    public const string PlateListChange = "plate-list-change";
    public const string PlateListExport = "plate-list-export";
    public const string PlateSearch = "plate-search";
    public const string PlateRetention = "plate-retention";
    public const string ShiftReportView = "shift-report-view";
    public const string ShiftNote = "shift-note";
}

/// <summary>How an audited attempt ended; failed and refused attempts are logged as well as successful ones.</summary>
internal static class AuditOutcomes
{
    public const string Ok = "ok";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
