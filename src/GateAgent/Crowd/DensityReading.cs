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
    /// Measured (bench/RESULTS.md "Crowd counting", bench/crowd/cv.sh) on Beijing BRT train, each frame estimated by a
    /// head that never saw its camera and day, against the detector's boxes, and on PETS 2009 S2.L1 (every 10th frame,
    /// the whole picture) against the tracked count. Below 12 people the two disagree: seen from the side and apart
    /// (PETS) the tracks are within 0.2-0.6 and the estimate 1.1-3.2 off, reading up to 11.6 for 7 people; seen from
    /// above and packed (BRT) the boxes miss 2-5 of 5-12 people. From 15 on the boxes miss half or more (BRT 15-20:
    /// MAE 9.9 against the estimate's 2.4), and no sparse scene read that high.
    /// </summary>
    public const double DefaultUp = 15;

    /// <summary>Back to tracks below 12: the estimate's error at 12-20 people is 2.4-2.6, so one reading's noise does not switch it back, and 12 is above every reading of a sparse scene.</summary>
    public const double DefaultDown = 12;

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
