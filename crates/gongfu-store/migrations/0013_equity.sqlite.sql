-- Register lines are immutable and approved distributions locked, enforced by the database too
-- (SQLite dialect; appended to 0013_equity.sql).
CREATE TRIGGER equity_register_lines_no_update BEFORE UPDATE ON equity_register_lines BEGIN SELECT RAISE(ABORT, 'equity_register_lines is append-only'); END;
CREATE TRIGGER equity_register_lines_no_delete BEFORE DELETE ON equity_register_lines BEGIN SELECT RAISE(ABORT, 'equity_register_lines is append-only'); END;
CREATE TRIGGER equity_distributions_locked_update BEFORE UPDATE ON equity_distributions WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved distribution is locked'); END;
CREATE TRIGGER equity_distributions_locked_delete BEFORE DELETE ON equity_distributions WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'approved distribution is locked'); END;
CREATE TRIGGER equity_payouts_locked_update BEFORE UPDATE ON equity_payouts WHEN (SELECT status FROM equity_distributions WHERE id = OLD.distribution_id) = 'approved' BEGIN SELECT RAISE(ABORT, 'approved distribution is locked'); END;
CREATE TRIGGER equity_payouts_locked_delete BEFORE DELETE ON equity_payouts WHEN (SELECT status FROM equity_distributions WHERE id = OLD.distribution_id) = 'approved' BEGIN SELECT RAISE(ABORT, 'approved distribution is locked'); END;
CREATE TRIGGER equity_payouts_locked_insert BEFORE INSERT ON equity_payouts WHEN (SELECT status FROM equity_distributions WHERE id = NEW.distribution_id) = 'approved' BEGIN SELECT RAISE(ABORT, 'approved distribution is locked'); END;
