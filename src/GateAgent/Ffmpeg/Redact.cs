using System.Text.RegularExpressions;

namespace GateWatch.Agent.Ffmpeg;

/// <summary>Camera URLs carry passwords (rtsp://user:pass@host); nothing that reaches a log may show them.</summary>
internal static partial class Redact
{
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<userinfo>[^/@\s]+)@")]
    private static partial Regex UserInfo();

    public static string Url(string text) => UserInfo().Replace(text, "${scheme}***@");
}
