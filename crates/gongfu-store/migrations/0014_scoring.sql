-- Scoring and awards (四联四共评分与奖补, issue 9): rubric versions per kind and year
-- (草案 draft → 已发布 in_force → 已废止 superseded; only drafts are edited), assessments per
-- (kind, year, subject) with their manual entries (经办 entering → 复核 reviewed → 审批 approved;
-- approval freezes snapshot_json), and the yearly award list (草案 draft → 已批准 approved,
-- then locked). Triggers keeping published rubric bodies and approved award lists unchanged are
-- in 0014_scoring.sqlite.sql / 0014_scoring.postgres.sql, appended to this file per backend.
CREATE TABLE scoring_rubrics (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('zone', 'team')),
    year         BIGINT NOT NULL,
    version_no   BIGINT NOT NULL CHECK (version_no > 0),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'in_force', 'superseded')),
    body_json    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_on   TEXT NOT NULL,
    published_by TEXT,
    published_on TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, year, version_no)
);

-- items_json: bonus / penalty counts and vetoes with their reasons; enterers_json: everyone who
-- ever entered a value or item (kept across overwrites, for the separation of duties).
CREATE TABLE scoring_assessments (
    id             BIGINT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('zone', 'team')),
    year           BIGINT NOT NULL,
    subject_id     BIGINT NOT NULL,
    rubric_version BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('entering', 'reviewed', 'approved')),
    items_json     TEXT NOT NULL DEFAULT '{}',
    enterers_json  TEXT NOT NULL DEFAULT '[]',
    reviewed_by    TEXT,
    reviewed_on    TEXT,
    approved_by    TEXT,
    approved_on    TEXT,
    snapshot_json  TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, year, subject_id)
);

CREATE TABLE scoring_entries (
    assessment_id BIGINT NOT NULL REFERENCES scoring_assessments (id),
    rule_key      TEXT NOT NULL,
    input_json    TEXT NOT NULL,
    evidence_json TEXT NOT NULL DEFAULT '{}',
    comment       TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    entered_by    TEXT NOT NULL,
    entered_on    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, rule_key)
);

-- rules_json: the award rules; result_json: the AwardResult (with its AwardInput);
-- inputs_json: which assessments (ids, versions, rubric versions) fed it.
CREATE TABLE award_lists (
    id          BIGINT PRIMARY KEY,
    year        BIGINT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
    rules_json  TEXT NOT NULL,
    result_json TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    drafted_by  TEXT NOT NULL,
    drafted_on  TEXT NOT NULL,
    approved_by TEXT,
    approved_on TEXT,
    version     BIGINT NOT NULL DEFAULT 1
);

INSERT INTO counters (name, next_id) VALUES ('scoring_rubrics', 0);
INSERT INTO counters (name, next_id) VALUES ('scoring_assessments', 0);
INSERT INTO counters (name, next_id) VALUES ('award_lists', 0);
