-- Zone work carried to closure: zone plans in versions (一片一规划), projects with investment,
-- sub-items and milestones (清单式、项目化、闭环式), the joint committee with its meetings,
-- decisions and action items (党建联建), actors and their roles in zones (主体联合), and the
-- evidence files attached to plans, milestones and meetings. Portable SQL, as every migration.
-- Nothing here is deleted: records are closed, cancelled or superseded, so the audit log and
-- the timeline keep pointing at something.

CREATE TABLE zone_plans (
    id                BIGINT PRIMARY KEY,
    zone_id           BIGINT NOT NULL REFERENCES zones (id),
    version_no        BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'review', 'approved', 'superseded')),
    positioning       TEXT NOT NULL DEFAULT '',
    spatial_structure TEXT NOT NULL DEFAULT '',
    industry_layout   TEXT NOT NULL DEFAULT '',
    -- Areas in hundredths of a mu (亩), exact.
    land_use_cmu      BIGINT NOT NULL DEFAULT 0,
    reserved_cmu      BIGINT NOT NULL DEFAULT 0,
    reserve_note      TEXT NOT NULL DEFAULT '',
    operation_model   TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    approved_by       TEXT,
    approved_at       TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    UNIQUE (zone_id, version_no)
);

-- 建设任务 of a plan version, in order; projects point at them.
CREATE TABLE plan_tasks (
    id      BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES zone_plans (id),
    seq     BIGINT NOT NULL,
    title   TEXT NOT NULL,
    UNIQUE (plan_id, seq)
);

CREATE TABLE committee_members (
    id      BIGINT PRIMARY KEY,
    zone_id BIGINT NOT NULL REFERENCES zones (id),
    person  TEXT NOT NULL DEFAULT '',
    unit    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('lead', 'department', 'village', 'association', 'enterprise', 'other')),
    title   TEXT NOT NULL DEFAULT '',
    active  BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX committee_members_zone ON committee_members (zone_id);

CREATE TABLE meetings (
    id         BIGINT PRIMARY KEY,
    zone_id    BIGINT NOT NULL REFERENCES zones (id),
    held_on    TEXT NOT NULL,
    title      TEXT NOT NULL,
    location   TEXT NOT NULL DEFAULT '',
    -- One attendee per line.
    attendees  TEXT NOT NULL,
    agenda     TEXT NOT NULL DEFAULT '',
    minutes    TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX meetings_zone ON meetings (zone_id, held_on);

CREATE TABLE decisions (
    id         BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    seq        BIGINT NOT NULL,
    text       TEXT NOT NULL,
    UNIQUE (meeting_id, seq)
);

CREATE TABLE action_items (
    id            BIGINT PRIMARY KEY,
    zone_id       BIGINT NOT NULL REFERENCES zones (id),
    decision_id   BIGINT REFERENCES decisions (id),
    title         TEXT NOT NULL,
    owner_unit    TEXT NOT NULL,
    owner_user_id BIGINT REFERENCES users (id),
    due_on        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    done_on       TEXT,
    result        TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX action_items_zone ON action_items (zone_id);
CREATE INDEX action_items_owner ON action_items (owner_user_id);

CREATE TABLE projects (
    id                   BIGINT PRIMARY KEY,
    zone_id              BIGINT NOT NULL REFERENCES zones (id),
    name                 TEXT NOT NULL,
    mechanism            TEXT NOT NULL CHECK (mechanism IN ('planning', 'party_building', 'alliance', 'joint_operation', 'industry_chain', 'facilities', 'talent', 'benefit_sharing')),
    kind                 TEXT NOT NULL CHECK (kind IN ('infrastructure', 'industry', 'public_service', 'ecology', 'culture_tourism', 'digital', 'other')),
    lead_unit            TEXT NOT NULL,
    -- Investment in fen by source (财政, 村集体, 社会资本), planned and actual.
    planned_fiscal_fen     BIGINT NOT NULL DEFAULT 0,
    planned_collective_fen BIGINT NOT NULL DEFAULT 0,
    planned_social_fen     BIGINT NOT NULL DEFAULT 0,
    actual_fiscal_fen      BIGINT NOT NULL DEFAULT 0,
    actual_collective_fen  BIGINT NOT NULL DEFAULT 0,
    actual_social_fen      BIGINT NOT NULL DEFAULT 0,
    start_on             TEXT,
    end_on               TEXT,
    status               TEXT NOT NULL CHECK (status IN ('conceived', 'approved', 'building', 'completed', 'operating', 'accepted')),
    reported_progress    BIGINT NOT NULL DEFAULT 0 CHECK (reported_progress BETWEEN 0 AND 100),
    -- Where it came from: a plan task or a meeting decision (at most one).
    plan_task_id         BIGINT REFERENCES plan_tasks (id),
    decision_id          BIGINT REFERENCES decisions (id),
    note                 TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    CHECK (plan_task_id IS NULL OR decision_id IS NULL)
);
CREATE INDEX projects_zone ON projects (zone_id);

CREATE TABLE project_villages (
    project_id   BIGINT NOT NULL REFERENCES projects (id),
    village_code TEXT NOT NULL REFERENCES divisions (code),
    PRIMARY KEY (project_id, village_code)
);

-- 子项, in order; the project's progress rolls up from them by weight.
CREATE TABLE project_items (
    id         BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    seq        BIGINT NOT NULL,
    name       TEXT NOT NULL,
    weight     BIGINT NOT NULL CHECK (weight BETWEEN 1 AND 1000),
    progress   BIGINT NOT NULL CHECK (progress BETWEEN 0 AND 100),
    UNIQUE (project_id, seq)
);

CREATE TABLE milestones (
    id         BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    name       TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    done_on    TEXT,
    note       TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX milestones_project ON milestones (project_id);

CREATE TABLE actors (
    id             BIGINT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('enterprise', 'cooperative', 'association', 'social_org', 'financial', 'state_company', 'collective')),
    credit_code    TEXT NOT NULL UNIQUE,
    contact_person TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE zone_actors (
    zone_id  BIGINT NOT NULL REFERENCES zones (id),
    actor_id BIGINT NOT NULL REFERENCES actors (id),
    role     TEXT NOT NULL,
    PRIMARY KEY (zone_id, actor_id)
);

-- Evidence files. The bytes are base64 text so one column type serves both databases and a
-- backup carries them; 10 MiB at most per file (checked by gongfu-core before insert).
CREATE TABLE attachments (
    id           BIGINT PRIMARY KEY,
    owner_kind   TEXT NOT NULL CHECK (owner_kind IN ('plan', 'milestone', 'meeting', 'project')),
    owner_id     BIGINT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data_b64     TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id);

INSERT INTO counters (name, next_id) VALUES ('zone_plans', 0);
INSERT INTO counters (name, next_id) VALUES ('plan_tasks', 0);
INSERT INTO counters (name, next_id) VALUES ('committee_members', 0);
INSERT INTO counters (name, next_id) VALUES ('meetings', 0);
INSERT INTO counters (name, next_id) VALUES ('decisions', 0);
INSERT INTO counters (name, next_id) VALUES ('action_items', 0);
INSERT INTO counters (name, next_id) VALUES ('projects', 0);
INSERT INTO counters (name, next_id) VALUES ('project_items', 0);
INSERT INTO counters (name, next_id) VALUES ('milestones', 0);
INSERT INTO counters (name, next_id) VALUES ('actors', 0);
INSERT INTO counters (name, next_id) VALUES ('attachments', 0);
