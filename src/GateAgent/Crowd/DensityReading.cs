using GateWatch.Agent.Gate;

namespace GateWatch.Agent.Crowd;

/// <summary>
/// One density estimate of a camera's frame: the people in each gate zone, and a coarse grid of the whole picture
/// for the live view's heat overlay. <see cref="Time"/> is the capture time of the frame it was made from.
/// </summary>
internal sealed record DensityReading(long Frame, DateTimeOffset Time, IReadOnlyDictionary<string, double> Zones, DensityGrid Grid)
{
    /// <summary>The coarse grid's columns: 16 blocks across a gate picture is enough to see where a crowd stands, and small enough (at most 16x16 numbers) to send with every live metadata message.</summary>
    public const int GridColumns = 16;

    public static DensityReading Of(DensityMap map, GateSpec spec, long frame, DateTimeOffset time)
    {
        var zones = spec.Zones.ToDictionary(z => z.Id, z => map.Sum(z.Polygon), StringComparer.Ordinal);
        var rows = Math.Clamp((int)Math.Round(GridColumns * (double)map.Height / map.Width), 1, GridColumns);
        return new DensityReading(frame, time, zones, new DensityGrid(GridColumns, rows, map.Coarse(GridColumns, rows)));
    }
}

/// <summary>People per block of a picture cut into <see cref="Columns"/> x <see cref="Rows"/> equal blocks, row by row.</summary>
internal sealed record DensityGrid(int Columns, int Rows, float[] Cells);

/// <summary>
/// Chooses a zone's occupancy between the tracked people and the density estimate. Tracks are exact while people
/// stand apart (each one is a box, followed through the gate); once they stand close, boxes merge and hide each other
/// and the tracked count falls ever further below the truth while the estimate holds. The switch goes to the estimate
/// when it reaches <see cref="Up"/> and back to tracks when it falls below <see cref="Down"/>, so a crowd at the
/// threshold does not make the count jump between the two every reading.
/// </summary>
internal sealed class OccupancySwitch(double up, double down)
{
    /// <summary>
    /// Where the estimate's error falls below the detector's (measured on Beijing BRT, each frame estimated by a head
    /// trained without its camera and day, bench/RESULTS.md "Crowd counting"): under 10 people the boxes were as close
    /// or closer, from 10 on the estimate was closer in every band.
    /// </summary>
    public const double DefaultUp = 10;

    /// <summary>Back to tracks at 7: about the spread of the estimate around 10 people (its MAE there is 2-3), so one reading's noise does not switch it back.</summary>
    public const double DefaultDown = 7;

    public OccupancySwitch()
        : this(DefaultUp, DefaultDown)
    {
    }

    public double Up { get; } = up > down ? up : throw new ArgumentOutOfRangeException(nameof(up), "up must be above down");

    public double Down { get; } = down;

    /// <summary>Whether the zone is counted by the estimate now.</summary>
    public bool Dense { get; private set; }

    /// <summary>The occupancy from this frame's tracked count and the newest usable estimate (null: none, so tracks).</summary>
    public int Choose(int tracked, double? estimate)
    {
        if (estimate is not { } e)
        {
            Dense = false;
            return tracked;
        }

        Dense = Dense ? e >= Down : e >= Up;
        // In a crowd the estimate is the count, but the tracker may still see more people than it (a crowd thinning
        // out where the estimate lags by one reading): the larger of the two is the better guess of how many are there.
        return Dense ? Math.Max(tracked, (int)Math.Round(e)) : tracked;
    }
}
