using GateWatch.Central.Data;
using Microsoft.AspNetCore.Identity;

namespace GateWatch.Central.Users;

/// <param name="MustChangePassword">Signed in with a one-time password (GateConsole init): may do nothing but replace it.</param>
internal sealed record User(long Id, string Name, string Role, bool Disabled, bool MustChangePassword = false);

/// <summary>A user that cannot be created as asked; the message says why.</summary>
internal sealed class UserException(string message) : Exception(message);

/// <summary>People and their password hashes (ASP.NET Core's hasher: PBKDF2 with a per-user salt).</summary>
internal sealed class UserStore(ConsoleDb db, TimeProvider time)
{
    /// <summary>NIST SP 800-63B's floor for a memorised secret.</summary>
    public const int MinPasswordLength = 8;

    private readonly PasswordHasher<User> _hasher = new();

    /// <summary>The languages the pages have a string table for; the first is every new user's.</summary>
    public static readonly IReadOnlyList<string> Languages = ["vi", "en"];

    /// <summary>The language a user reads the console in; Vietnamese for a name that is not (or no longer) there.</summary>
    public string Language(string name)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT language FROM users WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        return cmd.ExecuteScalar() as string ?? Languages[0];
    }

    public void SetLanguage(string name, string language)
    {
        if (!Languages.Contains(language))
        {
            throw new UserException($"language '{language}' has no pages; use {string.Join(" or ", Languages)}");
        }

        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE users SET language = $language WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        cmd.Parameters.AddWithValue("$language", language);
        cmd.ExecuteNonQuery();
    }

    public User Create(string name, string role, string password, bool oneTime = false, string language = "vi")
    {
        if (!Languages.Contains(language))
        {
            throw new UserException($"language '{language}' has no pages; use {string.Join(" or ", Languages)}");
        }

        name = name.Trim();
        if (name.Length is < 2 or > 64 || name.Any(char.IsControl))
        {
            throw new UserException("a user name is 2 to 64 printable characters");
        }

        if (!Roles.All.Contains(role))
        {
            throw new UserException($"role '{role}' does not exist; roles are {string.Join(", ", Roles.All)}");
        }

        CheckStrength(password);
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO users (name, role, password_hash, created_ms, must_change_password, language) VALUES ($name, $role, $hash, $now, $once, $language)
            ON CONFLICT (name) DO NOTHING RETURNING id
            """;
        cmd.Parameters.AddWithValue("$once", oneTime ? 1 : 0);
        cmd.Parameters.AddWithValue("$language", language);
        cmd.Parameters.AddWithValue("$name", name);
        cmd.Parameters.AddWithValue("$role", role);
        cmd.Parameters.AddWithValue("$hash", _hasher.HashPassword(new User(0, name, role, false), password));
        cmd.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return cmd.ExecuteScalar() is long id ? new User(id, name, role, false, oneTime) : throw new UserException($"user '{name}' already exists");
    }

    /// <summary>How many people may sign in; GateConsole init only makes the first admin of an empty console.</summary>
    public long Count()
    {
        using var c = db.Open();
        return (long)ConsoleDb.Scalar(c, "SELECT COUNT(*) FROM users")!;
    }

    /// <summary>
    /// Replaces a user's password after checking the current one (a stolen session alone cannot lock its owner
    /// out); clears the one-time flag. False when the current password is wrong.
    /// </summary>
    public bool ChangePassword(string name, string current, string replacement)
    {
        CheckStrength(replacement);
        if (replacement == current)
        {
            throw new UserException("the new password must differ from the current one");
        }

        var user = Check(name, current);
        if (user is null)
        {
            return false;
        }

        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE users SET password_hash = $hash, must_change_password = 0 WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", user.Id);
        cmd.Parameters.AddWithValue("$hash", _hasher.HashPassword(user, replacement));
        cmd.ExecuteNonQuery();
        return true;
    }

    private static void CheckStrength(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw new UserException($"a password needs at least {MinPasswordLength} characters");
        }
    }

    /// <summary>The user whose name and password these are, or null; the same work is done for unknown names.</summary>
    public User? Check(string name, string password)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, role, password_hash, disabled, must_change_password FROM users WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name.Trim());
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            // Hashing anyway keeps an unknown name as slow as a wrong password, so timing tells nothing.
            _hasher.VerifyHashedPassword(new User(0, name, "", false), DummyHash.Value, password);
            return null;
        }

        var user = new User(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(4) != 0, r.GetInt64(5) != 0);
        var result = _hasher.VerifyHashedPassword(user, r.GetString(3), password);
        return result != PasswordVerificationResult.Failed && !user.Disabled ? user : null;
    }

    public IReadOnlyList<User> List()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, role, disabled, must_change_password FROM users ORDER BY name";
        using var r = cmd.ExecuteReader();
        var list = new List<User>();
        while (r.Read())
        {
            list.Add(new User(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.GetInt64(4) != 0));
        }

        return list;
    }

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(new User(0, "", "", false), Guid.NewGuid().ToString()));
}
