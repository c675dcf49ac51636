-- A console database as GateConsole schema version 6 made it (commit 43cdf1c, 2026-12-02): created with that
-- build's own commands and API (an admin, a guard and an investigator with password golden-password-1, agent
-- gate-north, four delivered events with a plate read, an acknowledged crowd alert, case CA-2026-0042), then
-- dumped with Python's sqlite3 iterdump. Kept as text so a change to it shows in review; never regenerated.
BEGIN TRANSACTION;
CREATE TABLE acknowledgements (
    event_id   TEXT PRIMARY KEY REFERENCES events (id),
    by_user    TEXT NOT NULL,
    time_ms    INTEGER NOT NULL,
    note       TEXT NOT NULL
);
INSERT INTO "acknowledgements" VALUES('gate-north-00000003','guard',1796221045547,'workers waiting for the bus');
CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL,
    key_hash      TEXT NOT NULL,
    api_key       TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    last_seen_ms  INTEGER
, cameras TEXT);
INSERT INTO "agents" VALUES('gate-north','North gate','http://127.0.0.1:8710/','afd656c1044e89c4687f8ad969b08780e9d266d57276e5a2e9ca4908fcd4fc73','agent-api-key-golden-0123',1796220999612,1796221039281,NULL);
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
INSERT INTO "audit" VALUES(1,1796220999885,'cli','agent-registered','agent:gate-north','ok','127.0.0.1:8710','0000000000000000000000000000000000000000000000000000000000000000','08e8246d347667c3918b6774fbe8924d0b63a66f9ee4cf12c487a35da0d7c0d3');
INSERT INTO "audit" VALUES(2,1796221015374,'guard','login','console','ok','guard, from 127.0.0.1','08e8246d347667c3918b6774fbe8924d0b63a66f9ee4cf12c487a35da0d7c0d3','564f379e2180971c9fa0f52111245a077981ef1aa42df06608e1a9dfd9ab2b7b');
INSERT INTO "audit" VALUES(3,1796221045198,'guard','login','console','ok','guard, from 127.0.0.1','564f379e2180971c9fa0f52111245a077981ef1aa42df06608e1a9dfd9ab2b7b','08d21522eebf65aa440f7299d1ce6f37e54830f9243157611ff37e5b02258523');
INSERT INTO "audit" VALUES(4,1796221045592,'guard','acknowledge','alert:gate-north-00000003','ok','workers waiting for the bus','08d21522eebf65aa440f7299d1ce6f37e54830f9243157611ff37e5b02258523','bc418071249dcf1823636e9f2fbb423e505e9379973d1b5dad0667e5bd5a0536');
INSERT INTO "audit" VALUES(5,1796221049600,'investigator','login','console','ok','investigator, from 127.0.0.1','bc418071249dcf1823636e9f2fbb423e505e9379973d1b5dad0667e5bd5a0536','b75dbd37633e44ad4f75df0ab86678507cb9277838a1fa1f05a2f9bcbc4d3a9c');
INSERT INTO "audit" VALUES(6,1796221049819,'investigator','case-created','case:CA-2026-0042','failed','description: what the case is about, 1 to 4000 characters','b75dbd37633e44ad4f75df0ab86678507cb9277838a1fa1f05a2f9bcbc4d3a9c','9a7b66d8ff745893a3a3c53450e0c7c69e1716c71d5353dbb878333076943f6f');
INSERT INTO "audit" VALUES(7,1796221079328,'investigator','login','console','ok','investigator, from 127.0.0.1','9a7b66d8ff745893a3a3c53450e0c7c69e1716c71d5353dbb878333076943f6f','fca1c4478e35c9c8bda827e0ded2944d39fd483331a4d6ae5251d78200bcd76a');
INSERT INTO "audit" VALUES(8,1796221079796,'investigator','case-created','case:CA-2026-0042','ok','id 1','fca1c4478e35c9c8bda827e0ded2944d39fd483331a4d6ae5251d78200bcd76a','c0dbd92623c4dfd198c43934333203382b5aade167e91967c1fd7016b89aee95');
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
CREATE TABLE case_packages (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    file         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL
);
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description  TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL
);
INSERT INTO "cases" VALUES(1,'CA-2026-0042','Gate incident 1 Dec','investigator',1796221079685);
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
INSERT INTO "events" VALUES('gate-north-00000001','gate-north',1,'north-1','crossing',1796081400000,'{"line":"gate","direction":"in","trackId":3,"class":"person"}',1796221039389);
INSERT INTO "events" VALUES('gate-north-00000002','gate-north',2,'north-1','crossing',1796087400000,'{"line":"gate","direction":"out","trackId":4,"class":"motorcycle","plate":{"text":"59X1-234.56","confidence":0.91,"crop":"p-gate-north-00000002.jpg"}}',1796221039389);
INSERT INTO "events" VALUES('gate-north-00000003','gate-north',3,'north-1','crowd-start',1796088000000,'{"zone":"gate","peak":14}',1796221039389);
INSERT INTO "events" VALUES('gate-north-00000004','gate-north',4,'north-1','camera-offline',1796090400000,'{"reason":"no video"}',1796221039389);
INSERT INTO "events" VALUES('console-gate-north-agent-unreachable-1796221072824','gate-north',0,'','agent-unreachable',1796221072824,'{"problem":"agent gate-north at 127.0.0.1:8710 cannot be reached (Connection refused (127.0.0.1:8710))","lastSeen":"2026-12-02T14:17:19.281+00:00"}',1796221072824);
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
CREATE TABLE plate_policies (
    agent        TEXT NOT NULL,
    camera       TEXT NOT NULL,
    policy       TEXT NOT NULL CHECK (policy IN ('log', 'alert-denied', 'alert-unlisted')),
    set_by       TEXT NOT NULL,
    set_ms       INTEGER NOT NULL,
    PRIMARY KEY (agent, camera)
);
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
INSERT INTO "plate_reads" VALUES('gate-north-00000002','gate-north','north-1',1796087400000,'59X1-234.56','59X123456',0.91,'p-gate-north-00000002.jpg','motorcycle','out','unlisted','',NULL);
CREATE TABLE plate_settings (
    key          TEXT PRIMARY KEY,
    value        TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_ms       INTEGER NOT NULL
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
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO "schema_version" VALUES(1);
INSERT INTO "schema_version" VALUES(2);
INSERT INTO "schema_version" VALUES(3);
INSERT INTO "schema_version" VALUES(4);
INSERT INTO "schema_version" VALUES(5);
INSERT INTO "schema_version" VALUES(6);
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('guard', 'reviewer', 'investigator', 'admin')),
    password_hash TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "users" VALUES(1,'admin','admin','AQAAAAIAAYagAAAAEAmuTfno8RDZirK5oOhO7oZPGVeFnsFXU09weILUJzpL6UsqcsEEiniFWlwoVosHuw==',1796220987385,0);
INSERT INTO "users" VALUES(2,'guard','guard','AQAAAAIAAYagAAAAEPdryYPAT08fIsMbGx2JvtNIABMkhOGycePkawPf+n6tCLjctBUEDj0EWx+nwbs90w==',1796220991235,0);
INSERT INTO "users" VALUES(3,'investigator','investigator','AQAAAAIAAYagAAAAEFE0Xpx4NembKd8q1hrAZIYQ3vhDMUiwUZQIxKa/V2p04NmInP4nFLld+7YzWEs9VA==',1796220996512,0);
CREATE INDEX events_by_time ON events (time_ms);
CREATE INDEX events_by_camera ON events (agent, camera, time_ms);
CREATE INDEX audit_by_action ON audit (action, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE INDEX case_clips_by_case ON case_clips (case_id);
CREATE INDEX case_packages_by_case ON case_packages (case_id);
CREATE INDEX plate_reads_by_time ON plate_reads (time_ms);
CREATE INDEX plate_reads_by_camera ON plate_reads (agent, camera, time_ms);
CREATE INDEX plate_reads_alerts ON plate_reads (time_ms) WHERE alert IS NOT NULL;
COMMIT;
