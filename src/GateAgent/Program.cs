using GateWatch.Agent.Capture;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Service;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

const string usage = $"""
    GateWatch edge agent

    {AnalyzeCommand.Usage}
    {DetectCommand.Usage}
    {PlatesCommand.Usage}
    {ScoreCommand.Usage}
    {ScoreDetectCommand.Usage}
    {ScorePlatesCommand.Usage}
    {CountCommand.Usage}
    {ScoreCountCommand.Usage}
    {TruthCommand.Usage}
    {TlsFingerprintCommand.Usage}
    {EnrolCommand.Usage}
    {RunCommand.Usage}
    {AgentConfigLoader.Example}
    """;

try
{
    return args.FirstOrDefault() switch
    {
        "analyze" => await AnalyzeCommand.RunAsync(args[1..], cts.Token),
        "detect" => await DetectCommand.RunAsync(args[1..], cts.Token),
        "plates" => await PlatesCommand.RunAsync(args[1..], cts.Token),
        "score" => await ScoreCommand.RunAsync(args[1..]),
        "score-detect" => await ScoreDetectCommand.RunAsync(args[1..]),
        "score-plates" => await ScorePlatesCommand.RunAsync(args[1..]),
        "count" => await CountCommand.RunAsync(args[1..], cts.Token),
        "score-count" => await ScoreCountCommand.RunAsync(args[1..]),
        "truth" => await TruthCommand.RunAsync(args[1..]),
        "run" => await RunCommand.RunAsync(args[1..], cts.Token),
        "tls-fingerprint" => TlsFingerprintCommand.Run(args[1..]),
        "enrol" => await EnrolCommand.RunAsync(args[1..], cts.Token),
        "help" or "--help" or "-h" => Help(0),
        _ => Help(2),
    };
}
catch (UsageException e)
{
    return Fail(2, e.Message + "\n\n" + usage);
}
catch (Exception e) when (e is AgentConfigException or GateWatch.Shared.Hosting.DataFolderException or GateSpecException or ModelException or VideoSourceException or FormatException or FileNotFoundException)
{
    return Fail(1, e.Message);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    return Fail(130, "cancelled; no output was written");
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
