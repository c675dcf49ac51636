namespace GateWatch.Bench;

/// <summary>A benchmark that cannot run (missing input, a reference tool that failed); exit code 1.</summary>
internal sealed class BenchException(string message) : Exception(message);
