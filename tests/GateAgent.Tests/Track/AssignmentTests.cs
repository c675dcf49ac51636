using GateWatch.Agent.Track;

namespace GateWatch.Agent.Tests.Track;

public sealed class AssignmentTests
{
    private static double Total(double[,] cost, IEnumerable<(int Row, int Col)> pairs) => pairs.Sum(p => cost[p.Row, p.Col]);

    /// <summary>Exhaustive minimum over all one-to-one matchings of min(rows, cols) pairs.</summary>
    private static double BruteForceMinimum(double[,] cost)
    {
        var rows = cost.GetLength(0);
        var cols = cost.GetLength(1);
        var best = double.PositiveInfinity;
        var usedCols = new bool[cols];

        void Go(int row, int matched, double sum)
        {
            if (matched == Math.Min(rows, cols))
            {
                best = Math.Min(best, sum);
                return;
            }

            if (row == rows)
            {
                return;
            }

            if (rows - row > Math.Min(rows, cols) - matched)
            {
                Go(row + 1, matched, sum); // leave this row unmatched (more rows than columns)
            }

            for (var c = 0; c < cols; c++)
            {
                if (!usedCols[c])
                {
                    usedCols[c] = true;
                    Go(row + 1, matched + 1, sum + cost[row, c]);
                    usedCols[c] = false;
                }
            }
        }

        Go(0, 0, 0);
        return best;
    }

    private static void AssertOneToOne(List<(int Row, int Col)> pairs)
    {
        Assert.Equal(pairs.Count, pairs.Select(p => p.Row).Distinct().Count());
        Assert.Equal(pairs.Count, pairs.Select(p => p.Col).Distinct().Count());
    }

    [Fact]
    public void Finds_the_optimum_where_greedy_would_not()
    {
        // Greedy takes the cheapest cell (0,0)=1 and is then left with (1,1)=100: total 101.
        // The optimum pairs across: 2 + 2 = 4.
        var cost = new double[,] { { 1, 2 }, { 2, 100 } };
        var pairs = Assignment.Solve(cost, maxCost: 1000);
        Assert.Equal([(0, 1), (1, 0)], pairs.OrderBy(p => p.Row));
    }

    [Fact]
    public void Three_by_three_optimum()
    {
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        var pairs = Assignment.Solve(cost, maxCost: 1000);
        Assert.Equal([(0, 1), (1, 0), (2, 2)], pairs.OrderBy(p => p.Row));
        Assert.Equal(5, Total(cost, pairs));
    }

    [Fact]
    public void Matches_brute_force_on_random_matrices()
    {
        var rng = new Random(1234);
        for (var trial = 0; trial < 200; trial++)
        {
            var rows = rng.Next(1, 6);
            var cols = rng.Next(1, 6);
            var cost = new double[rows, cols];
            for (var i = 0; i < rows; i++)
            {
                for (var j = 0; j < cols; j++)
                {
                    cost[i, j] = Math.Round(rng.NextDouble(), 3);
                }
            }

            var pairs = Assignment.Solve(cost, maxCost: 10);
            AssertOneToOne(pairs);
            Assert.Equal(Math.Min(rows, cols), pairs.Count);
            Assert.Equal(BruteForceMinimum(cost), Total(cost, pairs), 9);
        }
    }

    [Fact]
    public void Never_matches_a_pair_costing_more_than_maxCost()
    {
        var cost = new double[,] { { 0.1, 0.9 }, { 0.95, 0.99 } };
        var pairs = Assignment.Solve(cost, maxCost: 0.5);
        Assert.Equal([(0, 0)], pairs);
    }

    [Fact]
    public void Row_with_every_cost_above_maxCost_stays_unmatched()
    {
        var cost = new double[,] { { 0.2, 0.3 }, { 0.8, 0.9 }, { 0.3, 0.1 } };
        var pairs = Assignment.Solve(cost, maxCost: 0.5);
        Assert.Equal([(0, 0), (2, 1)], pairs.OrderBy(p => p.Row));
    }

    [Fact]
    public void MaxCost_prefers_more_allowed_pairs_over_one_cheap_pair()
    {
        // Allowed: (0,0)=1, (0,1)=5, (1,0)=2. Taking (0,0) alone strands row 1; two pairs are possible.
        var cost = new double[,] { { 1, 5 }, { 2, 50 } };
        var pairs = Assignment.Solve(cost, maxCost: 10);
        Assert.Equal([(0, 1), (1, 0)], pairs.OrderBy(p => p.Row));
    }

    [Fact]
    public void More_columns_than_rows()
    {
        var cost = new double[,] { { 5, 1, 9 }, { 1, 2, 9 } };
        var pairs = Assignment.Solve(cost, maxCost: 100);
        Assert.Equal([(0, 1), (1, 0)], pairs.OrderBy(p => p.Row));
    }

    [Fact]
    public void More_rows_than_columns()
    {
        var cost = new double[,] { { 5, 1 }, { 1, 2 }, { 9, 9 } };
        var pairs = Assignment.Solve(cost, maxCost: 100);
        Assert.Equal([(0, 1), (1, 0)], pairs.OrderBy(p => p.Row));
    }

    [Fact]
    public void Empty_matrices_give_no_pairs()
    {
        Assert.Empty(Assignment.Solve(new double[0, 3], 1));
        Assert.Empty(Assignment.Solve(new double[3, 0], 1));
    }
}
