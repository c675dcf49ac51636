using System.Text.Json;
using GateWatch.Agent.Capture;
using GateWatch.Agent.Cli;
using GateWatch.Agent.Eval;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Tests.Support;

namespace GateWatch.Agent.Tests.Cli;

/// <summary>`analyze` end to end: real ffmpeg, the shipped model, files on disk.</summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private const int ClipFrames = 25;

    private static readonly string[] EventTypes = ["crossing", "crowd", "occupancy"];

    private const string GoodSpec = """
        {
          "video": "clip.mp4",
          "lines": [ { "id": "mid", "a": [80, 10], "b": [80, 110], "insidePoint": [120, 60] } ],
          "zones": [ { "id": "all", "polygon": [[0, 0], [160, 0], [160, 120], [0, 120]], "crowdMin": 2, "crowdSeconds": 1 } ]
        }
        """;

    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));
    private readonly string _outDir;

    public AnalyzeCommandTests()
    {
        _outDir = Directory.CreateDirectory(_dir.File("out")).FullName;
        FfmpegCli.MakeTestClip(_dir.File("clip.mp4"), frames: ClipFrames);
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _dir.Dispose();
    }

    private CancellationToken Timeout => _timeout.Token;

    private string WriteSpec(string json, string name = "gate.json")
    {
        var path = _dir.File(name);
        File.WriteAllText(path, json);
        return path;
    }

    private string OutPath => Path.Combine(_outDir, "events.jsonl");

    [Fact]
    public async Task Writes_one_parsable_event_per_line_and_occupancy_for_every_frame()
    {
        var spec = WriteSpec(GoodSpec);

        var code = await AnalyzeCommand.RunAsync(["--gate", spec, "--out", OutPath, "--quiet", "--occupancy"], Timeout);

        Assert.Equal(0, code);
        Assert.Equal([OutPath], Directory.GetFiles(_outDir)); // and no *.partial* left behind
        var lines = File.ReadAllLines(OutPath);
        var occupancy = new List<(string Zone, long Frame)>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var type = doc.RootElement.GetProperty("type").GetString();
            Assert.Contains(type, EventTypes);
            if (type == "occupancy")
            {
                occupancy.Add((doc.RootElement.GetProperty("zone").GetString()!, doc.RootElement.GetProperty("frame").GetInt64()));
                Assert.True(doc.RootElement.GetProperty("count").GetInt32() >= 0);
            }
        }

        Assert.Equal(ClipFrames, occupancy.Count);
        Assert.All(occupancy, o => Assert.Equal("all", o.Zone));
        Assert.Equal(Enumerable.Range(0, ClipFrames).Select(i => (long)i), occupancy.Select(o => o.Frame));
        // The scorer reads the same file back.
        Assert.Equal(ClipFrames, Scorer.ReadEvents(OutPath).Occupancy["all"].Count);
    }

    [Fact]
    public async Task Without_occupancy_flag_writes_no_occupancy_lines()
    {
        var spec = WriteSpec(GoodSpec);
        Assert.Equal(0, await AnalyzeCommand.RunAsync(["--gate", spec, "--out", OutPath, "--quiet", "--every-frame"], Timeout));
        Assert.Empty(Scorer.ReadEvents(OutPath).Occupancy);
    }

    [Fact]
    public async Task Zero_length_line_fails_before_writing_anything()
    {
        var spec = WriteSpec(GoodSpec.Replace("\"b\": [80, 110]", "\"b\": [80, 10]", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<GateSpecException>(() =>
            AnalyzeCommand.RunAsync(["--gate", spec, "--out", OutPath, "--quiet", "--occupancy"], Timeout));

        Assert.Equal("$.lines[0]", e.JsonPath);
        Assert.Contains(spec, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_outDir));
    }

    [Fact]
    public async Task Missing_video_fails_without_output()
    {
        var spec = WriteSpec(GoodSpec);
        var video = _dir.File("nowhere.mp4");

        var e = await Assert.ThrowsAsync<VideoSourceException>(() =>
            AnalyzeCommand.RunAsync(["--gate", spec, "--video", video, "--out", OutPath, "--quiet"], Timeout));

        Assert.Contains(video, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_outDir));
    }

    [Fact]
    public async Task Video_that_fails_mid_run_leaves_the_previous_output_untouched()
    {
        // Probes fine (its index is intact) but its pictures are scrambled, so decoding fails after the output was opened.
        var bytes = File.ReadAllBytes(_dir.File("clip.mp4"));
        var mdat = bytes.AsSpan().IndexOf("mdat"u8);
        for (var i = mdat + 200; i < Math.Min(bytes.Length, mdat + 20_000); i++)
        {
            bytes[i] = (byte)((bytes[i] * 7) + 13);
        }

        var broken = _dir.File("broken.mp4");
        File.WriteAllBytes(broken, bytes);
        var spec = WriteSpec(GoodSpec);
        File.WriteAllText(OutPath, "previous run\n");

        await Assert.ThrowsAsync<VideoSourceException>(() =>
            AnalyzeCommand.RunAsync(["--gate", spec, "--video", broken, "--out", OutPath, "--quiet", "--occupancy"], Timeout));

        Assert.Equal("previous run\n", File.ReadAllText(OutPath));
        Assert.Equal([OutPath], Directory.GetFiles(_outDir));
    }

    [Fact]
    public async Task Output_folder_that_does_not_exist_is_a_usage_error()
    {
        var spec = WriteSpec(GoodSpec);
        var e = await Assert.ThrowsAsync<UsageException>(() =>
            AnalyzeCommand.RunAsync(["--gate", spec, "--out", _dir.File("no/such/dir/e.jsonl"), "--quiet"], Timeout));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_lines_leave_the_events_as_they_are()
    {
        // The test host's output is not a terminal: --progress writes plain lines (and the closing summary) to it.
        var spec = WriteSpec(GoodSpec);
        var quiet = _dir.File("quiet.jsonl");
        Assert.Equal(0, await AnalyzeCommand.RunAsync(["--gate", spec, "--out", quiet, "--quiet", "--occupancy"], Timeout));

        Assert.Equal(0, await AnalyzeCommand.RunAsync(["--gate", spec, "--out", OutPath, "--progress", "--occupancy"], Timeout));

        Assert.Equal(File.ReadAllLines(quiet), File.ReadAllLines(OutPath));
    }

    [Theory]
    [InlineData("--gate", "g.json", "--out", "o.jsonl", "--colour")]
    [InlineData("--gate", "g.json", "--out", "o.jsonl", "--quiet", "--progress")]
    [InlineData("--gate", "g.json", "--out", "o.jsonl", "--progress", "yes")]
    [InlineData("--gate", "g.json", "--out")]
    [InlineData("--out", "o.jsonl")]
    [InlineData("--gate", "g.json", "--out", "o.jsonl", "--threads", "zero")]
    public async Task Bad_command_lines_are_usage_errors(params string[] args)
    {
        await Assert.ThrowsAsync<UsageException>(() => AnalyzeCommand.RunAsync(args, Timeout));
    }
}
