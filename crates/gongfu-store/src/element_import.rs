//! 共富元素导入: elements from a checked spreadsheet, all or nothing — the same contract as the
//! zone work imports (`work::import`): every row is checked against the database and every
//! problem reported at once (row, column, reason); a row with an 编号 changes that element
//! only at the version the file was exported at; only a file without a problem is written,
//! in one transaction, one audit line per element written; unchanged rows are left alone.
//!
//! An imported change keeps the element's own map point (the sheet shows it for reading).

use crate::db::Store;
use crate::ops::{insert_element, require_element_scope, spec_of, update_element_row};
use crate::work::import::{ImportRowError, WorkImportReport};
use crate::{Actor, StoreError};
use gongfu_core::ops::elements::{Element, ElementSpec};
use std::collections::HashMap;

/// A 共富元素 row, checked by the file reader.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementImportRow {
    pub row: usize,
    /// (id, version read) of the element it changes; `None` registers a new one.
    pub existing: Option<(i64, i64)>,
    pub spec: ElementSpec,
}

/// The column headers the errors name (the workbook's, `gongfu_io::elements_xlsx`).
pub mod col {
    pub const ID: &str = "编号";
    pub const CODE: &str = "村代码";
    pub const VERSION: &str = "版本";
}

fn reason(e: StoreError) -> String {
    match e {
        StoreError::Invalid(es) => es
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

enum Write {
    Create(ElementSpec),
    Update(Box<Element>, i64, ElementSpec),
}

impl Store {
    /// Checks every row and, with `apply` and no problem, writes them all in one
    /// transaction. A failed import changes nothing.
    pub async fn import_elements(
        &self,
        actor: &Actor,
        rows: &[ElementImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current: HashMap<i64, Element> = self
            .load_elements()
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut errors = Vec::new();
        let mut add = |row: usize, column: &str, value: String, why: String| {
            errors.push(ImportRowError::new(row, column, value, why))
        };
        let mut writes = Vec::new();
        for r in rows {
            let before = current.get(&r.existing.map_or(-1, |(id, _)| id));
            let mut spec = r.spec.clone();
            let mut ok = true;
            if let Some((id, version)) = r.existing {
                match before {
                    None => {
                        add(
                            r.row,
                            col::ID,
                            id.to_string(),
                            format!("共富元素 {id} 不存在"),
                        );
                        continue;
                    }
                    Some(e) => {
                        if e.version != version {
                            ok = false;
                            add(
                                r.row,
                                col::VERSION,
                                version.to_string(),
                                format!(
                                    "该记录已被他人修改（当前版本 {}），请重新导出后再改",
                                    e.version
                                ),
                            );
                        }
                        spec.point = e.lon.zip(e.lat);
                    }
                }
            }
            let villages: Vec<_> = before
                .map(|e| &e.village)
                .into_iter()
                .chain([&spec.village])
                .collect();
            if let Err(e) = require_element_scope(actor, villages) {
                ok = false;
                add(r.row, col::CODE, spec.village.to_string(), reason(e));
            }
            if let Err(e) = Self::check_element(&snap, &spec) {
                ok = false;
                add(r.row, col::CODE, spec.village.to_string(), reason(e));
            }
            if !ok {
                continue;
            }
            match before {
                None => writes.push(Write::Create(spec)),
                Some(e) if spec_of(e) == spec => report.unchanged += 1,
                Some(e) => writes.push(Write::Update(Box::new(e.clone()), e.version, spec)),
            }
        }
        errors.sort_by_key(|e| e.row);
        report.ok = errors.is_empty();
        report.errors = errors;
        for w in &writes {
            match w {
                Write::Create(_) => report.created += 1,
                Write::Update(..) => report.updated += 1,
            }
        }
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for w in writes {
            match w {
                Write::Create(spec) => {
                    insert_element(&mut tx, actor, &spec).await?;
                }
                Write::Update(e, version, spec) => {
                    if !update_element_row(&mut tx, actor, &e, version, &spec).await? {
                        return Err(StoreError::Conflict {
                            what: format!("共富元素「{}」", e.name),
                            current: e.version,
                        });
                    }
                }
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }
}
