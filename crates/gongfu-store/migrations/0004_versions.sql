-- Targets and settings are edited by hand like zones and villages, so they carry a version
-- too: saving a stale copy is refused instead of silently overwriting.
ALTER TABLE targets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
