-- A published rubric's body never changes, and an approved award list is locked (PostgreSQL
-- dialect; appended to 0014_scoring.sql).
CREATE FUNCTION scoring_rubric_published() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.status <> 'draft' AND (TG_OP = 'DELETE' OR NEW.body_json IS DISTINCT FROM OLD.body_json) THEN RAISE EXCEPTION 'published rubric is not edited'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER scoring_rubrics_published BEFORE UPDATE OR DELETE ON scoring_rubrics FOR EACH ROW EXECUTE FUNCTION scoring_rubric_published();
CREATE FUNCTION award_list_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.status = 'approved' THEN RAISE EXCEPTION 'approved award list is locked'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER award_lists_locked BEFORE UPDATE OR DELETE ON award_lists FOR EACH ROW EXECUTE FUNCTION award_list_locked();
