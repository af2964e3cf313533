//! (issue 7: talent) placeholder, filled in by its branch.
