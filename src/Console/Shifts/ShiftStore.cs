using GateWatch.Central.Data;

namespace GateWatch.Central.Shifts;

/// <summary>The park's shift plan in the database, and the notes guards leave for the shift after theirs.</summary>
internal sealed class ShiftStore(ConsoleDb db, TimeProvider time)
{
    /// <summary>A note is what the next shift must know, a paragraph; not a log file pasted in.</summary>
    public const int MaxNote = 2000;

    public ShiftPlan Plan()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name, start_minute, end_minute FROM shifts ORDER BY position";
        using var r = cmd.ExecuteReader();
        var shifts = new List<Shift>();
        while (r.Read())
        {
            shifts.Add(new Shift(r.GetString(0), Minute(r.GetInt32(1)), Minute(r.GetInt32(2))));
        }

        return ShiftPlan.Create(shifts);
    }

    /// <summary>Replaces the plan in one transaction: a plan is checked whole, so it is stored whole or not at all.</summary>
    public void Save(ShiftPlan plan)
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        ConsoleDb.Exec(c, tx, "DELETE FROM shifts");
        for (var i = 0; i < plan.Shifts.Count; i++)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO shifts (position, name, start_minute, end_minute) VALUES ($p, $n, $s, $e)";
            cmd.Parameters.AddWithValue("$p", i + 1);
            cmd.Parameters.AddWithValue("$n", plan.Shifts[i].Name);
            cmd.Parameters.AddWithValue("$s", plan.Shifts[i].Start.Hour * 60 + plan.Shifts[i].Start.Minute);
            cmd.Parameters.AddWithValue("$e", plan.Shifts[i].End.Hour * 60 + plan.Shifts[i].End.Minute);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public sealed record Note(string By, DateTimeOffset Time, string Text);

    public Note AddNote(string agent, ShiftSpan span, string by, string text)
    {
        var now = time.GetUtcNow();
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO shift_notes (agent, shift_start_ms, shift_name, by_user, time_ms, text) VALUES ($a, $s, $n, $by, $t, $text)
            """;
        cmd.Parameters.AddWithValue("$a", agent);
        cmd.Parameters.AddWithValue("$s", span.Start.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$n", span.Shift.Name);
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$text", text);
        cmd.ExecuteNonQuery();
        return new Note(by, now, text);
    }

    /// <summary>The notes of one gate's shift, oldest first; found by the shift's start, which names it even after a rename.</summary>
    public IReadOnlyList<Note> Notes(string agent, ShiftSpan span)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT by_user, time_ms, text FROM shift_notes WHERE agent = $a AND shift_start_ms = $s ORDER BY time_ms, id";
        cmd.Parameters.AddWithValue("$a", agent);
        cmd.Parameters.AddWithValue("$s", span.Start.ToUnixTimeMilliseconds());
        using var r = cmd.ExecuteReader();
        var notes = new List<Note>();
        while (r.Read())
        {
            notes.Add(new Note(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2)));
        }

        return notes;
    }

    private static TimeOnly Minute(int m) => new(m / 60, m % 60);
}
