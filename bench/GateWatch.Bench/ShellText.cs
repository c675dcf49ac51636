namespace GateWatch.Bench;

/// <summary>Command lines as a reader pastes them into a shell.</summary>
internal static class ShellText
{
    public static string Join(string prefix, IEnumerable<string> args)
    {
        var quoted = args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+".Contains(c, StringComparison.Ordinal))
            ? a
            : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
        return string.Join(' ', quoted.Prepend(prefix));
    }
}
