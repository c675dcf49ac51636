namespace GateWatch.Agent.Crowd;

/// <summary>
/// A crowd's density: the estimated number of people in each cell of <see cref="Cell"/> x <see cref="Cell"/>
/// picture pixels (a head whose centre is in the cell counts there), so any region's count is a sum of cells.
/// </summary>
internal sealed class DensityMap
{
    private readonly float[] _cells;

    public DensityMap(float[] cells, int columns, int rows, double cell, int width, int height)
    {
        if (cells.Length != columns * rows)
        {
            throw new ArgumentException($"{cells.Length} cells for a {columns}x{rows} map", nameof(cells));
        }

        _cells = cells;
        Columns = columns;
        Rows = rows;
        Cell = cell;
        Width = width;
        Height = height;
    }

    public int Columns { get; }

    public int Rows { get; }

    /// <summary>Picture pixels per cell side (the model's stride, over the scale the picture was shown at).</summary>
    public double Cell { get; }

    /// <summary>The picture's size: cells beyond it (the model's padding) are never counted.</summary>
    public int Width { get; }

    public int Height { get; }

    public float this[int column, int row] => _cells[(row * Columns) + column];

    /// <summary>The whole picture's estimate.</summary>
    public double Total()
    {
        var sum = 0.0;
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Columns; c++)
            {
                if (InPicture(c, r))
                {
                    sum += this[c, r];
                }
            }
        }

        return sum;
    }

    /// <summary>The estimate inside a polygon in picture pixels: the cells whose centre lies in it.</summary>
    public double Sum(IReadOnlyList<Point2> polygon)
    {
        var minX = polygon.Min(p => p.X);
        var maxX = polygon.Max(p => p.X);
        var minY = polygon.Min(p => p.Y);
        var maxY = polygon.Max(p => p.Y);
        var c0 = Math.Max(0, (int)Math.Floor(minX / Cell));
        var c1 = Math.Min(Columns - 1, (int)Math.Floor(maxX / Cell));
        var r0 = Math.Max(0, (int)Math.Floor(minY / Cell));
        var r1 = Math.Min(Rows - 1, (int)Math.Floor(maxY / Cell));
        var sum = 0.0;
        for (var r = r0; r <= r1; r++)
        {
            for (var c = c0; c <= c1; c++)
            {
                if (InPicture(c, r) && Gate.Geometry.PointInPolygon(polygon, new Point2((c + 0.5) * Cell, (r + 0.5) * Cell)))
                {
                    sum += this[c, r];
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// The map pooled into a coarse grid of <paramref name="columns"/> x <paramref name="rows"/> picture-sized
    /// blocks, each the number of people in it: small enough for the live metadata and a heat overlay.
    /// </summary>
    public float[] Coarse(int columns, int rows)
    {
        var grid = new float[columns * rows];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Columns; c++)
            {
                if (!InPicture(c, r))
                {
                    continue;
                }

                var gx = Math.Min(columns - 1, (int)((c + 0.5) * Cell * columns / Width));
                var gy = Math.Min(rows - 1, (int)((r + 0.5) * Cell * rows / Height));
                grid[(gy * columns) + gx] += this[c, r];
            }
        }

        return grid;
    }

    private bool InPicture(int column, int row) => (column + 0.5) * Cell < Width && (row + 0.5) * Cell < Height;
}
