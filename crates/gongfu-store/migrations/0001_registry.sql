-- Registry, zones, targets and the audit log.
-- Portable SQL: the same text runs on SQLite and PostgreSQL. Money is BIGINT fen, dates are
-- ISO-8601 TEXT, measurements (coordinates, areas) DOUBLE PRECISION. Ids come from the
-- counters table, not from SERIAL / AUTOINCREMENT, which the two databases spell differently.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counters (
    name    TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO counters (name, next_id) VALUES ('zones', 0);
INSERT INTO counters (name, next_id) VALUES ('audit', 0);
-- Bumped by every write; readers reload their cached snapshot when it moves.
INSERT INTO counters (name, next_id) VALUES ('generation', 1);

CREATE TABLE towns (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    terrain TEXT NOT NULL DEFAULT '',
    lon     DOUBLE PRECISION,
    lat     DOUBLE PRECISION
);

CREATE TABLE divisions (
    code          TEXT PRIMARY KEY,
    town_code     TEXT NOT NULL REFERENCES towns (code),
    name          TEXT NOT NULL,
    official_name TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('village', 'community')),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'withdrawn')),
    status_from   TEXT,
    merged_into   TEXT,
    lon           DOUBLE PRECISION,
    lat           DOUBLE PRECISION,
    boundary      TEXT,
    tags          TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX divisions_town ON divisions (town_code);

CREATE TABLE village_years (
    village_code          TEXT NOT NULL REFERENCES divisions (code),
    year                  BIGINT NOT NULL,
    population            BIGINT NOT NULL,
    households            BIGINT NOT NULL,
    operating_income_fen  BIGINT NOT NULL,
    disposable_income_fen BIGINT NOT NULL,
    area_km2              DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (village_code, year)
);

CREATE TABLE zones (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    theme         TEXT NOT NULL DEFAULT '',
    key_village   TEXT NOT NULL REFERENCES divisions (code),
    lead_official TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    founded_on    TEXT NOT NULL,
    dissolved_on  TEXT,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX zones_name_live ON zones (name) WHERE dissolved_on IS NULL;

CREATE TABLE zone_members (
    zone_id      BIGINT NOT NULL REFERENCES zones (id),
    village_code TEXT NOT NULL REFERENCES divisions (code),
    role         TEXT NOT NULL CHECK (role IN ('key', 'linked')),
    from_date    TEXT NOT NULL,
    to_date      TEXT
);
-- The database's own guard for "a village belongs to at most one consortium at a time".
CREATE UNIQUE INDEX zone_members_one_open ON zone_members (village_code) WHERE to_date IS NULL;
CREATE INDEX zone_members_zone ON zone_members (zone_id);

CREATE TABLE zone_designations (
    zone_id BIGINT NOT NULL REFERENCES zones (id),
    year    BIGINT NOT NULL,
    tier    TEXT NOT NULL,
    status  TEXT NOT NULL,
    PRIMARY KEY (zone_id, year)
);

CREATE TABLE targets (
    year   BIGINT NOT NULL,
    metric TEXT NOT NULL,
    value  BIGINT NOT NULL,
    note   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, metric)
);

CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
