-- The public-service layout of a zone plan (设施共通 in 一片一规划): for a service type, the
-- hub (中心服务区) and service points (功能服务点) the service planner proposed and a planner
-- saved into the zone's draft plan, with the coverage before and after and the stated gap.
-- One layout per plan version and facility type; a new version copies them.
CREATE TABLE plan_service_layouts (
    plan_id       BIGINT NOT NULL REFERENCES zone_plans (id),
    facility_type TEXT NOT NULL,
    model         TEXT NOT NULL,
    radius_m      DOUBLE PRECISION NOT NULL,
    covered_before BIGINT NOT NULL,
    covered_after  BIGINT NOT NULL,
    total_weight   BIGINT NOT NULL,
    gap_text      TEXT NOT NULL,
    method        TEXT NOT NULL,
    saved_by      TEXT NOT NULL,
    saved_at      TEXT NOT NULL,
    PRIMARY KEY (plan_id, facility_type)
);

CREATE TABLE plan_service_sites (
    plan_id       BIGINT NOT NULL REFERENCES zone_plans (id),
    facility_type TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    village_code  TEXT NOT NULL REFERENCES divisions (code),
    role          TEXT NOT NULL CHECK (role IN ('hub', 'point')),
    added_weight  BIGINT NOT NULL,
    PRIMARY KEY (plan_id, facility_type, seq)
);
