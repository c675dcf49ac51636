using System.Security.Cryptography;
using System.Text;
using GateWatch.Central.Data;

namespace GateWatch.Central.Agents;

/// <summary>A code an admin made for one agent id, as lists show it (the code itself is shown only once).</summary>
internal sealed record EnrolmentInfo(string AgentId, string Name, string MadeBy, DateTimeOffset Made, DateTimeOffset Expires, DateTimeOffset? Used, string? UsedFrom);

/// <summary>A code that was just made: the only time its text exists outside the installer's hands.</summary>
internal sealed record NewEnrolment(string Code, string AgentId, DateTimeOffset Expires);

/// <summary>Why an enrolment was refused, with the HTTP status that says it.</summary>
internal sealed class EnrolmentException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>What an agent sends to enrol: the code, and what registration needs to know of it.</summary>
internal sealed record EnrolmentRequest(string Code, string AgentId, Uri Url, string ApiKey, string? Fingerprint);

/// <summary>
/// One-time enrolment codes: an admin makes a code for an agent id in the console, the installer types it on the
/// gate's box, and the agent registers itself with it (its API address, key and certificate fingerprint) and gets
/// its event key back, instead of keys being copied by hand between two machines. A code works once, for the id it
/// was made for, until it expires; only its SHA-256 is stored, so the database alone enrols nobody.
/// </summary>
internal sealed class Enrolments(ConsoleDb db, AgentRegistry agents, TimeProvider time)
{
    /// <summary>A day: long enough to carry the code to a gate across the park, short enough to be worthless if it leaks later.</summary>
    public static readonly TimeSpan DefaultLife = TimeSpan.FromHours(24);

    /// <summary>A week at most: a code is for an installation under way, not a standing credential.</summary>
    public static readonly TimeSpan MaxLife = TimeSpan.FromDays(7);

    /// <summary>Crockford's base32: no I, L, O or U, so what is read off a screen is typed back right.</summary>
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>20 symbols of 5 bits: 100 bits, beyond guessing through a throttled endpoint within a week.</summary>
    private const int Symbols = 20;

    public NewEnrolment Make(string agentId, string name, TimeSpan life, string by)
    {
        AgentRegistry.CheckId(agentId);
        if (life < TimeSpan.FromMinutes(5) || life > MaxLife)
        {
            throw new AgentException($"an enrolment code lives from 5 minutes to {MaxLife.TotalDays} days");
        }

        if (agents.Find(agentId) is not null)
        {
            throw new AgentException($"agent '{agentId}' is already registered; a replaced box keeps its id and is pinned again (pin-agent)");
        }

        var bytes = RandomNumberGenerator.GetBytes(Symbols);
        var symbols = bytes.Select(b => Alphabet[b % Alphabet.Length]).ToArray();
        var code = string.Join('-', symbols.Chunk(5).Select(g => new string(g)));
        var now = time.GetUtcNow();
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO enrolment_codes (code_hash, agent_id, name, made_by, made_ms, expires_ms)
            VALUES ($hash, $agent, $name, $by, $now, $expires)
            """;
        cmd.Parameters.AddWithValue("$hash", Hash(code));
        cmd.Parameters.AddWithValue("$agent", agentId);
        cmd.Parameters.AddWithValue("$name", string.IsNullOrWhiteSpace(name) ? agentId : name.Trim());
        cmd.Parameters.AddWithValue("$by", by);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$expires", (now + life).ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
        return new NewEnrolment(code, agentId, now + life);
    }

    public IReadOnlyList<EnrolmentInfo> List()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT agent_id, name, made_by, made_ms, expires_ms, used_ms, used_from FROM enrolment_codes ORDER BY made_ms DESC";
        using var r = cmd.ExecuteReader();
        var list = new List<EnrolmentInfo>();
        while (r.Read())
        {
            list.Add(new EnrolmentInfo(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)), Time(r.GetInt64(4)),
                r.IsDBNull(5) ? null : Time(r.GetInt64(5)), r.IsDBNull(6) ? null : r.GetString(6)));
        }

        return list;
    }

    /// <summary>
    /// Spends the code and registers the agent in one transaction: either both happen or neither (a refused
    /// registration leaves the code as it was, to be used once the agent's config is put right). Returns the
    /// agent's event key and the code's record.
    /// </summary>
    public (string Key, EnrolmentInfo Code) Redeem(EnrolmentRequest request, string from)
    {
        var hash = Hash(Normalize(request.Code));
        using var c = db.Open();
        // IMMEDIATE takes the write lock before reading, so two agents racing with one code cannot both see it unused.
        using var tx = c.BeginTransaction(deferred: false);
        using var find = c.CreateCommand();
        find.Transaction = tx;
        find.CommandText = "SELECT agent_id, name, made_by, made_ms, expires_ms, used_ms, used_from FROM enrolment_codes WHERE code_hash = $hash";
        find.Parameters.AddWithValue("$hash", hash);
        EnrolmentInfo code;
        using (var r = find.ExecuteReader())
        {
            if (!r.Read())
            {
                throw new EnrolmentException(401, "unknown enrolment code: check it against the one the console showed, or ask an admin for a new one");
            }

            code = new EnrolmentInfo(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)), Time(r.GetInt64(4)),
                r.IsDBNull(5) ? null : Time(r.GetInt64(5)), r.IsDBNull(6) ? null : r.GetString(6));
        }

        if (code.Used is { } used)
        {
            throw new EnrolmentException(409, $"this enrolment code was already used at {UtcTime.Format(used)} (from {code.UsedFrom}); a code works once: ask an admin for a new one");
        }

        if (time.GetUtcNow() >= code.Expires)
        {
            throw new EnrolmentException(410, $"this enrolment code expired at {UtcTime.Format(code.Expires)}; ask an admin for a new one");
        }

        if (request.AgentId != code.AgentId)
        {
            throw new EnrolmentException(400, $"this enrolment code is for agent '{code.AgentId}', and this agent's agentId is '{request.AgentId}': enrol the box the code was made for, or ask for a code for '{request.AgentId}'");
        }

        string key;
        try
        {
            key = agents.Register(c, tx, code.AgentId, code.Name, request.Url, request.ApiKey, request.Fingerprint);
        }
        catch (AgentException e)
        {
            throw new EnrolmentException(e.Message.Contains("already registered", StringComparison.Ordinal) ? 409 : 400, e.Message);
        }

        var now = time.GetUtcNow();
        using var spend = c.CreateCommand();
        spend.Transaction = tx;
        spend.CommandText = "UPDATE enrolment_codes SET used_ms = $now, used_from = $from WHERE code_hash = $hash";
        spend.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        spend.Parameters.AddWithValue("$from", from);
        spend.Parameters.AddWithValue("$hash", hash);
        spend.ExecuteNonQuery();
        tx.Commit();
        return (key, code with { Used = now, UsedFrom = from });
    }

    /// <summary>What was typed, as it was made: case, spaces and dashes do not matter; O and I/L read as 0 and 1.</summary>
    public static string Normalize(string typed)
    {
        var symbols = new StringBuilder();
        foreach (var ch in typed.ToUpperInvariant())
        {
            var s = ch switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                _ => ch,
            };
            if (Alphabet.Contains(s, StringComparison.Ordinal))
            {
                symbols.Append(s);
            }
        }

        return string.Join('-', symbols.ToString().Chunk(5).Select(g => new string(g)));
    }

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));
}
