-- Register lines are immutable and approved distributions locked, enforced by the database too
-- (PostgreSQL dialect; appended to 0013_equity.sql).
CREATE FUNCTION equity_register_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'equity_register_lines is append-only'; END $$;
CREATE TRIGGER equity_register_lines_no_change BEFORE UPDATE OR DELETE ON equity_register_lines FOR EACH ROW EXECUTE FUNCTION equity_register_append_only();
CREATE TRIGGER equity_register_lines_no_truncate BEFORE TRUNCATE ON equity_register_lines FOR EACH STATEMENT EXECUTE FUNCTION equity_register_append_only();
CREATE FUNCTION equity_distribution_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.status = 'approved' THEN RAISE EXCEPTION 'approved distribution is locked'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER equity_distributions_locked BEFORE UPDATE OR DELETE ON equity_distributions FOR EACH ROW EXECUTE FUNCTION equity_distribution_locked();
CREATE FUNCTION equity_payout_locked() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE d BIGINT; BEGIN IF TG_OP = 'INSERT' THEN d := NEW.distribution_id; ELSE d := OLD.distribution_id; END IF; IF (SELECT status FROM equity_distributions WHERE id = d) = 'approved' THEN RAISE EXCEPTION 'approved distribution is locked'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER equity_payouts_locked BEFORE INSERT OR UPDATE OR DELETE ON equity_payouts FOR EACH ROW EXECUTE FUNCTION equity_payout_locked();
