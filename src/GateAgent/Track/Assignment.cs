namespace GateWatch.Agent.Track;

/// <summary>Minimum-cost one-to-one assignment (Hungarian method with row/column potentials).</summary>
internal static class Assignment
{
    /// <summary>
    /// Matches rows to columns minimising total cost; pairs costing more than <paramref name="maxCost"/>
    /// are never matched. Returns (row, col) pairs.
    /// </summary>
    public static List<(int Row, int Col)> Solve(double[,] cost, double maxCost)
    {
        var rows = cost.GetLength(0);
        var cols = cost.GetLength(1);
        var result = new List<(int, int)>();
        if (rows == 0 || cols == 0)
        {
            return result;
        }

        // Square matrix: forbidden and padding cells cost more than any allowed pairing could add up to.
        var n = Math.Max(rows, cols);
        var forbidden = (maxCost + 1) * (n + 1);
        var a = new double[n + 1, n + 1];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[i + 1, j + 1] = i < rows && j < cols && cost[i, j] <= maxCost ? cost[i, j] : forbidden;
            }
        }

        var u = new double[n + 1];
        var v = new double[n + 1];
        var match = new int[n + 1]; // match[col] = row (1-based), 0 = free
        var way = new int[n + 1];
        for (var i = 1; i <= n; i++)
        {
            match[0] = i;
            var j0 = 0;
            var minv = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                var i0 = match[j0];
                var delta = double.PositiveInfinity;
                var j1 = 0;
                for (var j = 1; j <= n; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    var reduced = a[i0, j] - u[i0] - v[j];
                    if (reduced < minv[j])
                    {
                        minv[j] = reduced;
                        way[j] = j0;
                    }

                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }

                for (var j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[match[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (match[j0] != 0);

            do
            {
                var j1 = way[j0];
                match[j0] = match[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (var j = 1; j <= n; j++)
        {
            var i = match[j];
            if (i >= 1 && i <= rows && j <= cols && cost[i - 1, j - 1] <= maxCost)
            {
                result.Add((i - 1, j - 1));
            }
        }

        return result;
    }
}
