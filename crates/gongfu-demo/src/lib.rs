//! Seeded generator of Gongfu's demo district: plausible, clearly fake geometry and statistics
//! laid over the real 柯桥区 division list, so the platform can be shown without real data.
//!
//! Everything here is pure: the caller reads the CSV files and passes their text in, and the
//! same inputs and seed always give the same [`DemoDistrict`]. Boundaries are Voronoi cells of
//! generated village points, not surveyed lines; real boundaries are imported separately.

pub mod brands;
mod csv;
pub mod elements;
pub mod equity;
mod facilities;
mod generate;
pub mod scoring;
mod synthetic;
pub mod talent;
pub mod teams;
pub mod work;

/// The real division list of 柯桥区 (NBS 2023 codes; see `data/SOURCE.md`), bundled so the
/// binary needs no data files beside it.
pub const DIVISIONS_CSV: &str = include_str!("../../../data/keqiao_divisions.csv");
/// Approximate town centres and terrain classes, hand-estimated, for laying out the demo only.
pub const TOWN_CENTRES_CSV: &str = include_str!("../../../data/town_centres.csv");

pub use csv::{parse_divisions_csv, parse_town_centres_csv};
pub use facilities::{DemoFacility, DemoInfra};
pub use generate::generate;
pub use synthetic::generate_synthetic;

/// Industry and resource tags the demo hands out, short Chinese names.
pub const TAGS: &[&str] = &[
    "茶叶",
    "竹笋",
    "兰花",
    "酱品",
    "香榧",
    "杨梅",
    "旅游",
    "渔业",
    "纺织制造",
    "花木",
    "果蔬",
    "文化",
];

/// One row of `keqiao_divisions.csv`: a village committee or residents' committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DivisionRow {
    pub town_code: String,
    pub town_name: String,
    pub code: String,
    /// Exactly as the source has it, e.g. `谢家坞村委会`.
    pub name: String,
    pub kind: DivisionKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DivisionKind {
    /// 村委会.
    Village,
    /// 居委会 / 社区.
    Community,
}

impl DivisionKind {
    /// Parses the CSV spelling, `village` or `community`.
    pub fn parse(s: &str) -> Option<DivisionKind> {
        match s {
            "village" => Some(DivisionKind::Village),
            "community" => Some(DivisionKind::Community),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DivisionKind::Village => "village",
            DivisionKind::Community => "community",
        }
    }
}

/// Approximate centre and terrain of a town or street, one row of `town_centres.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TownCentre {
    pub code: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub terrain: Terrain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Terrain {
    Urban,
    Plain,
    Hill,
    Mountain,
}

impl Terrain {
    /// Parses the CSV spelling: `urban`, `plain`, `hill` or `mountain`.
    pub fn parse(s: &str) -> Option<Terrain> {
        match s {
            "urban" => Some(Terrain::Urban),
            "plain" => Some(Terrain::Plain),
            "hill" => Some(Terrain::Hill),
            "mountain" => Some(Terrain::Mountain),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Terrain::Urban => "urban",
            Terrain::Plain => "plain",
            Terrain::Hill => "hill",
            Terrain::Mountain => "mountain",
        }
    }
}

/// The generated district. Coordinates are (lon, lat) in degrees, WGS84.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoDistrict {
    /// Closed counter-clockwise ring (first == last) around all divisions.
    pub outline: Vec<(f64, f64)>,
    /// One per input division, in input order.
    pub divisions: Vec<DemoDivision>,
    /// The 2024 pilot consortia found among the input towns (empty for synthetic data).
    pub pilot_zones: Vec<DemoZone>,
    /// Shared facilities: hubs at town seats, service points in villages, production sites
    /// next to their industry.
    pub facilities: Vec<DemoFacility>,
    /// Every village's compliance with each infrastructure item (一片一标准).
    pub infra: Vec<DemoInfra>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoDivision {
    /// The division's 12-digit code, joining back to [`DivisionRow::code`].
    pub code: String,
    /// The generated seat of the village committee.
    pub lon: f64,
    pub lat: f64,
    /// Closed counter-clockwise ring, first == last; neighbours share borders exactly.
    pub boundary: Vec<(f64, f64)>,
    /// Entries of [`TAGS`], town-specific ones first.
    pub tags: Vec<String>,
    /// 2022 to 2025, ascending.
    pub years: Vec<DemoYear>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoYear {
    pub year: i32,
    pub population: i64,
    pub households: i64,
    /// 村集体经营性收入 in fen, always whole yuan (a multiple of 100).
    pub operating_income_fen: i64,
    /// Rural per-capita disposable income, fen.
    pub disposable_income_fen: i64,
    /// Area of the boundary cell, the same every year.
    pub area_km2: f64,
}

/// A pilot common-prosperity consortium (乡村共富联合体).
#[derive(Clone, Debug, PartialEq)]
pub struct DemoZone {
    /// e.g. 「兰亭·芳湖雅韵共富片区」.
    pub name: String,
    pub theme: String,
    pub town_code: String,
    /// Division code of the core village.
    pub key_village: String,
    /// Division codes, key village first, then the neighbours in the order they were added.
    pub members: Vec<String>,
    /// A post title, never a person's name, e.g. 「兰亭街道党工委副书记」.
    pub lead_official: String,
    /// Which village stands for the core village and why.
    pub note: String,
}
