using System.Text.RegularExpressions;

namespace GateWatch.Agent.Ffmpeg;

/// <summary>Camera URLs carry passwords (rtsp://user:pass@host); nothing that reaches a log may show them.</summary>
internal static partial class Redact
{
    /// <summary>
    /// The user info runs to the last '@' before the host, as ffmpeg reads it, so a password holding '@' or a
    /// space is hidden whole. Text that merely looks like user info may be hidden too; that errs the safe way.
    /// </summary>
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<userinfo>[^/\s]+(?:\s+[^/\s@]+)*)@")]
    private static partial Regex UserInfo();

    public static string Url(string text) => UserInfo().Replace(text, "${scheme}***@");
}
