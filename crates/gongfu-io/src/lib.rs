//! File formats in and out of Gongfu (共富): the Excel workbooks officials download and fill in,
//! and the GeoJSON the map and the boundary importer speak.
//!
//! - [`xlsx_export`]: 村庄名录, 片区名录 and 年度数据 workbooks, and the 年度数据 import template
//!   (rust_xlsxwriter). Money is kept in integer fen until the very cell it is written to.
//! - [`xlsx_import`]: reads a filled-in 年度数据 workbook (calamine) into validated
//!   `(VillageCode, YearlyFigures)` rows, or every problem in it at once as [`RowError`]s.
//! - [`facilities_xlsx`]: the 设施名录 workbook — export, import template, and the importer
//!   that checks every row against the registry (new rows, and changes to existing
//!   facilities at the version they were exported at).
//! - [`work_xlsx`]: the zone work workbooks (项目清单, 里程碑, 待办事项) — export, import
//!   templates, and importers that read every row into the core drafts and report every
//!   bad cell at once, for a dry run before an all-or-nothing apply.
//! - [`elements_xlsx`]: the 共富元素 workbook — export, template and importer.
//! - [`indicators_xlsx`]: the 片区指标数据表 of a year (every zone's named indicator figures,
//!   with a sheet of their rules), export only.
//! - [`rubric_xlsx`], [`award_xlsx`], [`scoring_pdf`]: scoring and awards (issue 9) — the
//!   rubric workbook in and out, the award list workbook, the 奖补名单 and 评分表 PDFs.
//! - [`geojson`]: checks uploaded village boundaries (FeatureCollection of Polygon /
//!   MultiPolygon in WGS84) and writes the map's FeatureCollection from a [`Snapshot`].
//!
//! What it is not: this crate does no HTTP and never writes to the database. Parsers only read
//! a [`Snapshot`] to know which villages exist; saving what they return is the caller's job
//! (`gongfu_store::Store::import_years`, `import_boundaries`), and serving the bytes it makes is
//! the web layer's.
//!
//! [`Snapshot`]: gongfu_store::Snapshot

pub mod award_xlsx;
pub mod brands_xlsx;
pub mod elements_xlsx;
pub mod equity_pdf;
pub mod equity_xlsx;
pub mod facilities_xlsx;
pub mod geojson;
pub mod indicators_xlsx;
pub mod instance;
pub mod pdf;
pub mod ranking_xlsx;
pub mod rubric_xlsx;
pub mod scoring_pdf;
pub mod talent_xlsx;
pub mod teams_xlsx;
pub mod work_xlsx;
pub mod xlsx_export;
pub mod xlsx_import;

pub use facilities_xlsx::{export_facilities, facilities_template, parse_facilities_xlsx};
pub use geojson::{
    Boundary, map_feature_collection, map_feature_collection_where, parse_boundaries_geojson,
};
pub use work_xlsx::{
    ActionRow, MilestoneRow, ProjectRow, WorkExport, actions_template, export_actions,
    export_milestones, export_projects, milestones_template, parse_actions_xlsx,
    parse_milestones_xlsx, parse_projects_xlsx, projects_template,
};
pub use xlsx_export::{
    export_audit, export_village_rows, export_villages, export_years, export_zones, years_template,
};
pub use xlsx_import::parse_years_xlsx;

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem found in an uploaded file, for the user to fix in their own copy.
///
/// `row` is the 1-based spreadsheet row (as Excel numbers it) or, for GeoJSON, the 1-based
/// feature number; `0` means the file as a whole (not an Excel file, an empty sheet …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    /// The Chinese column header, or the GeoJSON member (`code`, `geometry`); may be empty.
    pub column: String,
    /// The offending value as the user wrote it (may be empty).
    pub value: String,
    /// What is wrong, in Chinese.
    pub reason: String,
}

impl RowError {
    pub fn new(
        row: usize,
        column: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> RowError {
        RowError {
            row,
            column: column.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// An error about the whole file (row 0, no column).
    pub fn file(reason: impl Into<String>) -> RowError {
        RowError::new(0, "", "", reason)
    }

    /// The message for a GeoJSON feature: 「第 3 个要素「code」：…」.
    pub fn feature_message(&self) -> String {
        self.message_with("个要素")
    }

    fn message_with(&self, unit: &str) -> String {
        let mut s = String::new();
        if self.row > 0 {
            s.push_str(&format!("第 {} {unit}", self.row));
        }
        if !self.column.is_empty() {
            s.push_str(&format!("「{}」", self.column));
        }
        if !s.is_empty() {
            s.push('：');
        }
        s.push_str(&self.reason);
        s
    }
}

impl fmt::Display for RowError {
    /// 「第 5 行「经营性收入（元）」：金额「1.005」无效：最多保留两位小数（精确到分）」.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_with("行"))
    }
}

impl std::error::Error for RowError {}

/// Failure to produce a file. Input problems are [`RowError`]s; this is only for the writer
/// itself failing (an Excel limit exceeded, …), which is a bug or an absurd input.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_read_like_a_sentence() {
        let e = RowError::new(5, "经营性收入（元）", "1.005", "最多保留两位小数");
        assert_eq!(
            e.to_string(),
            "第 5 行「经营性收入（元）」：最多保留两位小数"
        );
        assert_eq!(
            e.feature_message(),
            "第 5 个要素「经营性收入（元）」：最多保留两位小数"
        );
        assert_eq!(RowError::file("文件是空的").to_string(), "文件是空的");
        assert_eq!(
            RowError::new(3, "", "", "空行").to_string(),
            "第 3 行：空行"
        );
    }

    #[test]
    fn row_errors_serialize_with_their_field_names() {
        let e = RowError::new(2, "户数", "-1", "户数不能为负数");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["row"], 2);
        assert_eq!(v["column"], "户数");
        assert_eq!(v["reason"], "户数不能为负数");
    }
}
