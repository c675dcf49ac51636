using GateWatch.Agent.Detect;
using GateWatch.Agent.Gate;
using GateWatch.Agent.Track;
using static GateWatch.Agent.Tests.Support.Synthetic;

namespace GateWatch.Agent.Tests.Gate;

/// <summary>
/// Crossings counted from real tracks: synthetic detections go through the ByteTracker, and every
/// confirmed track matched on a frame is shown to the counter, as the gate analyser does.
/// </summary>
public sealed class LineCounterTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Vertical line x = 200 from y 100 to 400; the inside is to the right.</summary>
    private static readonly GateLine Door = new("door", new Point2(200, 100), new Point2(200, 400), new Point2(300, 250));

    private static DateTimeOffset TimeOf(long frame) => Epoch + TimeSpan.FromMilliseconds(100 * frame);

    private static List<Crossing> Run(GateLine line, IEnumerable<Detection[]> frames)
    {
        var tracker = new ByteTracker(new TrackerOptions(), fps: 10);
        var counter = new LineCounter(line);
        var crossings = new List<Crossing>();
        long f = 0;
        foreach (var detections in frames)
        {
            tracker.Update(detections, f);
            foreach (var t in tracker.Tracks.Where(t => t.IsConfirmed && t.LastSeenFrame == f))
            {
                if (counter.Observe(t, f, TimeOf(f)) is { } c)
                {
                    crossings.Add(c);
                }
            }

            counter.Forget(tracker.Tracks.Select(t => t.Id).ToHashSet());
            f++;
        }

        return crossings;
    }

    /// <summary>One person whose foot is at each x in turn, at a fixed y.</summary>
    private static IEnumerable<Detection[]> Walk(IEnumerable<double> xs, double y = 300) => xs.Select(x => new[] { Person(x, y) });

    private static IEnumerable<double> Steps(double from, double to, double step)
    {
        var n = (int)Math.Round(Math.Abs(to - from) / step);
        var sign = Math.Sign(to - from);
        return Enumerable.Range(0, n + 1).Select(i => from + (sign * step * i));
    }

    [Fact]
    public void Walking_towards_the_inside_counts_one_in_at_the_step_that_crossed()
    {
        // Foot x: 105, 115, ..., 195 (frame 9), 205 (frame 10), ..., 305.
        var crossings = Run(Door, Walk(Steps(105, 305, 10)));

        var c = Assert.Single(crossings);
        Assert.Equal(Direction.In, c.Direction);
        Assert.Equal("door", c.Line);
        Assert.Equal(ObjectClass.Person, c.Class);
        Assert.Equal(10, c.Frame); // the step from 195 (frame 9) to 205 (frame 10)
        Assert.Equal(TimeOf(c.Frame), c.Time);
    }

    [Fact]
    public void Walking_away_from_the_inside_counts_one_out()
    {
        var c = Assert.Single(Run(Door, Walk(Steps(305, 105, 10))));
        Assert.Equal(Direction.Out, c.Direction);
        Assert.Equal(11, c.Frame); // the step from 205 (frame 10) to 195 (frame 11)
        Assert.Equal(TimeOf(11), c.Time);
    }

    [Fact]
    public void Direction_follows_the_inside_point_not_the_line_orientation()
    {
        var reversed = Door with { A = Door.B, B = Door.A };
        Assert.Equal(Direction.In, Assert.Single(Run(reversed, Walk(Steps(105, 305, 10)))).Direction);

        var insideLeft = Door with { InsidePoint = new Point2(50, 250) };
        Assert.Equal(Direction.Out, Assert.Single(Run(insideLeft, Walk(Steps(105, 305, 10)))).Direction);
    }

    [Fact]
    public void Lingering_on_the_line_and_leaving_the_way_it_came_counts_nothing()
    {
        var xs = Steps(100, 180, 8)                                    // approach, slowing down
            .Concat(Steps(184, 196, 4))
            .Concat(Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 197.0 : 203.0)) // jitter +-3 px on the line
            .Concat(Steps(196, 100, 8));                               // back out the way it came
        Assert.Empty(Run(Door, Walk(xs)));
    }

    [Fact]
    public void Lingering_on_the_line_then_going_through_counts_once()
    {
        var xs = Steps(100, 180, 8)
            .Concat(Steps(184, 196, 4))
            .Concat(Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 197.0 : 203.0))
            .Concat(Steps(204, 320, 8));
        var c = Assert.Single(Run(Door, Walk(xs)));
        Assert.Equal(Direction.In, c.Direction);
    }

    [Fact]
    public void U_turn_after_a_full_crossing_counts_in_then_out()
    {
        var xs = Steps(100, 280, 10).Concat(Steps(270, 100, 10));
        var crossings = Run(Door, Walk(xs));
        Assert.Equal([Direction.In, Direction.Out], crossings.Select(c => c.Direction));
        Assert.True(crossings[1].Frame > crossings[0].Frame);
        Assert.Equal(crossings[0].TrackId, crossings[1].TrackId);
    }

    [Fact]
    public void A_one_frame_jump_across_the_line_and_back_counts_nothing()
    {
        // One frame of a box on someone else beyond the door (an identity wobble, a glitch), then back
        // on its own person, who never crossed: one step at a time this was an in and an out.
        var xs = Steps(100, 180, 8).Concat([250.0]).Concat(Steps(180, 100, 8));
        Assert.Empty(Run(Door, Walk(xs)));
    }

    [Fact]
    public void U_turn_short_of_crossing_counts_nothing()
    {
        // Steps onto the line (within its band) and turns back.
        var xs = Steps(100, 204, 8).Concat(Steps(200, 100, 8));
        Assert.Empty(Run(Door, Walk(xs)));
    }

    [Fact]
    public void Passing_beyond_the_end_of_the_segment_counts_nothing()
    {
        // The door spans y 100..400; this person walks past below it, at y 460.
        Assert.Empty(Run(Door, Walk(Steps(105, 305, 10), y: 460)));
        // The same walk at y 380 goes through it.
        Assert.Single(Run(Door, Walk(Steps(105, 305, 10), y: 380)));
    }

    [Fact]
    public void Two_people_crossing_in_opposite_directions_count_one_each()
    {
        var frames = Enumerable.Range(0, 25).Select(k => new[] { Person(80 + (10 * k), 300), Person(330 - (10 * k), 200, height: 90) });
        var crossings = Run(Door, frames);
        Assert.Equal(2, crossings.Count);
        Assert.Single(crossings, c => c.Direction == Direction.In);
        Assert.Single(crossings, c => c.Direction == Direction.Out);
        Assert.NotEqual(crossings[0].TrackId, crossings[1].TrackId);
    }

    [Fact]
    public void A_car_crossing_is_reported_as_a_car()
    {
        var frames = Steps(60, 360, 15).Select(x => new[] { Car(x, 350) });
        var c = Assert.Single(Run(Door, frames));
        Assert.Equal(ObjectClass.Car, c.Class);
        Assert.Equal(Direction.In, c.Direction);
    }

    [Fact]
    public void Crossing_while_still_tentative_is_counted_once_confirmed()
    {
        // Born just left of the line, across it before its third sighting confirms it.
        var c = Assert.Single(Run(Door, Walk([170, 190, 215, 235, 255, 275])));
        Assert.Equal(Direction.In, c.Direction);
    }
}
