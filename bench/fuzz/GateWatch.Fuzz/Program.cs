using GateWatch.Fuzz;

// One process fuzzes one target: afl-fuzz starts it as `GateWatch.Fuzz <target>` and feeds inputs through SharpFuzz.
// `GateWatch.Fuzz <target> --replay <file or folder>...` runs saved inputs in-process, for a crash afl found or the
// committed corpus, and needs neither afl nor an instrumented build. `--evidence-seeds <folder>` makes the evidence
// target's seed packages.
if (args is ["--evidence-seeds", var seedDir])
{
    return await Seeds.EvidenceAsync(seedDir).ConfigureAwait(false);
}

if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: GateWatch.Fuzz <target> [--replay <file or folder>...]; targets: {string.Join(", ", Targets.All.Keys)}");
    return 2;
}

if (args.Length > 1 && args[1] == "--replay")
{
    return Replay.Run(args[0], target, args.Skip(2));
}

SharpFuzz.Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target.Run(copy.ToArray());
});
return 0;
