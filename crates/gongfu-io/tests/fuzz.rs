//! Property-driven fuzzing of every importer: whatever bytes or JSON arrive, the parsers never
//! panic, and every rejection is a clear Chinese error naming where it is.
//!
//! `GONGFU_FUZZ_CASES=N` runs N cases per target (docs/fuzzing.md records the long runs).

mod common;

use proptest::prelude::*;
use std::sync::OnceLock;

fn snapshot() -> std::sync::Arc<gongfu_store::Snapshot> {
    static SNAP: OnceLock<std::sync::Arc<gongfu_store::Snapshot>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let db = common::registry_db().await;
            let snap = db.snapshot().await;
            // Keep the database directory alive for the whole test run.
            std::mem::forget(db);
            snap
        })
    })
    .clone()
}

/// Cases per target: 256 in every test run, more with `GONGFU_FUZZ_CASES=N` for the long
/// runs recorded in docs/fuzzing.md.
fn cases(default: u32) -> u32 {
    std::env::var("GONGFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A JSON value of bounded depth, to feed the GeoJSON importer shapes close to the real one.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(serde_json::Value::Number)
            .unwrap_or_default()),
        "[a-zA-Z0-9 村代码]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("330603105209")),
        Just(serde_json::Value::from("Polygon")),
        Just(serde_json::Value::from("Feature")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::hash_map(
                prop_oneof![
                    Just("type".to_string()),
                    Just("features".to_string()),
                    Just("geometry".to_string()),
                    Just("coordinates".to_string()),
                    Just("properties".to_string()),
                    Just("code".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), .. ProptestConfig::default() })]

    #[test]
    fn any_bytes_given_as_a_workbook_are_refused_clearly_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let snap = snapshot();
        match gongfu_io::parse_years_xlsx(&bytes, &snap) {
            Ok(rows) => prop_assert!(rows.is_empty() || !bytes.is_empty()),
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
            }
        }
    }

    #[test]
    fn a_zip_header_with_garbage_behind_it_is_refused_clearly(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let snap = snapshot();
        let errors = gongfu_io::parse_years_xlsx(&bytes, &snap).unwrap_err();
        prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
    }

    #[test]
    fn any_text_given_as_geojson_is_refused_clearly_never_a_panic(text in ".{0,400}") {
        let snap = snapshot();
        if let Err(errors) = gongfu_io::parse_boundaries_geojson(&text, &snap) {
            prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
        }
    }

    #[test]
    fn any_json_shape_given_as_geojson_is_refused_clearly_never_a_panic(v in json_value()) {
        let snap = snapshot();
        if let Err(errors) = gongfu_io::parse_boundaries_geojson(&v.to_string(), &snap) {
            prop_assert!(!errors.is_empty());
            prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
        }
    }

    #[test]
    fn any_division_csv_is_parsed_or_refused_with_the_line_never_a_panic(text in "(town_code,town_name,village_code,village_name,kind\n)?[0-9a-z,\n村社区]{0,300}") {
        if let Err(e) = gongfu_demo::parse_divisions_csv(&text) {
            prop_assert!(!e.is_empty());
        }
    }

    #[test]
    fn any_amount_text_is_parsed_exactly_or_refused(text in ".{0,24}") {
        if let Err(e) = gongfu_core::Fen::parse_yuan(&text) {
            prop_assert!(has_chinese(&e.message));
        }
    }
}

/// A cell as a person might leave it in the yearly-figures template.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Blank,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        prop_oneof![
            ".{0,16}",
            "[0-9]{12}",
            "[0-9,.万元 -]{0,12}",
            Just("330603105209".to_string()),
            Just("2024".to_string()),
        ]
        .prop_map(Cell::Text),
        prop_oneof![
            any::<f64>(),
            -1.0e6..1.0e9f64,
            Just(2024.0),
            Just(330603105209.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
        ]
        .prop_map(Cell::Number),
        Just(Cell::Blank),
    ]
}

/// A real workbook (written with rust_xlsxwriter) with the template's header, sometimes
/// shuffled or cut short, and rows of arbitrary cells: the parser meets every shape of
/// mistake a spreadsheet can hold, not only broken zips.
fn workbook() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(0..gongfu_io::xlsx_import::YEARS_HEADERS.len(), 0..10),
        prop::collection::vec(prop::collection::vec(cell(), 0..10), 0..12),
        any::<bool>(),
    )
        .prop_map(|(header, rows, keep_header)| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            let headers: Vec<&str> = if keep_header {
                gongfu_io::xlsx_import::YEARS_HEADERS.to_vec()
            } else {
                header
                    .iter()
                    .map(|i| gongfu_io::xlsx_import::YEARS_HEADERS[*i])
                    .collect()
            };
            for (c, h) in headers.iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    match cell {
                        Cell::Text(t) => {
                            ws.write_string(r, c, t.as_str()).unwrap();
                        }
                        Cell::Number(n) => {
                            // The writer refuses NaN and infinities as numbers; keep them as text.
                            if n.is_finite() {
                                ws.write_number(r, c, *n).unwrap();
                            } else {
                                ws.write_string(r, c, n.to_string()).unwrap();
                            }
                        }
                        Cell::Blank => {}
                    }
                }
            }
            book.save_to_buffer().unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), .. ProptestConfig::default() })]

    #[test]
    fn any_workbook_of_figures_is_imported_whole_or_refused_row_by_row(bytes in workbook()) {
        let snap = snapshot();
        match gongfu_io::parse_years_xlsx(&bytes, &snap) {
            Ok(rows) => {
                for (code, f) in &rows {
                    prop_assert!(snap.division(code).is_some(), "{code} is in the registry");
                    prop_assert!(f.validate().is_ok(), "{f:?}");
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(has_chinese(&e.reason), "{e:?}");
                }
            }
        }
    }
}

/// The demo district (with its facilities), for the facilities importer: rows may name
/// existing facilities by 编号.
fn demo_snapshot() -> std::sync::Arc<gongfu_store::Snapshot> {
    static SNAP: OnceLock<std::sync::Arc<gongfu_store::Snapshot>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let db = common::demo_db().await;
            let snap = db.snapshot().await;
            std::mem::forget(db);
            snap
        })
    })
    .clone()
}

/// A cell as a person might leave it in the facilities template.
fn facility_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        prop_oneof![
            ".{0,16}",
            Just("文化礼堂".to_string()),
            Just("养老服务".to_string()),
            Just("运行".to_string()),
            Just("规划".to_string()),
            Just("拆除".to_string()),
            Just("330603105209".to_string()),
            Just("XX村股份经济合作社".to_string()),
            "[0-9.]{0,10}",
        ]
        .prop_map(Cell::Text),
        prop_oneof![
            any::<f64>(),
            119.0..122.0f64,
            29.0..31.0f64,
            0.0..40.0f64,
            -5.0..5000.0f64,
            Just(2024.0),
            Just(330603105209.0),
            Just(f64::NAN),
        ]
        .prop_map(Cell::Number),
        Just(Cell::Blank),
    ]
}

fn facility_workbook() -> impl Strategy<Value = Vec<u8>> {
    use gongfu_io::facilities_xlsx::FACILITY_HEADERS;
    (
        prop::collection::vec(0..FACILITY_HEADERS.len(), 0..16),
        prop::collection::vec(prop::collection::vec(facility_cell(), 0..16), 0..10),
        any::<bool>(),
    )
        .prop_map(|(header, rows, keep_header)| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            let headers: Vec<&str> = if keep_header {
                FACILITY_HEADERS.to_vec()
            } else {
                header.iter().map(|i| FACILITY_HEADERS[*i]).collect()
            };
            for (c, h) in headers.iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    match cell {
                        Cell::Text(t) => {
                            ws.write_string(r, c, t.as_str()).unwrap();
                        }
                        Cell::Number(n) if n.is_finite() => {
                            ws.write_number(r, c, *n).unwrap();
                        }
                        Cell::Number(n) => {
                            ws.write_string(r, c, n.to_string()).unwrap();
                        }
                        Cell::Blank => {}
                    }
                }
            }
            book.save_to_buffer().unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), .. ProptestConfig::default() })]

    /// Any workbook given as a facilities file is imported whole (every row a valid facility
    /// in an existing village) or refused row by row in Chinese, never a panic.
    #[test]
    fn any_workbook_of_facilities_is_imported_whole_or_refused_row_by_row(bytes in facility_workbook()) {
        let snap = demo_snapshot();
        match gongfu_io::parse_facilities_xlsx(&bytes, &snap) {
            Ok(rows) => {
                for r in &rows {
                    prop_assert!(snap.division(&r.spec.village).is_some());
                    prop_assert!(!r.spec.name.is_empty() && !r.spec.upkeep_unit.is_empty());
                    if let Some((id, v)) = r.existing {
                        prop_assert_eq!(snap.facility(id).map(|f| f.version), Some(v));
                    }
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(has_chinese(&e.reason), "{e:?}");
                }
            }
        }
    }

    #[test]
    fn any_bytes_given_as_a_facilities_workbook_are_refused_clearly(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let snap = snapshot();
        if let Err(errors) = gongfu_io::parse_facilities_xlsx(&bytes, &snap) {
            prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
        }
    }
}
