-- Shared facilities (设施共通): the facilities registry and each village's infrastructure
-- checklist (一片一标准). Portable SQL, as every migration.
--
-- A facility's lon / lat are NULL when it sits at the seat of its village (the village point
-- is then used). Nothing is deleted: a facility out of use is 'closed' (停用).
CREATE TABLE facilities (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('clinic', 'elderly_care', 'childcare', 'school', 'culture', 'service_centre', 'farmers_market', 'agri_service', 'processing', 'cold_chain')),
    name         TEXT NOT NULL,
    village_code TEXT NOT NULL REFERENCES divisions (code),
    lon          DOUBLE PRECISION,
    lat          DOUBLE PRECISION,
    capacity     BIGINT,
    status       TEXT NOT NULL CHECK (status IN ('planned', 'building', 'open', 'closed')),
    opening_year BIGINT,
    upkeep_unit  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX facilities_village ON facilities (village_code);

-- One row per village and item once assessed; no row means not yet assessed (未填报).
CREATE TABLE village_infra (
    village_code TEXT NOT NULL REFERENCES divisions (code),
    item         TEXT NOT NULL CHECK (item IN ('public_transport', 'water', 'power', 'gas', 'network')),
    status       TEXT NOT NULL CHECK (status IN ('compliant', 'non_compliant', 'not_applicable')),
    gap          TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (village_code, item)
);

INSERT INTO counters (name, next_id) VALUES ('facilities', 0);
