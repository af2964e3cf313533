-- Planning scenarios (片区规划方案): proposals of the zone planner saved under a name, to be
-- compared and, once, adopted. The proposal itself (zones of villages), the planner
-- parameters and the per-zone summary are JSON text: the store checks the zones when it saves
-- and adopts them, and keeps parameters and summary for the web layer as they came.
-- Deleting only hides a scenario (deleted_at): the audit log may still point at it.

CREATE TABLE plan_scenarios (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    params_json   TEXT NOT NULL,
    summary_json  TEXT NOT NULL,
    zones_json    TEXT NOT NULL,
    -- Counts for the list, so listing does not parse every proposal.
    zone_count    BIGINT NOT NULL,
    village_count BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    adopted_at    TEXT,
    adopted_by    TEXT,
    deleted_at    TEXT,
    version       BIGINT NOT NULL DEFAULT 1
);

INSERT INTO counters (name, next_id) VALUES ('scenarios', 0);
