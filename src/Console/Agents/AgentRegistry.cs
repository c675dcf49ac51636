using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GateWatch.Central.Data;
using GateWatch.Shared.Tls;

namespace GateWatch.Central.Agents;

/// <summary>An edge agent the console knows: where its API is, and the key the console presents to it.</summary>
/// <remarks><see cref="TlsPin"/>: the SHA-256 of the certificate an https agent must present (<see cref="CertificatePin"/>), or null to trust the system's CAs.</remarks>
internal sealed record AgentInfo(string Id, string Name, Uri Url, string ApiKey, DateTimeOffset? LastSeen, string? TlsPin = null);

/// <summary>A camera an agent listed, as the console remembers it for when the agent does not answer.</summary>
internal sealed record RememberedCamera(string Id, string Name);

internal sealed class AgentException(string message) : Exception(message);

/// <summary>
/// Registered agents. Each gets its own key for sending events, shown once at registration and stored
/// only as a SHA-256 (a 256-bit random key needs no slow hash: it cannot be guessed from a dictionary).
/// </summary>
internal sealed partial class AgentRegistry(ConsoleDb db, TimeProvider time)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex AgentId();

    /// <summary>Registers an agent and returns the key it must send its events with.</summary>
    public string Register(string id, string name, Uri url, string agentApiKey, string? fingerprint = null)
    {
        using var c = db.Open();
        return Register(c, null, id, name, url, agentApiKey, fingerprint);
    }

    /// <summary>Registers inside the caller's transaction (an enrolment code is spent in the same one).</summary>
    public string Register(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction? tx, string id, string name, Uri url, string agentApiKey, string? fingerprint)
    {
        CheckId(id);

        CheckUrl(url);
        if (agentApiKey.Length < 16)
        {
            throw new AgentException("the agent's API key (its apiKey) is at least 16 characters");
        }

        var pin = Pin(url, fingerprint);
        var key = "gwa_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO agents (id, name, url, key_hash, api_key, created_ms, tls_pin) VALUES ($id, $name, $url, $hash, $api, $now, $pin)
            ON CONFLICT (id) DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$name", string.IsNullOrWhiteSpace(name) ? id : name.Trim());
        cmd.Parameters.AddWithValue("$url", url.AbsoluteUri);
        cmd.Parameters.AddWithValue("$hash", Hash(key));
        cmd.Parameters.AddWithValue("$api", agentApiKey);
        cmd.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$pin", (object?)pin ?? DBNull.Value);
        return cmd.ExecuteNonQuery() == 1 ? key : throw new AgentException($"agent '{id}' is already registered");
    }

    /// <summary>
    /// Pins a registered agent to a new certificate (its box was replaced, or it was given one from the park's CA:
    /// null then trusts the system's CAs), at a new API address when <paramref name="url"/> is given (the agent
    /// moved, or went from http to https). The agent keeps its keys.
    /// </summary>
    public void Repin(string id, string? fingerprint, Uri? url = null)
    {
        var agent = Find(id) ?? throw new AgentException($"no agent '{id}' is registered");
        if (url is not null)
        {
            CheckUrl(url);
        }

        var pin = Pin(url ?? agent.Url, fingerprint);
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE agents SET tls_pin = $pin, url = $url WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$pin", (object?)pin ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$url", (url ?? agent.Url).AbsoluteUri);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Throws unless <paramref name="id"/> is an agent id as the agent's own config spells it.</summary>
    public static void CheckId(string id)
    {
        if (!AgentId().IsMatch(id))
        {
            throw new AgentException("an agent id is lower-case letters, digits, '-' and '_', at most 40 (the agent's agentId)");
        }
    }

    /// <summary>What the audit log says of a pin: the fingerprint in its canonical form, or that the system's CAs decide.</summary>
    public static string PinDetail(string? fingerprint) =>
        CertificatePin.Normalize(fingerprint ?? "") is { } pin ? $"pinned {pin}" : "trusts the system's CAs";

    private static void CheckUrl(Uri url)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            throw new AgentException($"the agent's API address must be http(s), not {url.Scheme}");
        }
    }

    private static string? Pin(Uri url, string? fingerprint)
    {
        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return null;
        }

        if (url.Scheme != Uri.UriSchemeHttps)
        {
            throw new AgentException($"a certificate fingerprint is pinned for an https:// agent; {url.Scheme}:// carries no certificate");
        }

        return CertificatePin.Normalize(fingerprint)
            ?? throw new AgentException("the fingerprint is the agent's certificate SHA-256: 64 hex digits, in pairs with colons or not (GateAgent tls-fingerprint prints it)");
    }

    /// <summary>Whether <paramref name="key"/> is <paramref name="agent"/>'s event key; constant time in the key.</summary>
    public bool Authenticate(string agent, string key)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT key_hash FROM agents WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", agent);
        var stored = cmd.ExecuteScalar() as string ?? new string('0', 64);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Hash(key)));
    }

    /// <summary>The agent was heard now; <paramref name="cameras"/>, when its health listed them, are remembered for when it goes dark.</summary>
    public void Seen(string agent, IReadOnlyList<RememberedCamera>? cameras = null)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE agents SET last_seen_ms = $now, cameras = COALESCE($cameras, cameras) WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", agent);
        cmd.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$cameras", cameras is null ? DBNull.Value : JsonSerializer.Serialize(cameras, JsonSerializerOptions.Web));
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyList<AgentInfo> List()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, url, api_key, last_seen_ms, tls_pin FROM agents ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<AgentInfo>();
        while (r.Read())
        {
            list.Add(new AgentInfo(r.GetString(0), r.GetString(1), new Uri(r.GetString(2)), r.GetString(3),
                r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.IsDBNull(5) ? null : r.GetString(5)));
        }

        return list;
    }

    public AgentInfo? Find(string id) => List().FirstOrDefault(a => a.Id == id);

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
