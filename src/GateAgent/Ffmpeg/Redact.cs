using System.Text;
using System.Text.RegularExpressions;

namespace GateWatch.Agent.Ffmpeg;

/// <summary>Camera URLs carry passwords (rtsp://user:pass@host); nothing that reaches a log may show them.</summary>
internal static partial class Redact
{
    /// <summary>A password with spaces is rare; one with more than a few words is a sentence after a host.</summary>
    private const int MaxUserInfoWords = 4;

    [GeneratedRegex(@"[a-zA-Z][a-zA-Z0-9+.\-]*://")]
    private static partial Regex Scheme();

    /// <summary>
    /// Hides every URL's user info. It runs to the last '@' before the host, as ffmpeg reads it, so a password holding
    /// '@', '/', ':' or a percent escape is hidden whole ("rtsp://u:p/a@ss@host/x" hides "u:p/a@ss"), and one holding
    /// spaces too: the words after the scheme are followed while no host path (a '/' after the last '@') has been
    /// seen. Text that merely looks like user info may be hidden as well; that errs the safe way.
    /// </summary>
    public static string Url(string text)
    {
        var output = new StringBuilder(text.Length);
        var copied = 0;
        foreach (Match m in Scheme().Matches(text))
        {
            var start = m.Index + m.Length;
            if (start < copied)
            {
                continue;
            }

            var end = UserInfoEnd(text, start);
            if (end < 0)
            {
                continue;
            }

            output.Append(text, copied, start - copied).Append("***");
            copied = end;
        }

        return copied == 0 ? text : output.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The index of the '@' that ends the user info of a URL whose user info would start at <paramref name="start"/>, or -1.</summary>
    private static int UserInfoEnd(string text, int start)
    {
        var end = -1;
        var pos = start;
        for (var word = 0; word < MaxUserInfoWords && pos < text.Length; word++)
        {
            var stop = pos;
            while (stop < text.Length && !char.IsWhiteSpace(text[stop]))
            {
                stop++;
            }

            var at = text.LastIndexOf('@', stop - 1, stop - pos);
            if (at >= 0)
            {
                end = at;
            }

            // Past the last '@' of this word is the host (or more password): a '/' there is the path, and the URL ends.
            if (text.IndexOf('/', at >= 0 ? at : pos, stop - (at >= 0 ? at : pos)) >= 0)
            {
                break;
            }

            pos = stop;
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }

        return end;
    }
}
