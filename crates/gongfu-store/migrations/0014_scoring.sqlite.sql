-- A published rubric's body never changes, and an approved award list is locked (SQLite
-- dialect; appended to 0014_scoring.sql).
CREATE TRIGGER scoring_rubrics_published_body BEFORE UPDATE OF body_json ON scoring_rubrics WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'published rubric is not edited'); END;
CREATE TRIGGER scoring_rubrics_no_delete BEFORE DELETE ON scoring_rubrics WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'published rubric is not edited'); END;
CREATE TRIGGER award_lists_locked_update BEFORE UPDATE ON award_lists WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved award list is locked'); END;
CREATE TRIGGER award_lists_locked_delete BEFORE DELETE ON award_lists WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved award list is locked'); END;
