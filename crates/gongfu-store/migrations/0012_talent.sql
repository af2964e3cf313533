-- Talent (人才共创): training sessions (培训) for a zone or the whole district (zone_id NULL),
-- entrepreneurs (创业人才: 农创客, 新农人, 返乡青年) in a zone's village with their project and
-- incubator, the support they applied for (申请中 → 已批准 / 已驳回; integer fen over a period),
-- and their yearly reviews (年度考评). An 以奖代补 award names the review it rests on.
CREATE TABLE talent_trainings (
    id           BIGINT PRIMARY KEY,
    zone_id      BIGINT REFERENCES zones (id),
    topic        TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    attendees    BIGINT NOT NULL CHECK (attendees > 0),
    hours_tenths BIGINT NOT NULL CHECK (hours_tenths > 0),
    audience     TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX talent_trainings_zone ON talent_trainings (zone_id);

CREATE TABLE talent_entrepreneurs (
    id           BIGINT PRIMARY KEY,
    zone_id      BIGINT NOT NULL REFERENCES zones (id),
    village_code TEXT NOT NULL REFERENCES divisions (code),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('agri_maker', 'new_farmer', 'returning_youth')),
    project      TEXT NOT NULL,
    incubator    TEXT NOT NULL DEFAULT '',
    since        TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX talent_entrepreneurs_zone ON talent_entrepreneurs (zone_id);

CREATE TABLE talent_reviews (
    id              BIGINT PRIMARY KEY,
    entrepreneur_id BIGINT NOT NULL REFERENCES talent_entrepreneurs (id),
    year            BIGINT NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('excellent', 'good', 'pass', 'fail')),
    comment         TEXT NOT NULL DEFAULT '',
    reviewer        TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    UNIQUE (entrepreneur_id, year)
);

CREATE TABLE talent_supports (
    id              BIGINT PRIMARY KEY,
    entrepreneur_id BIGINT NOT NULL REFERENCES talent_entrepreneurs (id),
    kind            TEXT NOT NULL CHECK (kind IN ('rent_relief', 'living_subsidy', 'loan', 'guarantee', 'award')),
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    from_on         TEXT NOT NULL,
    to_on           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'refused')),
    applied_by      TEXT NOT NULL,
    applied_on      TEXT NOT NULL,
    decided_by      TEXT,
    decided_on      TEXT,
    reason          TEXT NOT NULL DEFAULT '',
    review_id       BIGINT REFERENCES talent_reviews (id),
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX talent_supports_entrepreneur ON talent_supports (entrepreneur_id);

INSERT INTO counters (name, next_id) VALUES ('talent_trainings', 0);
INSERT INTO counters (name, next_id) VALUES ('talent_entrepreneurs', 0);
INSERT INTO counters (name, next_id) VALUES ('talent_reviews', 0);
INSERT INTO counters (name, next_id) VALUES ('talent_supports', 0);
