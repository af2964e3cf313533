-- Benefit sharing (利益共享, issue 8): entities (强村公司, 片区平台公司, 股份经济合作社, 合作社)
-- with their holders and share classes; change requests (待审批 pending → 已批准 approved /
-- 已驳回 refused) whose approval appends an immutable numbered register line; yearly
-- distributions (草案 draft → 审核 review → 已批准 approved, then locked) with their payouts in
-- integer fen. A correction is a new distribution naming the approved one it corrects.
-- The triggers that keep register lines and approved distributions unchangeable are in
-- 0013_equity.sqlite.sql / 0013_equity.postgres.sql, appended to this file per backend.
CREATE TABLE equity_entities (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('strong_village_company', 'zone_platform', 'joint_stock_cooperative', 'cooperative')),
    name        TEXT NOT NULL,
    zone_id     BIGINT REFERENCES zones (id),
    credit_code TEXT,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE equity_holders (
    id           BIGINT PRIMARY KEY,
    entity_id    BIGINT NOT NULL REFERENCES equity_entities (id),
    kind         TEXT NOT NULL CHECK (kind IN ('village_collective', 'enterprise', 'state_company', 'household', 'member')),
    name         TEXT NOT NULL,
    village_code TEXT REFERENCES divisions (code)
);
CREATE INDEX equity_holders_entity ON equity_holders (entity_id);

-- Class ids are the entity's own numbers (1, 2, 3 …); `position` is the configured order,
-- which is also the distribution's tie-break order between classes.
CREATE TABLE equity_classes (
    entity_id  BIGINT NOT NULL REFERENCES equity_entities (id),
    id         BIGINT NOT NULL,
    position   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    class_kind TEXT NOT NULL CHECK (class_kind IN ('ordinary', 'collective', 'individual', 'incentive')),
    basis      TEXT NOT NULL CHECK (basis IN ('equal', 'population', 'capital', 'land_area', 'trade_volume', 'shares')),
    split_bp   BIGINT NOT NULL CHECK (split_bp >= 0 AND split_bp <= 10000),
    PRIMARY KEY (entity_id, id)
);

CREATE TABLE equity_requests (
    id           BIGINT PRIMARY KEY,
    entity_id    BIGINT NOT NULL REFERENCES equity_entities (id),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    effective    TEXT NOT NULL,
    change_json  TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    decided_by   TEXT,
    decided_on   TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    line_no      BIGINT,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX equity_requests_entity ON equity_requests (entity_id);

-- Immutable: no UPDATE, no DELETE (triggers per backend).
CREATE TABLE equity_register_lines (
    entity_id   BIGINT NOT NULL REFERENCES equity_entities (id),
    line_no     BIGINT NOT NULL CHECK (line_no > 0),
    effective   TEXT NOT NULL,
    change_json TEXT NOT NULL,
    request_id  BIGINT NOT NULL REFERENCES equity_requests (id),
    approved_by TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    PRIMARY KEY (entity_id, line_no)
);

-- waterfall_json: the WaterfallParts; inputs_json: net income, prior loss, reserves available;
-- result_json: the computed distribution (steps, class pools, payout parts) as drafted.
CREATE TABLE equity_distributions (
    id             BIGINT PRIMARY KEY,
    entity_id      BIGINT NOT NULL REFERENCES equity_entities (id),
    year           BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'review', 'approved')),
    waterfall_json TEXT NOT NULL,
    inputs_json    TEXT NOT NULL,
    result_json    TEXT NOT NULL,
    net_income_fen BIGINT NOT NULL,
    retained_fen   BIGINT NOT NULL,
    corrects       BIGINT REFERENCES equity_distributions (id),
    drafted_by     TEXT NOT NULL,
    drafted_on     TEXT NOT NULL,
    approved_by    TEXT,
    approved_on    TEXT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX equity_distributions_entity ON equity_distributions (entity_id, year);

CREATE TABLE equity_payouts (
    distribution_id BIGINT NOT NULL REFERENCES equity_distributions (id),
    holder_id       BIGINT NOT NULL REFERENCES equity_holders (id),
    amount_fen      BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (distribution_id, holder_id)
);

INSERT INTO counters (name, next_id) VALUES ('equity_entities', 0);
INSERT INTO counters (name, next_id) VALUES ('equity_holders', 0);
INSERT INTO counters (name, next_id) VALUES ('equity_requests', 0);
INSERT INTO counters (name, next_id) VALUES ('equity_distributions', 0);
