namespace GateWatch.Agent.Retention;

/// <summary>How much of one camera's footage to keep; null means no limit of that kind.</summary>
internal sealed record RetentionPolicy(TimeSpan? MaxAge, long? QuotaBytes);

/// <summary>One segment file removed by a sweep, and why: "age", "quota" or "low-disk".</summary>
internal sealed record Deletion(string Camera, string Path, long Bytes, DateTimeOffset Start, DateTimeOffset End, string Reason);

/// <summary>
/// What a sweep did. LowDisk says emergency mode ran; FreeBytes is the free space read at the end (-1 when
/// it could not be read); Problems are the things an operator has to look at, each a full sentence.
/// </summary>
internal sealed record SweepResult(IReadOnlyList<Deletion> Deleted, bool LowDisk, long FreeBytes, IReadOnlyList<string> Problems);
