using System.Text;
using GateWatch.Agent.Ffmpeg;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Record;
using GateWatch.Agent.Service;
using GateWatch.Central.Agents;
using GateWatch.Central.Evidence;
using GateWatch.Central.Plates;

namespace GateWatch.Fuzz;

/// <summary>
/// One surface under fuzzing. <see cref="Run"/> lets through only what the surface does not document: each target
/// catches the exception types its surface promises and nothing else, so anything else reaches afl as a crash.
/// </summary>
internal sealed record FuzzTarget(string Surface, Action<byte[]> Run);

internal static class Targets
{
    /// <summary>The clock the console's checks run against, fixed so that a crash replays the same way.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["gate-spec"] = new("GateSpecLoader.Parse (a camera's gate spec file)", ParseGateSpec),
        ["agent-config"] = new("AgentConfigLoader.Parse (agent.json)", LoadAgentConfig),
        ["event-ingest"] = new("EventBatch.Read and EventIngest's checks (POST /api/agents/events)", IngestEvents),
        ["evidence"] = new("EvidenceVerifier.Verify (an evidence package: zip, manifest, signature)", VerifyEvidence),
        ["ffmpeg-output"] = new("SegmentList.ParseLine and Redact.Url (ffmpeg's segment list and stderr)", ParseFfmpegOutput),
    };

    /// <summary>The documented failure is <see cref="GateSpecException"/>; a spec that loads must also scale.</summary>
    private static void ParseGateSpec(byte[] input)
    {
        try
        {
            var spec = GateSpecLoader.Parse(GateFile.Text(input), "fuzz.gate.json");
            _ = spec.ScaledTo(640, 360);
        }
        catch (GateSpecException)
        {
        }
    }

    /// <summary>The documented failure is <see cref="AgentConfigException"/>; files it names resolve in the folder of <see cref="ConfigFile"/>.</summary>
    private static void LoadAgentConfig(byte[] input)
    {
        try
        {
            AgentConfigLoader.Parse(GateFile.Text(input), ConfigFile.Value);
        }
        catch (AgentConfigException)
        {
        }
    }

    /// <summary>
    /// The ingest documents no exception: a bad body is a 400 and a bad event a rejection, both returned as text.
    /// Each event that passes goes through what Store and the plate hook then do with it.
    /// </summary>
    private static void IngestEvents(byte[] input)
    {
        if (EventBatch.Read(input, out var agent, out var events) is not null)
        {
            return;
        }

        foreach (var e in events)
        {
            if (EventIngest.Problem(agent, e, Now) is not null || PlateWire.Read(e.Data, out _) is not null)
            {
                continue;
            }

            _ = e.Data.GetRawText();
            _ = e.Time.ToUnixTimeMilliseconds();
            _ = PlateWire.Word(e.Data, "class");
        }
    }

    /// <summary>The verifier documents no exception for a package's contents: every fault is a problem in its report.</summary>
    private static void VerifyEvidence(byte[] input)
    {
        using var zip = new MemoryStream(input, writable: false);
        var report = EvidenceVerifier.Verify(zip, "fuzz.zip", trustedPublicKeyPem: null);
        if (report.Ok == report.Problems.Count > 0)
        {
            throw new InvalidOperationException("a report is Ok exactly when it lists no problem");
        }
    }

    /// <summary>
    /// ParseLine returns null for a line that is not a finished segment, never throws; the recorder then places the
    /// segment at its run's start plus the times, as this does. Redact.Url takes any text.
    /// </summary>
    private static void ParseFfmpegOutput(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var runStart = Now;
        foreach (var line in text.Split('\n'))
        {
            if (SegmentList.ParseLine(line.TrimEnd('\r')) is { } e)
            {
                _ = new Segment("cam", runStart + TimeSpan.FromSeconds(e.StartSeconds), runStart + TimeSpan.FromSeconds(e.EndSeconds), e.FileName, 0, Complete: true);
            }
        }

        _ = Redact.Url(text);
        _ = FfmpegTools.Explain(new InvalidOperationException(text));
    }

    /// <summary>A folder holding the files the agent-config seeds name (a key, a gate spec, a video, an allow list).</summary>
    private static readonly Lazy<string> ConfigFile = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "gatewatch-fuzz-config");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "agent.key"), "fuzz-agent-key-0123456789abcdef\n");
        File.WriteAllText(Path.Combine(dir, "north-1.gate.json"),
            """{ "frameSize": [1280, 720], "lines": [ { "id": "approach", "a": [0, 400], "b": [1280, 400], "insidePoint": [640, 600] } ] }""");
        File.WriteAllBytes(Path.Combine(dir, "clip.mp4"), []);
        File.WriteAllText(Path.Combine(dir, "allowed.txt"), "51G-123.45\n");
        return Path.Combine(dir, "agent.json");
    });
}
