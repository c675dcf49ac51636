using System.Globalization;
using GateWatch.Agent.Record;
using GateWatch.Agent.Retention;
using GateWatch.Agent.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GateWatch.Agent.Tests.Retention;

/// <summary>
/// Sweeps over a real SQLite index and real files of known sizes. The disk is simulated: its free space is a
/// fixed capacity minus the bytes actually on disk under the recordings folder, so only a real deletion frees room.
/// </summary>
public sealed class RetentionSweeperTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T0 + TimeSpan.FromDays(10);
    private static readonly Dictionary<string, RetentionPolicy> NoPolicies = [];

    private readonly TempDir _dir = new();
    private readonly string _root;
    private readonly SegmentIndex _index;
    private readonly FakeTimeProvider _time = new(Now);
    private readonly CapturingLogger _log = new();
    private long _capacity = 1L << 40;

    public RetentionSweeperTests()
    {
        _root = Path.Combine(_dir.Path, "recordings");
        Directory.CreateDirectory(_root);
        _index = new SegmentIndex(_dir.File("index.db"));
    }

    public void Dispose()
    {
        _index.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Age_deletes_segments_that_ended_before_the_cutoff_oldest_first()
    {
        var old1 = Add("cam", T0, bytes: 100);
        var old2 = Add("cam", Now - TimeSpan.FromDays(2), bytes: 200);
        var atCutoff = Add("cam", Now - TimeSpan.FromDays(1) - TimeSpan.FromMinutes(1), bytes: 300); // ends exactly at the cutoff
        var young = Add("cam", Now - TimeSpan.FromHours(1), bytes: 400);
        var newest = Add("cam", Now - TimeSpan.FromMinutes(1), bytes: 500);

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.Equal([old1.Path, old2.Path], result.Deleted.Select(d => d.Path));
        Assert.All(result.Deleted, d => Assert.Equal("age", d.Reason));
        Assert.Equal([100L, 200L], result.Deleted.Select(d => d.Bytes));
        AssertRemaining(atCutoff, young, newest);
        Assert.Empty(result.Problems);
        Assert.False(result.LowDisk);
    }

    [Fact]
    public void Quota_deletes_the_oldest_until_the_camera_fits()
    {
        var s = Enumerable.Range(0, 5).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        var other = Add("other", T0.AddMinutes(-10), bytes: 1000); // older, but another camera's quota is its own

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(null, 250))));

        Assert.Equal([s[0].Path, s[1].Path, s[2].Path], result.Deleted.Select(d => d.Path));
        Assert.All(result.Deleted, d => Assert.Equal("quota", d.Reason));
        AssertRemaining(s[3], s[4], other);
        Assert.Equal(200, _index.TotalBytes("cam"));
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Protected_span_survives_age()
    {
        var s = Enumerable.Range(0, 4).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        // Pre-roll from 00:01:10, post-roll to 00:02:00: overlaps s[1] and touches the start of s[2], which counts.
        _index.Protect("cam", T0.AddSeconds(70), T0.AddMinutes(2), "crowd");
        _index.Protect("other", T0, T0.AddMinutes(10), "crowd"); // another camera's alert protects nothing here

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.Equal([s[0].Path], result.Deleted.Select(d => d.Path));
        AssertRemaining(s[1], s[2], s[3]);
    }

    [Fact]
    public void Protected_span_survives_quota_and_the_shortfall_is_reported()
    {
        var s = Enumerable.Range(0, 4).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        _index.Protect("cam", T0.AddSeconds(10), T0.AddSeconds(20), "crowd");

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(null, 150))));

        Assert.Equal([s[1].Path, s[2].Path], result.Deleted.Select(d => d.Path));
        AssertRemaining(s[0], s[3]);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("over its quota", problem, StringComparison.Ordinal);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("over its quota", StringComparison.Ordinal));
    }

    [Fact]
    public void Low_disk_deletes_across_cameras_oldest_first_and_stops_once_above_the_threshold()
    {
        // a and b interleave in time; each keeps its newest segment whatever happens.
        var a = Enumerable.Range(0, 4).Select(i => Add("a", T0.AddMinutes(2 * i), bytes: 100)).ToArray();     // 0, 2, 4, 6 min
        var b = Enumerable.Range(0, 4).Select(i => Add("b", T0.AddMinutes(2 * i + 1), bytes: 100)).ToArray(); // 1, 3, 5, 7 min
        _capacity = 850; // 800 used, 50 free
        var freeReads = 0;

        var result = Sweeper(threshold: 300, free: () => { freeReads++; return Free(); }).Sweep(NoPolicies);

        // 50 -> 150 -> 250 -> 350: three deletions, oldest first whichever camera they belong to.
        Assert.True(result.LowDisk);
        Assert.Equal([a[0].Path, b[0].Path, a[1].Path], result.Deleted.Select(d => d.Path));
        Assert.All(result.Deleted, d => Assert.Equal("low-disk", d.Reason));
        AssertRemaining(b[1], a[2], b[2], a[3], b[3]);
        Assert.Equal(350, result.FreeBytes);
        Assert.Equal(4, freeReads); // once to enter the mode, then after each deletion
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Low_disk_is_not_entered_while_free_space_is_above_the_threshold()
    {
        var s = Enumerable.Range(0, 3).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        _capacity = 600;

        var result = Sweeper(threshold: 300).Sweep(NoPolicies);

        Assert.False(result.LowDisk);
        Assert.Empty(result.Deleted);
        Assert.Equal(300, result.FreeBytes);
        AssertRemaining(s);
    }

    [Fact]
    public void Age_and_quota_run_before_low_disk_is_judged()
    {
        var s = Enumerable.Range(0, 3).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        var recent = Add("cam", Now.AddMinutes(-5), bytes: 100);
        _capacity = 500; // 100 free; age frees 300

        var result = Sweeper(threshold: 300).Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.False(result.LowDisk);
        Assert.Equal(s.Select(x => x.Path), result.Deleted.Select(d => d.Path));
        AssertRemaining(recent);
    }

    [Fact]
    public void Low_disk_with_only_protected_footage_left_deletes_none_of_it_and_says_so()
    {
        var s = Enumerable.Range(0, 4).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        _index.Protect("cam", T0, T0.AddMinutes(1), "crowd"); // s[0] and s[1] (touching end)
        _capacity = 410; // 10 free

        var result = Sweeper(threshold: 1000).Sweep(NoPolicies);

        Assert.True(result.LowDisk);
        Assert.Equal([s[2].Path], result.Deleted.Select(d => d.Path));
        AssertRemaining(s[0], s[1], s[3]);
        Assert.Equal(110, result.FreeBytes);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("disk nearly full", problem, StringComparison.Ordinal);
        Assert.Contains("only protected footage remains", problem, StringComparison.Ordinal);
        var error = Assert.Single(_log.Lines, l => l.Level == LogLevel.Error);
        Assert.Contains("only protected footage remains", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Disk nearly full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_newest_segment_of_each_camera_is_kept_in_every_mode()
    {
        var a = Add("a", T0, bytes: 100);
        var b = Add("b", T0.AddMinutes(1), bytes: 100);
        var c0 = Add("c", T0.AddMinutes(2), bytes: 100);
        var c1 = Add("c", T0.AddMinutes(3), bytes: 100);
        _capacity = 400; // nothing free

        var every = new RetentionPolicy(TimeSpan.FromHours(1), 0);
        var result = Sweeper(threshold: 1_000_000).Sweep(Policies(("a", every), ("b", every), ("c", every)));

        Assert.Equal([c0.Path], result.Deleted.Select(d => d.Path));
        AssertRemaining(a, b, c1);
        Assert.True(result.LowDisk);
        Assert.Equal(3, result.Problems.Count(p => p.Contains("over its quota", StringComparison.Ordinal)));
        Assert.Single(result.Problems, p => p.Contains("disk nearly full", StringComparison.Ordinal));
    }

    [Fact]
    public void A_path_outside_the_recordings_folder_is_never_deleted()
    {
        var sibling = Path.Combine(_dir.Path, "recordings-evil", "cam", "20260301T000000Z-000000.mp4"); // shares the root's prefix
        var dotdot = Path.Combine(_root, "cam", "..", "..", "outside.mp4");
        var elsewhere = _dir.File("index-copy.mp4");
        var rootItself = _root;
        var legit = Add("cam", T0.AddMinutes(3), bytes: 100);
        var newest = Add("cam", T0.AddMinutes(4), bytes: 100);
        var outside = new[] { sibling, dotdot, elsewhere }
            .Select((p, i) => AddAt("cam", T0.AddMinutes(i), p, bytes: 10)).ToList();
        _index.Upsert(new Segment("cam", T0.AddMinutes(2.5), T0.AddMinutes(2.6), rootItself, 0, Complete: true));

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.Equal([legit.Path], result.Deleted.Select(d => d.Path));
        Assert.False(File.Exists(legit.Path));
        Assert.All(outside, s =>
        {
            Assert.True(File.Exists(s.Path), s.Path);
            Assert.True(_index.Contains(s.Path), s.Path);
        });
        Assert.True(Directory.Exists(_root));
        Assert.True(_index.Contains(rootItself));
        Assert.True(File.Exists(newest.Path));
        Assert.Equal(4, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.Contains("not inside the recordings folder", p, StringComparison.Ordinal));
        Assert.Equal(4, _log.Lines.Count(l => l.Level == LogLevel.Error && l.Message.StartsWith("Refused to delete", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_row_whose_file_is_already_gone_is_removed_and_logged_with_its_reason()
    {
        var gone = Add("cam", T0, bytes: 100);
        File.Delete(gone.Path);
        var newest = Add("cam", Now.AddMinutes(-1), bytes: 100);

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.False(_index.Contains(gone.Path));
        Assert.Empty(result.Deleted); // no file was deleted
        Assert.Empty(result.Problems);
        AssertRemaining(newest);
        var line = Assert.Single(_log.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("age", line.Values["Reason"]);
        Assert.Equal(Path.GetFileName(gone.Path), line.Values["File"]);
    }

    [Fact]
    public void A_delete_that_fails_keeps_the_row_and_is_a_problem()
    {
        // Tests run as root, where permissions do not stop a delete; a folder in the file's place does.
        var blocked = Add("cam", T0, bytes: 100);
        File.Delete(blocked.Path);
        Directory.CreateDirectory(blocked.Path);
        File.WriteAllBytes(Path.Combine(blocked.Path, "inner"), new byte[5]);
        var next = Add("cam", T0.AddMinutes(1), bytes: 100);
        var newest = Add("cam", T0.AddMinutes(2), bytes: 100);

        var result = Sweeper().Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.FromDays(1), null))));

        Assert.Equal([next.Path], result.Deleted.Select(d => d.Path));
        Assert.True(_index.Contains(blocked.Path));
        Assert.True(File.Exists(Path.Combine(blocked.Path, "inner")));
        Assert.True(File.Exists(newest.Path));
        var problem = Assert.Single(result.Problems);
        Assert.Contains("could not delete segment", problem, StringComparison.Ordinal);
        Assert.Single(_log.Lines, l => l.Level == LogLevel.Error && l.Exception is IOException);
    }

    [Fact]
    public void Every_deletion_is_logged_at_information_with_camera_file_bytes_span_and_reason()
    {
        var a = Enumerable.Range(0, 3).Select(i => Add("a", T0.AddMinutes(i), bytes: 100 + i)).ToArray();
        var b = Enumerable.Range(0, 4).Select(i => Add("b", Now.AddMinutes(-10 + i), bytes: 200 + i)).ToArray();
        var c = Enumerable.Range(0, 3).Select(i => Add("c", Now.AddMinutes(-30 + i), bytes: 1000)).ToArray();
        _capacity = a.Concat(b).Concat(c).Sum(s => s.Bytes) + 100;

        var result = Sweeper(threshold: 1050).Sweep(Policies(
            ("a", new RetentionPolicy(TimeSpan.FromDays(1), null)),
            ("b", new RetentionPolicy(null, 410))));

        Assert.Equal(["age", "age", "quota", "quota", "low-disk"], result.Deleted.Select(d => d.Reason));
        Assert.Equal([a[0].Path, a[1].Path, b[0].Path, b[1].Path, c[0].Path], result.Deleted.Select(d => d.Path));
        var infos = _log.Lines.Where(l => l.Level == LogLevel.Information).ToList();
        Assert.Equal(result.Deleted.Count, infos.Count);
        foreach (var (d, line) in result.Deleted.Zip(infos))
        {
            Assert.Equal(d.Camera, line.Values["Camera"]);
            Assert.Equal(Path.GetFileName(d.Path), line.Values["File"]);
            Assert.Equal(d.Bytes, line.Values["Bytes"]);
            Assert.Equal(d.Start, line.Values["Start"]);
            Assert.Equal(d.End, line.Values["End"]);
            Assert.Equal(d.Reason, line.Values["Reason"]);
            Assert.Contains(Path.GetFileName(d.Path), line.Message, StringComparison.Ordinal);
            Assert.Contains("reason " + d.Reason, line.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(_root, line.Message, StringComparison.Ordinal); // the file name, not where it lives
        }
    }

    [Fact]
    public void A_bad_policy_is_refused_before_anything_is_deleted()
    {
        var s = Enumerable.Range(0, 3).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();
        var sweeper = Sweeper();

        Assert.Throws<ArgumentException>(() => sweeper.Sweep(Policies(("cam", new RetentionPolicy(TimeSpan.Zero, null)))));
        Assert.Throws<ArgumentException>(() => sweeper.Sweep(Policies(("cam", new RetentionPolicy(null, -1)))));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sweeper(threshold: -1));
        AssertRemaining(s);
    }

    [Fact]
    public void Free_space_that_cannot_be_read_is_a_problem_not_a_crash()
    {
        var s = Enumerable.Range(0, 2).Select(i => Add("cam", T0.AddMinutes(i), bytes: 100)).ToArray();

        var result = Sweeper(threshold: 1000, free: () => throw new DriveNotFoundException("no such mount")).Sweep(NoPolicies);

        Assert.False(result.LowDisk);
        Assert.Equal(-1, result.FreeBytes);
        Assert.Contains("no such mount", Assert.Single(result.Problems), StringComparison.Ordinal);
        AssertRemaining(s);
    }

    [Fact]
    public void DiskSpace_reads_the_mount_of_a_path_even_one_not_created_yet()
    {
        var existing = DiskSpace.FreeBytes(_root);
        var notYet = DiskSpace.FreeBytes(Path.Combine(_root, "cam", "later"));

        Assert.True(existing > 0, $"{existing} bytes free");
        Assert.InRange(notYet, existing - (64L << 20), existing + (64L << 20)); // same disk, other writers aside
    }

    private RetentionSweeper Sweeper(long threshold = 0, Func<long>? free = null) =>
        new(_index, _root, threshold, free ?? Free, _time, _log);

    private long Free() => _capacity - Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static Dictionary<string, RetentionPolicy> Policies(params (string Camera, RetentionPolicy Policy)[] policies) =>
        policies.ToDictionary(p => p.Camera, p => p.Policy);

    /// <summary>A one-minute segment under the recordings folder, named the way the recorder names them.</summary>
    private Segment Add(string camera, DateTimeOffset start, int bytes) =>
        AddAt(camera, start, Path.Combine(_root, camera, start.ToString(SegmentRecorder.RunFormat, CultureInfo.InvariantCulture) + "-000000.mp4"), bytes);

    private Segment AddAt(string camera, DateTimeOffset start, string path, int bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
        var segment = new Segment(camera, start, start.AddMinutes(1), path, bytes, Complete: true);
        _index.Upsert(segment);
        return segment;
    }

    /// <summary>Exactly these segments are left, on disk and in the index.</summary>
    private void AssertRemaining(params Segment[] expected)
    {
        var onDisk = Directory.EnumerateFiles(_root, "*.mp4", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Select(s => s.Path).Order(StringComparer.Ordinal), onDisk);
        var indexed = _index.Cameras().SelectMany(c => _index.List(c, DateTimeOffset.MinValue, DateTimeOffset.MaxValue))
            .Select(s => s.Path).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Select(s => s.Path).Order(StringComparer.Ordinal), indexed);
    }
}
