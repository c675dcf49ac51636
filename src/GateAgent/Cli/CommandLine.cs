namespace GateWatch.Agent.Cli;

/// <summary>A command line that cannot be run as given; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" options and "--flag" switches; anything not declared is an error, not ignored.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> options, IReadOnlySet<string> flags)
    {
        var cl = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (flags.Contains(a))
            {
                cl._values[a] = null;
            }
            else if (options.Contains(a))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{a} needs a value");
                }

                cl._values[a] = args[++i];
            }
            else
            {
                throw new UsageException($"unknown argument '{a}'");
            }
        }

        return cl;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new UsageException($"{name} is required");

    public int GetInt(string name, int fallback, int min, int max)
    {
        if (Get(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} must be a whole number from {min} to {max}, got '{text}'");
    }
}
