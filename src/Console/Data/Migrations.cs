namespace GateWatch.Central.Data;

/// <summary>
/// The schema, one step per version. Steps are only ever appended: a released step never changes, so
/// every console's database arrives at the same schema whatever version it started from.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<string> Steps =
    [
        // 1: people, agents and what agents send.
        """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role          TEXT NOT NULL CHECK (role IN ('guard', 'reviewer', 'investigator', 'admin')),
            password_hash TEXT NOT NULL,
            created_ms    INTEGER NOT NULL,
            disabled      INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE agents (
            id            TEXT PRIMARY KEY,
            name          TEXT NOT NULL,
            url           TEXT NOT NULL,
            key_hash      TEXT NOT NULL,
            api_key       TEXT NOT NULL,
            created_ms    INTEGER NOT NULL,
            last_seen_ms  INTEGER
        );
        CREATE TABLE events (
            id            TEXT PRIMARY KEY,
            agent         TEXT NOT NULL REFERENCES agents (id),
            seq           INTEGER NOT NULL,
            camera        TEXT NOT NULL,
            type          TEXT NOT NULL,
            time_ms       INTEGER NOT NULL,
            data          TEXT NOT NULL,
            received_ms   INTEGER NOT NULL
        );
        CREATE INDEX events_by_time ON events (time_ms);
        CREATE INDEX events_by_camera ON events (agent, camera, time_ms);
        """,

        // 2: the audit log. The triggers make it append-only for every connection, the product's own
        // included; seq is assigned by AuditLog (not AUTOINCREMENT) because it is part of each hash.
        """
        CREATE TABLE audit (
            seq        INTEGER PRIMARY KEY,
            time_ms    INTEGER NOT NULL,
            actor      TEXT NOT NULL,
            action     TEXT NOT NULL,
            target     TEXT NOT NULL,
            outcome    TEXT NOT NULL,
            detail     TEXT NOT NULL,
            prev_hash  TEXT NOT NULL,
            hash       TEXT NOT NULL
        );
        CREATE INDEX audit_by_action ON audit (action, seq);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'audit is append-only');
        END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'audit is append-only');
        END;
        """,

        // 3: acknowledgements of alerts. An alert is an event of an alerting type; acknowledging it is a
        // separate row, so the event as the agent sent it is never changed.
        """
        CREATE TABLE acknowledgements (
            event_id   TEXT PRIMARY KEY REFERENCES events (id),
            by_user    TEXT NOT NULL,
            time_ms    INTEGER NOT NULL,
            note       TEXT NOT NULL
        );
        """,

        // 4: cases, the clips copied into them from agents, and the evidence packages made of them. A clip's
        // file is relative to the data folder, so the folder can be moved or restored elsewhere whole.
        """
        CREATE TABLE cases (
            id           INTEGER PRIMARY KEY,
            number       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description  TEXT NOT NULL,
            created_by   TEXT NOT NULL,
            created_ms   INTEGER NOT NULL
        );
        CREATE TABLE case_clips (
            id           INTEGER PRIMARY KEY,
            case_id      INTEGER NOT NULL REFERENCES cases (id),
            agent        TEXT NOT NULL,
            camera       TEXT NOT NULL,
            from_ms      INTEGER NOT NULL,
            to_ms        INTEGER NOT NULL,
            reason       TEXT NOT NULL,
            added_by     TEXT NOT NULL,
            added_ms     INTEGER NOT NULL,
            file         TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            bytes        INTEGER NOT NULL,
            duration_s   REAL NOT NULL,
            gaps         TEXT NOT NULL
        );
        CREATE INDEX case_clips_by_case ON case_clips (case_id);
        CREATE TABLE case_packages (
            id           INTEGER PRIMARY KEY,
            case_id      INTEGER NOT NULL REFERENCES cases (id),
            file         TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            bytes        INTEGER NOT NULL,
            created_by   TEXT NOT NULL,
            created_ms   INTEGER NOT NULL
        );
        CREATE INDEX case_packages_by_case ON case_packages (case_id);
        """,

        // 5: vehicle access control by plate. A read is the console's copy of the plate in a crossing event,
        // with the list status and the alert decided when it arrived (a later list change does not rewrite
        // what the guard was told). Plates are stored twice: as read (for people) and as upper-case letters
        // and digits (for comparing; dashes, dots and spaces are print). Reads are personal data and are
        // deleted after the console's retention (PlateRetention); the lists are kept until an admin edits them.
        """
        CREATE TABLE plate_reads (
            event_id     TEXT PRIMARY KEY REFERENCES events (id),
            agent        TEXT NOT NULL,
            camera       TEXT NOT NULL,
            time_ms      INTEGER NOT NULL,
            text         TEXT NOT NULL,
            plate        TEXT NOT NULL,
            confidence   REAL NOT NULL,
            crop         TEXT,
            class        TEXT NOT NULL,
            direction    TEXT NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('allowed', 'denied', 'visitor', 'unlisted')),
            matched      TEXT NOT NULL,
            alert        TEXT CHECK (alert IN ('plate-denied', 'plate-unlisted'))
        );
        CREATE INDEX plate_reads_by_time ON plate_reads (time_ms);
        CREATE INDEX plate_reads_by_camera ON plate_reads (agent, camera, time_ms);
        CREATE INDEX plate_reads_alerts ON plate_reads (time_ms) WHERE alert IS NOT NULL;
        CREATE TABLE plate_allowed (
            id           INTEGER PRIMARY KEY,
            plate        TEXT NOT NULL UNIQUE,
            text         TEXT NOT NULL,
            owner        TEXT NOT NULL,
            company      TEXT NOT NULL,
            valid_from   TEXT,
            valid_to     TEXT,
            added_by     TEXT NOT NULL,
            added_ms     INTEGER NOT NULL
        );
        CREATE TABLE plate_denied (
            id           INTEGER PRIMARY KEY,
            plate        TEXT NOT NULL UNIQUE,
            text         TEXT NOT NULL,
            reason       TEXT NOT NULL,
            added_by     TEXT NOT NULL,
            added_ms     INTEGER NOT NULL
        );
        CREATE TABLE plate_visitors (
            id           INTEGER PRIMARY KEY,
            plate        TEXT NOT NULL,
            text         TEXT NOT NULL,
            host         TEXT NOT NULL,
            day          TEXT NOT NULL,
            added_by     TEXT NOT NULL,
            added_ms     INTEGER NOT NULL,
            UNIQUE (plate, day)
        );
        CREATE TABLE plate_policies (
            agent        TEXT NOT NULL,
            camera       TEXT NOT NULL,
            policy       TEXT NOT NULL CHECK (policy IN ('log', 'alert-denied', 'alert-unlisted')),
            set_by       TEXT NOT NULL,
            set_ms       INTEGER NOT NULL,
            PRIMARY KEY (agent, camera)
        );
        CREATE TABLE plate_settings (
            key          TEXT PRIMARY KEY,
            value        TEXT NOT NULL,
            set_by       TEXT NOT NULL,
            set_ms       INTEGER NOT NULL
        );
        """,

        // 6: the cameras each agent listed in its last health answer ([{"id", "name"}] as JSON), so a box that goes
        // dark keeps its tiles, with their names, on the wall; cameras that never sent an event included.
        """
        ALTER TABLE agents ADD COLUMN cameras TEXT;
        """,

        // 7: the SHA-256 of the certificate an https agent serves its API with, pinned at registration (agents make
        // their own certificates, which no CA vouches for); null trusts the system's CAs.
        """
        ALTER TABLE agents ADD COLUMN tls_pin TEXT;
        """,

        // 8: a first admin's one-time password (GateConsole init) must be replaced at the first sign-in; and the
        // one-time codes an agent enrols with instead of keys copied by hand (only the code's SHA-256 is kept).
        """
        ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE enrolment_codes (
            code_hash    TEXT PRIMARY KEY,
            agent_id     TEXT NOT NULL,
            name         TEXT NOT NULL,
            made_by      TEXT NOT NULL,
            made_ms      INTEGER NOT NULL,
            expires_ms   INTEGER NOT NULL,
            used_ms      INTEGER,
            used_from    TEXT
        );
        """,

        // 9: the park's shifts (minutes after local midnight; an end before the start runs past midnight), seeded
        // with the common three-shift day, and the notes guards leave for the next shift, per gate and shift.
        """
        CREATE TABLE shifts (
            position      INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
            end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439)
        );
        INSERT INTO shifts (position, name, start_minute, end_minute) VALUES
            (1, 'Ca sáng', 360, 840), (2, 'Ca chiều', 840, 1320), (3, 'Ca đêm', 1320, 360);
        CREATE TABLE shift_notes (
            id             INTEGER PRIMARY KEY,
            agent          TEXT NOT NULL,
            shift_start_ms INTEGER NOT NULL,
            shift_name     TEXT NOT NULL,
            by_user        TEXT NOT NULL,
            time_ms        INTEGER NOT NULL,
            text           TEXT NOT NULL
        );
        CREATE INDEX shift_notes_by_gate ON shift_notes (agent, shift_start_ms);
        """,

        // 10: the language each user reads the console in, remembered across sign-ins and devices; Vietnamese first.
        """
        ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en'));
        """,
    ];
}
