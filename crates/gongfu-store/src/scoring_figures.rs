//! 平台自动取数: the values a rubric's platform-sourced rules read, computed from the
//! platform's own records for every zone (or operating team) of a year, each with its formula
//! in numbers and the records it came from — what the scorecard shows beside the points and
//! what an approved assessment freezes.

use crate::StoreError;
use crate::db::Store;
use gongfu_core::ops::indicators::display;
use gongfu_core::scoring::{Figure, Input, RubricKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A record a value was computed from (`project`, `meeting`, `distribution`, `village_year` …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: String,
    pub id: i64,
}

/// One computed value: the engine's input, how it was computed (in Chinese, with its numbers,
/// e.g. 「完工 9 项 ÷ 计划 10 项 = 90.00%」) and its source records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    pub input: Input,
    pub formula: String,
    pub sources: Vec<RecordRef>,
}

/// Subject id (zone or team) → figure → value. A figure the platform cannot compute for a
/// subject is absent: its rule then needs a manual entry or scores 0 as 未填报.
pub type PlatformFigures = BTreeMap<i64, BTreeMap<Figure, Measured>>;

impl Store {
    /// Every platform figure of every zone (`RubricKind::Zone`) or operating team
    /// (`RubricKind::Team`) in `year`.
    pub async fn platform_figures(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<PlatformFigures, StoreError> {
        let mut out = PlatformFigures::new();
        if kind == RubricKind::Zone {
            for z in self.indicator_table(year).await? {
                let mine = out.entry(z.zone).or_default();
                for figure in Figure::ALL {
                    let Some(ops) = figure.ops_figure() else {
                        continue;
                    };
                    let Some(f) = z.figures.iter().find(|f| f.indicator == ops) else {
                        continue;
                    };
                    mine.insert(
                        *figure,
                        Measured {
                            input: Input::Number(f.value),
                            formula: format!(
                                "{}：{}（{}）",
                                ops.label(),
                                display(ops, f.value),
                                ops.rule()
                            ),
                            sources: f
                                .sources
                                .iter()
                                .map(|s| RecordRef {
                                    kind: s.kind.to_string(),
                                    id: s.id,
                                })
                                .collect(),
                        },
                    );
                }
            }
        }
        Ok(out)
    }
}
