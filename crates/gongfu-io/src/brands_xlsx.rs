//! (issue 7: brands) placeholder, filled in by its branch.
