using GateWatch.Agent.Crowd;

namespace GateWatch.Agent.Tests.Crowd;

public sealed class DensityMapTests
{
    /// <summary>A 4x3 map of 8-px cells over a 28x20 picture: the last column and row are the model's padding.</summary>
    private static DensityMap Map() => new(
        [
            1, 2, 3, 100,
            4, 5, 6, 100,
            100, 100, 100, 100,
        ],
        4, 3, 8, 28, 20);

    [Fact]
    public void Cells_in_the_padding_beyond_the_picture_are_never_counted()
    {
        Assert.Equal(21, Map().Total(), 6);
    }

    [Fact]
    public void A_zone_sums_the_cells_whose_centre_it_holds()
    {
        // Cell centres are at x 4, 12, 20 and y 4, 12: this box holds (12, 4), (20, 4), (12, 12), (20, 12).
        var zone = new List<Point2> { new(8, 0), new(28, 0), new(28, 16), new(8, 16) };
        Assert.Equal(2 + 3 + 5 + 6, Map().Sum(zone), 6);
    }

    [Fact]
    public void A_picture_shown_smaller_to_the_model_maps_back_to_its_own_pixels()
    {
        // Shown at half size: each 8-px cell of the model covers 16 picture pixels.
        var map = new DensityMap([1, 2, 3, 4], 2, 2, 16, 32, 32);
        var leftHalf = new List<Point2> { new(0, 0), new(16, 0), new(16, 32), new(0, 32) };
        Assert.Equal(1 + 3, map.Sum(leftHalf), 6);
    }

    [Fact]
    public void The_coarse_grid_keeps_every_person_of_the_picture()
    {
        var grid = Map().Coarse(2, 1);
        Assert.Equal(21, grid.Sum(), 5);
        Assert.Equal(1 + 2 + 4 + 5, grid[0], 5);
    }
}
