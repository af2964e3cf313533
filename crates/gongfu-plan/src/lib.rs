//! Planning algorithms for Gongfu's common-prosperity zones: pure computation, no I/O.
//!
//! [`geometry`] holds the planar geometry (projection, hulls, Voronoi cells, adjacency and
//! boundary validation) the demo generator and the boundary importer build on.

pub mod contiguity;
pub mod geometry;
pub mod siting;
pub mod zoning;
