-- Common-prosperity elements (共富元素: 共富工坊, 市集, 基地, 学堂, 驿站, 食堂, 品牌) placed in
-- villages, with jobs, low-income jobs, the monthly income gain per person (fen) and the
-- yearly income to the collective (fen). A closed element keeps its row (closed_on). Its lon /
-- lat are NULL when it sits at the seat of its village.
CREATE TABLE elements (
    id                    BIGINT PRIMARY KEY,
    kind                  TEXT NOT NULL CHECK (kind IN ('workshop', 'market', 'base', 'school', 'station', 'canteen', 'brand')),
    name                  TEXT NOT NULL,
    village_code          TEXT NOT NULL REFERENCES divisions (code),
    lon                   DOUBLE PRECISION,
    lat                   DOUBLE PRECISION,
    opened_on             TEXT NOT NULL,
    closed_on             TEXT,
    jobs                  BIGINT NOT NULL CHECK (jobs >= 0),
    low_income_jobs       BIGINT NOT NULL CHECK (low_income_jobs >= 0 AND low_income_jobs <= jobs),
    monthly_gain_fen      BIGINT NOT NULL CHECK (monthly_gain_fen >= 0),
    collective_income_fen BIGINT NOT NULL CHECK (collective_income_fen >= 0),
    operator              TEXT NOT NULL DEFAULT '',
    note                  TEXT NOT NULL DEFAULT '',
    version               BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX elements_village ON elements (village_code);

INSERT INTO counters (name, next_id) VALUES ('elements', 0);
