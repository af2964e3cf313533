-- Operating teams (运营团队): the company or team running zones under contract, optionally the
-- registry actor that is its company. Business types are their keys joined by commas.
CREATE TABLE teams (
    id             BIGINT PRIMARY KEY,
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL DEFAULT '',
    actor_id       BIGINT REFERENCES actors (id),
    contact_person TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    business_types TEXT NOT NULL,
    contract_start TEXT NOT NULL,
    contract_end   TEXT NOT NULL,
    terms          TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1
);

-- The zones a team serves (服务片区), from a day until a day (NULL: open).
CREATE TABLE team_zones (
    team_id   BIGINT NOT NULL REFERENCES teams (id),
    zone_id   BIGINT NOT NULL REFERENCES zones (id),
    from_day  TEXT NOT NULL,
    until_day TEXT,
    PRIMARY KEY (team_id, zone_id)
);

-- A team's yearly figures in one zone (运营绩效), money in fen; one row per team, zone, year.
CREATE TABLE team_kpis (
    id                    BIGINT PRIMARY KEY,
    team_id               BIGINT NOT NULL REFERENCES teams (id),
    zone_id               BIGINT NOT NULL REFERENCES zones (id),
    year                  BIGINT NOT NULL,
    revenue_fen           BIGINT NOT NULL CHECK (revenue_fen >= 0),
    visitors              BIGINT NOT NULL CHECK (visitors >= 0),
    events                BIGINT NOT NULL CHECK (events >= 0),
    jobs                  BIGINT NOT NULL CHECK (jobs >= 0),
    collective_income_fen BIGINT NOT NULL CHECK (collective_income_fen >= 0),
    version               BIGINT NOT NULL DEFAULT 1,
    UNIQUE (team_id, zone_id, year)
);
CREATE INDEX team_kpis_zone ON team_kpis (zone_id, year);

-- One operation plan per zone (运营方案, 一片一IP) with its optional logo: PNG or JPG of at most
-- 1 MB, base64 text with its SHA-256 like evidence files.
CREATE TABLE zone_operation_plans (
    zone_id           BIGINT PRIMARY KEY REFERENCES zones (id),
    theme             TEXT NOT NULL DEFAULT '',
    market_analysis   TEXT NOT NULL DEFAULT '',
    product_design    TEXT NOT NULL DEFAULT '',
    promotion         TEXT NOT NULL DEFAULT '',
    ip_name           TEXT NOT NULL DEFAULT '',
    logo_name         TEXT,
    logo_type         TEXT,
    logo_size         BIGINT,
    logo_sha256       TEXT,
    logo_b64          TEXT,
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        TEXT NOT NULL DEFAULT '',
    version           BIGINT NOT NULL DEFAULT 1
);

-- Yearly evaluations (年度考评), appended and never changed: the team's evaluation history.
CREATE TABLE team_evaluations (
    id           BIGINT PRIMARY KEY,
    team_id      BIGINT NOT NULL REFERENCES teams (id),
    year         BIGINT NOT NULL,
    score_tenths BIGINT NOT NULL CHECK (score_tenths >= 0 AND score_tenths <= 1000),
    grade        TEXT NOT NULL CHECK (grade IN ('excellent', 'good', 'pass', 'fail')),
    comment      TEXT NOT NULL DEFAULT '',
    reviewer     TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX team_evaluations_team ON team_evaluations (team_id, year);

INSERT INTO counters (name, next_id) VALUES ('teams', 0);
INSERT INTO counters (name, next_id) VALUES ('team_kpis', 0);
INSERT INTO counters (name, next_id) VALUES ('team_evaluations', 0);
