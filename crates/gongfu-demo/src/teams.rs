//! (issue 7: teams) placeholder, filled in by its branch.
