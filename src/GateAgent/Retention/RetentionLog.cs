using Microsoft.Extensions.Logging;

namespace GateWatch.Agent.Retention;

/// <summary>Retention's log lines. File names only, never camera URLs: those can carry credentials.</summary>
internal static partial class RetentionLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Deleted segment {File} of camera {Camera} ({Bytes} bytes, {Start:O} to {End:O}), reason {Reason}")]
    public static partial void Deleted(ILogger logger, string camera, string file, long bytes, DateTimeOffset start, DateTimeOffset end, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "Segment {File} of camera {Camera} ({Start:O} to {End:O}) was already gone from disk; its index row is removed, reason {Reason}")]
    public static partial void AlreadyMissing(ILogger logger, string camera, string file, DateTimeOffset start, DateTimeOffset end, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error,
        Message = "Refused to delete {Path} of camera {Camera}: it is not inside the recordings folder {Root}; file and index row are left as they are")]
    public static partial void OutsideRoot(ILogger logger, string camera, string path, string root);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error,
        Message = "Could not delete segment {File} of camera {Camera} (reason {Reason}); its index row is kept")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string camera, string file, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning,
        Message = "Low disk: {FreeBytes} bytes free, below {ThresholdBytes}; deleting the oldest unprotected footage of every camera")]
    public static partial void LowDisk(ILogger logger, long freeBytes, long thresholdBytes);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error,
        Message = "Disk nearly full: {FreeBytes} bytes free, below {ThresholdBytes}; only protected footage remains ({ProtectedCount} segments) besides each camera's newest segment, and it is not deleted")]
    public static partial void OnlyProtectedRemains(ILogger logger, long freeBytes, long thresholdBytes, int protectedCount);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning,
        Message = "Camera {Camera} holds {Bytes} bytes, over its quota of {QuotaBytes}; what is left is protected, its newest segment, or could not be deleted")]
    public static partial void OverQuota(ILogger logger, string camera, long bytes, long quotaBytes);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Error, Message = "Could not read the free space of the recordings disk")]
    public static partial void FreeSpaceUnknown(ILogger logger, Exception exception);
}
