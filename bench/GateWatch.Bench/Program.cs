using GateWatch.Agent.Capture;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Bench;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

const string usage = $"""
    GateWatch benchmarks

    {ThroughputOptions.Usage}
    {CapacityOptions.Usage}
    {ExportBenchmark.Usage}
    {TilingBenchmark.Usage}
    {PlatesBenchmark.Usage}
    {DensityBenchmark.Usage}
    """;

try
{
    return args.FirstOrDefault() switch
    {
        "throughput" => await ThroughputBenchmark.RunAsync(ThroughputOptions.Parse(args[1..]), cts.Token),
        "capacity" => await CapacityBenchmark.RunAsync(CapacityOptions.Parse(args[1..]), cts.Token),
        "export" => await ExportBenchmark.RunAsync(args[1..], cts.Token),
        "tiling" => await TilingBenchmark.RunAsync(args[1..], cts.Token),
        "plates" => await PlatesBenchmark.RunAsync(args[1..]),
        "density" => await DensityBenchmark.RunAsync(args[1..]),
        "help" or "--help" or "-h" => Help(0),
        _ => Help(2),
    };
}
catch (UsageException e)
{
    return Fail(2, e.Message + "\n\n" + usage);
}
catch (Exception e) when (e is GateSpecException or ModelException or VideoSourceException or BenchException or FileNotFoundException)
{
    return Fail(1, e.Message);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    return Fail(130, "cancelled");
}

static int Help(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(usage);
    return code;
}

static int Fail(int code, string message)
{
    Console.Error.WriteLine($"error: {message}");
    return code;
}
