using GateWatch.Agent.Detect;
using GateWatch.Agent.Tests.Support;
using GateWatch.Agent.Track;
using static GateWatch.Agent.Tests.Support.Synthetic;

namespace GateWatch.Agent.Tests.Track;

public sealed class ByteTrackerTests
{
    private const double Fps = 10;

    /// <summary>A detection score the tracker treats as weak, whatever the defaults are tuned to.</summary>
    private static readonly float LowScore = new TrackerOptions().HighScore / 2;

    private readonly ByteTracker _tracker = new(new TrackerOptions(), Fps);
    private long _frame;

    /// <summary>Feeds one frame and returns the tracks matched on it.</summary>
    private List<GateWatch.Agent.Track.Track> Step(params Detection[] detections)
    {
        var f = _frame++;
        _tracker.Update(detections, f);
        return _tracker.Tracks.Where(t => t.LastSeenFrame == f).ToList();
    }

    /// <summary>The confirmed track seen this frame nearest to the foot point.</summary>
    private static GateWatch.Agent.Track.Track Nearest(IEnumerable<GateWatch.Agent.Track.Track> tracks, double footX, double footY) =>
        tracks.Where(t => t.IsConfirmed).MinBy(t => Math.Abs(t.Foot.X - footX) + Math.Abs(t.Foot.Y - footY))
        ?? throw new InvalidOperationException("no confirmed track");

    [Fact]
    public void Track_is_confirmed_after_MinHits_frames()
    {
        var first = Assert.Single(Step(Person(100, 300)));
        Assert.Equal(TrackState.Tentative, first.State);
        Assert.Equal(TrackState.Tentative, Assert.Single(Step(Person(106, 300))).State);
        var third = Assert.Single(Step(Person(112, 300)));
        Assert.Equal(TrackState.Tracked, third.State);
        Assert.Same(first, third);
        Assert.Equal(0, third.FirstFrame);
        Assert.Equal(new Point2(100, 300), third.FirstFoot);
    }

    [Fact]
    public void Two_people_crossing_paths_keep_their_ids()
    {
        // A walks right, B walks left, 8 px a frame each; B is a little further away (smaller, higher up).
        int? idA = null, idB = null;
        for (var k = 0; k < 40; k++)
        {
            double ax = 100 + (8 * k), bx = 420 - (8 * k);
            var seen = Step(Person(ax, 300), Person(bx, 290, height: 92));
            if (k < 4)
            {
                continue;
            }

            var a = Nearest(seen, ax, 300);
            var b = Nearest(seen, bx, 290);
            idA ??= a.Id;
            idB ??= b.Id;
            Assert.True(idA == a.Id, $"frame {k}: A (x={ax}) is track {a.Id}, was {idA}");
            Assert.True(idB == b.Id, $"frame {k}: B (x={bx}) is track {b.Id}, was {idB}");
        }

        Assert.NotEqual(idA, idB);
        // They really did pass each other: A ends right of where B ends.
        Assert.True(_tracker.Tracks.Single(t => t.Id == idA).Foot.X > _tracker.Tracks.Single(t => t.Id == idB).Foot.X);
        Assert.Equal(2, _tracker.Tracks.Count);
    }

    [Fact]
    public void Person_hidden_for_a_second_keeps_their_id()
    {
        int id = 0;
        var k = 0;
        for (; k < 15; k++)
        {
            id = Assert.Single(Step(Person(100 + (8 * k), 300))).Id;
        }

        // Eight frames behind a pillar: no detection at all.
        for (var gap = 0; gap < 8; gap++, k++)
        {
            Assert.Empty(Step());
            var coasting = Assert.Single(_tracker.Tracks);
            Assert.Equal(TrackState.Lost, coasting.State);
        }

        // Seen again further along the path it was walking.
        for (var end = k + 5; k < end; k++)
        {
            var again = Assert.Single(Step(Person(100 + (8 * k), 300)));
            Assert.Equal(id, again.Id);
            Assert.Equal(TrackState.Tracked, again.State);
        }

        Assert.Single(_tracker.Tracks);
    }

    [Fact]
    public void Single_frame_false_positive_never_becomes_confirmed()
    {
        var ids = new HashSet<int>();
        for (var k = 0; k < 20; k++)
        {
            var dets = new List<Detection> { Person(100 + (5 * k), 300) };
            if (k == 8)
            {
                dets.Add(Person(500, 200, score: 0.95f)); // a one-off ghost far from the walker
            }

            Step([.. dets]);
            Assert.All(_tracker.Tracks.Where(t => t.IsConfirmed), t => ids.Add(t.Id));
        }

        Assert.Single(ids);
        Assert.DoesNotContain(_tracker.Tracks, t => t.Foot.X > 450);
    }

    [Fact]
    public void Tentative_track_missed_once_is_dropped()
    {
        Step(Person(300, 300));
        Step(Person(305, 300));
        Step();
        Assert.Empty(_tracker.Tracks);
    }

    [Fact]
    public void Low_score_detections_continue_a_track()
    {
        var k = 0;
        int id = 0;
        for (; k < 6; k++)
        {
            id = Assert.Single(Step(Person(100 + (8 * k), 300, score: 0.9f))).Id;
        }

        // Partly occluded: the detector is unsure, but the box is where the track is going.
        for (; k < 16; k++)
        {
            var t = Assert.Single(Step(Person(100 + (8 * k), 300, score: LowScore)));
            Assert.Equal(id, t.Id);
            Assert.Equal(TrackState.Tracked, t.State);
        }

        Assert.Equal(100 + (8 * 15), Assert.Single(_tracker.Tracks).Foot.X, 0.5);
    }

    [Fact]
    public void Low_score_detections_do_not_start_a_track()
    {
        for (var k = 0; k < 15; k++)
        {
            Assert.Empty(Step(Person(100 + (4 * k), 300, score: LowScore)));
        }

        Assert.Empty(_tracker.Tracks);
    }

    [Fact]
    public void Scores_between_HighScore_and_NewTrackScore_do_not_start_a_track()
    {
        var tracker = new ByteTracker(new TrackerOptions { HighScore = 0.4f, NewTrackScore = 0.6f }, Fps);
        for (var f = 0; f < 10; f++)
        {
            tracker.Update([Person(100 + (4 * f), 300, score: 0.5f)], f);
        }

        Assert.Empty(tracker.Tracks);
    }

    [Fact]
    public void Lost_track_expires_after_MaxLostSeconds()
    {
        var maxLostFrames = (int)(new TrackerOptions().MaxLostSeconds * Fps);
        int id = 0;
        for (var k = 0; k < 6; k++)
        {
            id = Assert.Single(Step(Person(100 + (2 * k), 300))).Id;
        }

        var lastSeen = _frame - 1;
        while (_frame - lastSeen <= maxLostFrames)
        {
            Step();
            var t = Assert.Single(_tracker.Tracks);
            Assert.Equal(TrackState.Lost, t.State);
        }

        Step(); // one frame more than MaxLostSeconds
        Assert.Empty(_tracker.Tracks);

        // The same person coming back now is somebody new.
        for (var k = 0; k < 3; k++)
        {
            Step(Person(112, 300));
        }

        var back = Assert.Single(_tracker.Tracks);
        Assert.True(back.IsConfirmed);
        Assert.NotEqual(id, back.Id);
    }

    [Fact]
    public void Shorter_MaxLostSeconds_expires_sooner()
    {
        var tracker = new ByteTracker(new TrackerOptions { MaxLostSeconds = 0.5 }, Fps);
        for (var f = 0; f < 4; f++)
        {
            tracker.Update([Person(100, 300)], f);
        }

        for (var f = 4; f <= 8; f++)
        {
            tracker.Update([], f); // frames 4..8: lost for up to 5 frames = 0.5 s
        }

        Assert.Single(tracker.Tracks);
        tracker.Update([], 9);
        Assert.Empty(tracker.Tracks);
    }

    [Fact]
    public void A_person_and_a_car_in_the_same_place_are_separate_tracks()
    {
        for (var k = 0; k < 5; k++)
        {
            Step(Person(300, 300), Car(300, 300));
        }

        Assert.Equal(2, _tracker.Tracks.Count);
        Assert.Equal([ObjectClass.Person, ObjectClass.Car], _tracker.Tracks.Select(t => t.Class).Order());
    }
}
