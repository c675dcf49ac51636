using GateWatch.Agent.Crowd;
using GateWatch.Agent.Detect;
using GateWatch.Agent.Events;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Track;
using static GateWatch.Agent.Tests.Support.Synthetic;

namespace GateWatch.Agent.Tests.Gate;

/// <summary>Tracker and gate rules together, on synthetic detections, as the pipeline runs them.</summary>
public sealed class GateAnalyzerTests
{
    private const double Fps = 10;

    /// <summary>A door at x = 200 (inside to the right) and a square zone right of it.</summary>
    private static readonly GateSpec Spec = new(
        Video: null,
        Fps: Fps,
        FrameSize: null,
        Lines: [new GateLine("door", new Point2(200, 100), new Point2(200, 400), new Point2(300, 250))],
        Zones: [new GateZone("hall", [new(250, 200), new(450, 200), new(450, 400), new(250, 400)], CrowdMin: 3, CrowdSeconds: 1)]);

    private readonly ByteTracker _tracker = new(new TrackerOptions(), Fps);
    private readonly GateAnalyzer _gate = new(Spec, Fps, new GateOptions());
    private readonly List<(long Frame, GateEvent Event)> _events = [];
    private long _frame;

    private int Step(params Detection[] detections)
    {
        var f = _frame++;
        _tracker.Update(detections, f);
        var events = new List<GateEvent>();
        var counts = new Dictionary<string, int>();
        _gate.Observe(_tracker.Tracks, f, DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(f / Fps), events, counts);
        _events.AddRange(events.Select(e => (f, e)));
        return counts["hall"];
    }

    [Fact]
    public void Person_walking_in_is_one_crossing_and_then_counted_in_the_zone()
    {
        var counts = Enumerable.Range(0, 25).Select(k => Step(Person(155 + (10 * k), 300))).ToList();

        var crossing = Assert.Single(_events.Select(e => e.Event).OfType<CrossingEvent>()).Crossing;
        Assert.Equal(Direction.In, crossing.Direction);
        Assert.Equal(5, crossing.Frame); // foot 195 (frame 4) to 205 (frame 5)
        Assert.Equal(0, counts[5]);
        Assert.Equal(1, counts[^1]);   // foot at 395, inside the hall
    }

    [Fact]
    public void Only_confirmed_people_count_in_a_zone()
    {
        Assert.Equal(0, Step(Person(300, 300), Person(380, 300), Car(400, 390), Person(600, 300)));
        Assert.Equal(0, Step(Person(300, 300), Person(380, 300), Car(400, 390), Person(600, 300)));
        // Third sighting confirms them: two people inside, the car and the person outside do not count.
        Assert.Equal(2, Step(Person(300, 300), Person(380, 300), Car(400, 390), Person(600, 300)));
    }

    [Fact]
    public void A_motionless_weakly_detected_person_is_clutter_but_a_weak_one_who_walked_in_counts()
    {
        // A cone at (300, 300) scored 0.42, and someone scored as weakly who walks in from x = 260 to 400.
        var last = 0;
        for (var k = 0; k < 20; k++)
        {
            last = Step(Person(300, 300, score: 0.42f), Person(260 + (7 * k), 380, score: 0.42f));
        }

        Assert.Equal(1, last);
    }

    [Fact]
    public void A_motionless_person_detected_with_confidence_counts()
    {
        var last = 0;
        for (var k = 0; k < 20; k++)
        {
            last = Step(Person(300, 300, score: 0.8f));
        }

        Assert.Equal(1, last);
    }

    [Fact]
    public void Person_no_longer_detected_counts_for_the_hold_time_only()
    {
        var holdFrames = (int)Math.Round(new GateOptions().OccupancyHoldSeconds * Fps);
        for (var k = 0; k < 5; k++)
        {
            Assert.Equal(k < 2 ? 0 : 1, Step(Person(350, 300)));
        }

        for (var k = 1; k <= holdFrames; k++)
        {
            Assert.Equal(1, Step());
        }

        Assert.Equal(0, Step());
        Assert.NotEmpty(_tracker.Tracks); // the tracker still holds them; the zone has stopped counting them
    }

    [Fact]
    public void Crowd_in_the_zone_is_raised_and_closed_at_the_end_of_the_stream()
    {
        for (var k = 0; k < 30; k++)
        {
            Step(Person(280, 300), Person(340, 330, height: 110), Person(410, 280, height: 90));
        }

        var raised = Assert.Single(_events, e => e.Event is CrowdEvent { Change: CrowdChange.Raised });
        var episode = ((CrowdEvent)raised.Event).Episode;
        Assert.Equal(2, episode.StartFrame);   // confirmed on the third frame
        Assert.Equal(12, episode.AlertFrame);  // crowdSeconds = 1 later
        Assert.Equal(12, raised.Frame);

        var closed = Assert.Single(_gate.Finish().OfType<CrowdEvent>());
        Assert.Equal(CrowdChange.Cleared, closed.Change);
        Assert.Equal(29, closed.Episode.EndFrame);
        Assert.Equal(3, closed.Episode.Peak);
    }
}
