using System.Globalization;
using GateWatch.Central.Data;
using Microsoft.Data.Sqlite;

namespace GateWatch.Central.Plates;

/// <summary>A field of a list entry besides the plate: its JSON and CSV names, its column, whether it is a date and required.</summary>
internal sealed record ListField(string Json, string Csv, string Column, bool IsDate, bool Required);

/// <summary>
/// The three plate lists. They differ only in their fields, so one description of each drives the table, the
/// JSON, the CSV and the checks, and the code for adding, editing, importing and exporting is written once.
/// </summary>
internal sealed record PlateListKind(string Name, string Table, string Title, IReadOnlyList<ListField> Fields)
{
    /// <summary>Vehicles that may pass: staff, suppliers. Optional validity dates, both days included.</summary>
    public static readonly PlateListKind Allowed = new("allowed", "plate_allowed", "allowed vehicles",
    [
        new("owner", "owner", "owner", false, true),
        new("company", "company", "company", false, false),
        new("validFrom", "valid_from", "valid_from", true, false),
        new("validTo", "valid_to", "valid_to", true, false),
    ]);

    /// <summary>The watchlist: vehicles to stop or to be told about.</summary>
    public static readonly PlateListKind Denied = new("denied", "plate_denied", "denied vehicles (watchlist)",
    [
        new("reason", "reason", "reason", false, true),
    ]);

    /// <summary>Visitors announced for one day; a plate may be expected on several days, once per day.</summary>
    public static readonly PlateListKind Visitors = new("visitors", "plate_visitors", "expected visitors",
    [
        new("host", "host", "host", false, true),
        new("day", "day", "day", true, true),
    ]);

    public static readonly IReadOnlyList<PlateListKind> All = [Allowed, Denied, Visitors];

    /// <summary>Columns an export writes that an import reads past: who added an entry and when is the console's to say.</summary>
    public static readonly IReadOnlyList<string> ExportOnly = ["added_by", "added"];

    public static PlateListKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>Visitors are keyed by plate and day, the others by plate alone.</summary>
    public bool KeyHasDay => this == Visitors;

    public string CsvHeader => PlateCsv.Line(["plate", .. Fields.Select(f => f.Csv), .. ExportOnly]);
}

/// <summary>An entry as stored. <see cref="Values"/> holds the kind's fields by JSON name; a date is "yyyy-MM-dd", an empty optional field "".</summary>
internal sealed record PlateListEntry(long Id, string Text, string Plate, IReadOnlyDictionary<string, string> Values, string AddedBy, DateTimeOffset Added)
{
    /// <summary>Its key among the list's entries: the plate, and for visitors the day.</summary>
    public string Key(PlateListKind kind) => kind.KeyHasDay ? $"{Plate} on {Values["day"]}" : Plate;

    /// <summary>For the API: the fields flat beside the plate, as a page shows them.</summary>
    public Dictionary<string, object?> Json()
    {
        var json = new Dictionary<string, object?> { ["id"] = Id, ["plate"] = Text, ["normalized"] = Plate };
        foreach (var (k, v) in Values)
        {
            json[k] = v.Length == 0 ? null : v;
        }

        json["addedBy"] = AddedBy;
        json["added"] = Added;
        return json;
    }
}

/// <summary>A list entry that would repeat one already there.</summary>
internal sealed class DuplicateEntryException(string message) : Exception(message);

/// <summary>A list entry as checked, before it is stored.</summary>
internal sealed record PlateCandidate(string Text, string Plate, IReadOnlyDictionary<string, string> Values);

/// <summary>A line of an import file that cannot be stored, and why.</summary>
internal sealed record ImportProblem(int Line, string Problem);

/// <summary>What an import did, or would do: the entries it read, and every line it refused.</summary>
internal sealed record ImportResult(int Entries, int Replaced, bool Stored, IReadOnlyList<ImportProblem> Problems);

/// <summary>
/// The lists in the console's database. An import is all or nothing: a file with any bad line stores nothing,
/// so a list is never left half-replaced by a file that was wrong, and the report names every bad line at once.
/// </summary>
internal sealed class PlateLists(ConsoleDb db)
{
    /// <summary>Owners, companies, hosts and reasons are names and sentences, not documents.</summary>
    public const int MaxField = 200;

    /// <summary>More than any gate's staff and suppliers; an import is read whole, so it is bounded.</summary>
    public const int MaxImportRows = 20_000;

    /// <summary>SQLite's extended code for a UNIQUE constraint failure.</summary>
    private const int UniqueViolation = 2067;

    /// <summary>
    /// Checks a plate and a kind's fields (asked for by JSON name); null with the problems when something is wrong,
    /// each naming the field as the sender knows it (<paramref name="csvNames"/>: a file's column).
    /// </summary>
    public static PlateCandidate? Check(PlateListKind kind, string? plate, Func<string, string?> value, List<string> problems, bool csvNames = false)
    {
        var text = (plate ?? "").Trim().ToUpperInvariant();
        if (PlateText.ListProblem(text) is { } bad)
        {
            problems.Add($"plate: {bad}");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in kind.Fields)
        {
            var v = (value(f.Json) ?? "").Trim();
            var name = csvNames ? f.Csv : f.Json;
            if (v.Length == 0)
            {
                if (f.Required)
                {
                    problems.Add($"{name}: required{(f.IsDate ? " (a date, yyyy-MM-dd)" : "")}");
                }
            }
            else if (f.IsDate)
            {
                if (!DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    problems.Add($"{name}: '{PlateText.Short(v)}' is not a date; write yyyy-MM-dd, e.g. 2026-03-01");
                }
            }
            else if (v.Length > MaxField || v.Any(char.IsControl))
            {
                problems.Add($"{name}: at most {MaxField} characters on one line");
            }

            values[f.Json] = v;
        }

        if (kind == PlateListKind.Allowed && values["validFrom"].Length > 0 && values["validTo"].Length > 0
            && string.CompareOrdinal(values["validFrom"], values["validTo"]) > 0 && problems.Count == 0)
        {
            problems.Add(csvNames
                ? $"valid_to {values["validTo"]} is before valid_from {values["validFrom"]}"
                : $"validTo {values["validTo"]} is before validFrom {values["validFrom"]}");
        }

        return problems.Count == 0 ? new PlateCandidate(text, PlateText.Normalize(text), values) : null;
    }

    public IReadOnlyList<PlateListEntry> List(PlateListKind kind)
    {
        using var c = db.Open();
        return Read(c, null, kind, "ORDER BY text, id");
    }

    public PlateListEntry? Find(PlateListKind kind, long id)
    {
        using var c = db.Open();
        return Read(c, null, kind, "WHERE id = $id", ("$id", id)).FirstOrDefault();
    }

    /// <exception cref="DuplicateEntryException">The plate (for visitors: on that day) is on the list already.</exception>
    public PlateListEntry Add(PlateListKind kind, PlateCandidate entry, string by, DateTimeOffset now)
    {
        using var c = db.Open();
        return Insert(c, null, kind, entry, by, now);
    }

    /// <summary>Replaces an entry's plate and fields; who added it and when stay. Null when there is no such entry.</summary>
    /// <exception cref="DuplicateEntryException">The new plate is another entry's.</exception>
    public PlateListEntry? Update(PlateListKind kind, long id, PlateCandidate entry)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        var sets = string.Join(", ", kind.Fields.Select(f => $"{f.Column} = ${f.Column}"));
        cmd.CommandText = $"UPDATE {kind.Table} SET text = $text, plate = $plate, {sets} WHERE id = $id";
        Bind(cmd, kind, entry);
        cmd.Parameters.AddWithValue("$id", id);
        try
        {
            if (cmd.ExecuteNonQuery() == 0)
            {
                return null;
            }
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == UniqueViolation)
        {
            throw Duplicate(kind, entry);
        }

        return Read(c, null, kind, "WHERE id = $id", ("$id", id)).Single();
    }

    /// <summary>Removes an entry; returns it, or null when there was none.</summary>
    public PlateListEntry? Delete(PlateListKind kind, long id)
    {
        using var c = db.Open();
        using var tx = c.BeginTransaction();
        var found = Read(c, tx, kind, "WHERE id = $id", ("$id", id)).FirstOrDefault();
        if (found is not null)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"DELETE FROM {kind.Table} WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return found;
    }

    /// <summary>
    /// Reads a CSV file into the list. With <paramref name="replace"/> the file becomes the list (entries not in it
    /// are removed), else its entries are added and one already listed is an error. Nothing is stored when any line
    /// is wrong, nor with <paramref name="dryRun"/>: then the result says what would happen.
    /// </summary>
    public ImportResult Import(PlateListKind kind, string csv, bool replace, bool dryRun, string by, DateTimeOffset now)
    {
        var problems = new List<ImportProblem>();
        var records = PlateCsv.Parse(csv, out var parseProblem);
        if (records is null)
        {
            return new ImportResult(0, 0, false, [new ImportProblem(0, parseProblem!)]);
        }

        if (records.Count == 0)
        {
            return new ImportResult(0, 0, false, [new ImportProblem(1, $"the file is empty; the first line names the columns: {kind.CsvHeader}")]);
        }

        if (records.Count - 1 > MaxImportRows)
        {
            return new ImportResult(0, 0, false, [new ImportProblem(records[MaxImportRows + 1].Line, $"more than {MaxImportRows} entries; split the file")]);
        }

        var header = records[0];
        var columns = header.Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        List<string> known = ["plate", .. kind.Fields.Select(f => f.Csv)];
        foreach (var col in columns)
        {
            if (!known.Contains(col) && !PlateListKind.ExportOnly.Contains(col))
            {
                problems.Add(new ImportProblem(header.Line, $"unknown column '{PlateText.Short(col)}'; the {kind.Title} list's columns are {string.Join(", ", known)}"));
            }
        }

        foreach (var need in known.Where(k => k == "plate" || kind.Fields.Single(f => f.Csv == k).Required))
        {
            if (!columns.Contains(need))
            {
                problems.Add(new ImportProblem(header.Line, $"no '{need}' column; the first line names the columns, e.g. {kind.CsvHeader}"));
            }
        }

        if (columns.Distinct().Count() != columns.Count)
        {
            problems.Add(new ImportProblem(header.Line, "a column is named twice"));
        }

        if (problems.Count > 0)
        {
            return new ImportResult(0, 0, false, problems);
        }

        using var c = db.Open();
        using var tx = c.BeginTransaction();
        var listed = Read(c, tx, kind, "").ToDictionary(e => e.Key(kind));
        var inFile = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new List<PlateCandidate>();
        foreach (var r in records.Skip(1))
        {
            if (r.Fields.Count != columns.Count)
            {
                problems.Add(new ImportProblem(r.Line, $"{r.Fields.Count} fields, but the header has {columns.Count}"));
                continue;
            }

            string? Cell(string csvName)
            {
                var at = columns.IndexOf(csvName);
                return at < 0 ? null : PlateCsv.Unguard(r.Fields[at]);
            }

            var why = new List<string>();
            var entry = Check(kind, Cell("plate"), json => Cell(kind.Fields.Single(f => f.Json == json).Csv), why, csvNames: true);
            if (entry is null)
            {
                problems.AddRange(why.Select(w => new ImportProblem(r.Line, w)));
                continue;
            }

            var key = kind.KeyHasDay ? $"{entry.Plate} on {entry.Values["day"]}" : entry.Plate;
            if (inFile.TryGetValue(key, out var first))
            {
                problems.Add(new ImportProblem(r.Line, $"{entry.Text} is a duplicate of line {first} ({key})"));
                continue;
            }

            inFile[key] = r.Line;
            if (!replace && listed.TryGetValue(key, out var there))
            {
                problems.Add(new ImportProblem(r.Line, $"{entry.Text} is already listed (entry {there.Id}, {there.Text}); edit that entry, or import with replace"));
                continue;
            }

            entries.Add(entry);
        }

        if (problems.Count > 0 || dryRun)
        {
            return new ImportResult(entries.Count, replace ? listed.Count : 0, false, problems);
        }

        if (replace)
        {
            ConsoleDb.Exec(c, tx, $"DELETE FROM {kind.Table}");
        }

        foreach (var e in entries)
        {
            Insert(c, tx, kind, e, by, now);
        }

        tx.Commit();
        return new ImportResult(entries.Count, replace ? listed.Count : 0, true, []);
    }

    /// <summary>The list as CSV, in the import's columns (plus who added each entry and when), so that an export imports back as it was.</summary>
    public string Export(PlateListKind kind)
    {
        var text = new System.Text.StringBuilder(kind.CsvHeader).Append('\n');
        foreach (var e in List(kind))
        {
            text.Append(PlateCsv.Line([e.Text, .. kind.Fields.Select(f => e.Values[f.Json]), e.AddedBy, UtcTime.Format(e.Added)])).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Every entry of every list, for matching a batch of reads against them in one go.</summary>
    public static ListSnapshot Snapshot(SqliteConnection c, SqliteTransaction? tx)
    {
        ListedPlate Listed(PlateListEntry e, string? from, string? to) =>
            new(e.Id, e.Plate, e.Text, Date(from), Date(to));
        return new ListSnapshot(
            Read(c, tx, PlateListKind.Allowed, "").Select(e => Listed(e, e.Values["validFrom"], e.Values["validTo"])).ToList(),
            Read(c, tx, PlateListKind.Denied, "").Select(e => Listed(e, null, null)).ToList(),
            Read(c, tx, PlateListKind.Visitors, "").Select(e => Listed(e, e.Values["day"], e.Values["day"])).ToList());
    }

    private static DateOnly? Date(string? s) =>
        string.IsNullOrEmpty(s) ? null : DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static PlateListEntry Insert(SqliteConnection c, SqliteTransaction? tx, PlateListKind kind, PlateCandidate entry, string by, DateTimeOffset now)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        var columns = string.Join(", ", kind.Fields.Select(f => f.Column));
        var values = string.Join(", ", kind.Fields.Select(f => $"${f.Column}"));
        cmd.CommandText = $"INSERT INTO {kind.Table} (text, plate, {columns}, added_by, added_ms) VALUES ($text, $plate, {values}, $by, $now) RETURNING id";
        Bind(cmd, kind, entry);
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        try
        {
            var id = (long)cmd.ExecuteScalar()!;
            return new PlateListEntry(id, entry.Text, entry.Plate, entry.Values, by, UtcTime.FromMs(now.ToUnixTimeMilliseconds()));
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == UniqueViolation)
        {
            throw Duplicate(kind, entry);
        }
    }

    private static DuplicateEntryException Duplicate(PlateListKind kind, PlateCandidate entry) =>
        new(kind.KeyHasDay
            ? $"{entry.Text} is already expected on {entry.Values["day"]}"
            : $"{entry.Text} ({entry.Plate}) is already on the {kind.Title} list");

    private static void Bind(SqliteCommand cmd, PlateListKind kind, PlateCandidate entry)
    {
        cmd.Parameters.AddWithValue("$text", entry.Text);
        cmd.Parameters.AddWithValue("$plate", entry.Plate);
        foreach (var f in kind.Fields)
        {
            var v = entry.Values[f.Json];
            // An optional date left out is NULL (no limit), an optional text "".
            cmd.Parameters.AddWithValue($"${f.Column}", f.IsDate && v.Length == 0 ? DBNull.Value : v);
        }
    }

    private static List<PlateListEntry> Read(SqliteConnection c, SqliteTransaction? tx, PlateListKind kind, string where, params (string Name, object Value)[] args)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT id, text, plate, added_by, added_ms, {string.Join(", ", kind.Fields.Select(f => f.Column))} FROM {kind.Table} {where}";
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        using var r = cmd.ExecuteReader();
        var list = new List<PlateListEntry>();
        while (r.Read())
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < kind.Fields.Count; i++)
            {
                values[kind.Fields[i].Json] = r.IsDBNull(5 + i) ? "" : r.GetString(5 + i);
            }

            list.Add(new PlateListEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), values, r.GetString(3), UtcTime.FromMs(r.GetInt64(4))));
        }

        return list;
    }
}
