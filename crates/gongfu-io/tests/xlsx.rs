//! Excel import and export against a real snapshot of the 柯桥区 registry.

mod common;

use calamine::{Data, DataType, Range, Reader, Xlsx};
use gongfu_core::village::DivisionKind;
use gongfu_core::{DataYear, Fen, VillageCode};
use gongfu_io::xlsx_import::{NOT_XLSX, YEARS_HEADERS};
use gongfu_io::{
    RowError, export_villages, export_years, export_zones, parse_years_xlsx, years_template,
};
use gongfu_store::Snapshot;
use rust_xlsxwriter::Workbook;
use std::io::Cursor;
use time::macros::date;

const DAY: time::Date = date!(2025 - 06 - 30);

/// A cell of a hand-made test workbook.
#[derive(Clone)]
enum C {
    S(String),
    N(f64),
    E,
}

fn s(v: &str) -> C {
    C::S(v.to_string())
}

/// Writes `rows` (the first being the header) to sheet `sheet` of a new workbook.
fn workbook(sheet: &str, rows: &[Vec<C>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                C::S(v) => {
                    ws.write_string(r as u32, c as u16, v.as_str()).unwrap();
                }
                C::N(v) => {
                    ws.write_number(r as u32, c as u16, *v).unwrap();
                }
                C::E => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn header() -> Vec<C> {
    YEARS_HEADERS.iter().map(|h| s(h)).collect()
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("the file opens again")
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    open(bytes).worksheet_range(name).expect("sheet exists")
}

fn header_of(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

/// Active villages (not communities) of the registry, in code order.
fn villages(snap: &Snapshot) -> Vec<(String, String)> {
    snap.divisions
        .iter()
        .filter(|d| d.division.kind == DivisionKind::Village)
        .map(|d| (d.division.code.to_string(), d.division.name.clone()))
        .collect()
}

fn community(snap: &Snapshot) -> String {
    snap.divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Community)
        .unwrap()
        .division
        .code
        .to_string()
}

/// A good data row: code, name, year, 2000 people, 700 households, money, 3.25 km².
fn good_row(code: &str, year: f64) -> Vec<C> {
    vec![
        s(code),
        s("某村"),
        C::N(year),
        C::N(2000.0),
        C::N(700.0),
        C::N(1_234_567.89),
        C::N(52_000.5),
        C::N(3.25),
    ]
}

fn rows_and_columns(errs: &[RowError]) -> Vec<(usize, &str)> {
    errs.iter().map(|e| (e.row, e.column.as_str())).collect()
}

#[tokio::test]
async fn a_filled_in_template_round_trips() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let template = years_template(Some(&snap)).unwrap();

    let book = open(&template);
    assert_eq!(book.sheet_names(), vec!["年度数据", "填表说明"]);
    let range = sheet(&template, "年度数据");
    assert_eq!(header_of(&range), YEARS_HEADERS);
    let vs = villages(&snap);
    assert_eq!(
        range.height(),
        vs.len() + 1,
        "one prefilled row per village"
    );
    // No figures yet, so the template asks for last year.
    let year = gongfu_store::service::today().year() - 1;
    let prefilled: Vec<(String, String, f64)> = range
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].as_f64().unwrap()))
        .collect();
    assert_eq!(
        prefilled[0],
        (vs[0].0.clone(), vs[0].1.clone(), year as f64)
    );
    assert!(prefilled.iter().all(|(_, _, y)| *y == year as f64));

    // An official fills in three villages (numbers, and text as people type it) and leaves
    // the other prefilled rows alone.
    let mut rows = vec![header()];
    for (k, (code, name, y)) in prefilled.iter().enumerate() {
        let mut row = vec![s(code), s(name), C::N(*y)];
        let figures = match k {
            0 => vec![
                C::N(1800.0),
                C::N(650.0),
                C::N(1_234_567.89),
                C::N(48_000.0),
                C::N(4.5),
            ],
            1 => vec![
                s("2,100"),
                s("700"),
                s("1,500,000.5"),
                s("51000.25元"),
                s("2.75"),
            ],
            2 => vec![
                C::N(900.0),
                C::N(300.0),
                C::N(-20_000.0),
                C::N(39_999.99),
                C::N(0.0),
            ],
            _ => vec![],
        };
        row.extend(figures);
        rows.push(row);
    }
    let filled = workbook("年度数据", &rows);
    let parsed = parse_years_xlsx(&filled, &snap).expect("a correct file is accepted");
    assert_eq!(parsed.len(), 3);
    let y = DataYear::new(year as i64).unwrap();
    assert_eq!(parsed[0].0, VillageCode::parse(&vs[0].0).unwrap());
    assert_eq!(parsed[0].1.year, y);
    assert_eq!(parsed[0].1.population, 1800);
    assert_eq!(parsed[0].1.households, 650);
    assert_eq!(parsed[0].1.operating_income, Fen(123_456_789));
    assert_eq!(parsed[0].1.disposable_income, Fen(4_800_000));
    assert_eq!(parsed[0].1.area_km2, 4.5);
    assert_eq!(parsed[1].0.as_str(), vs[1].0);
    assert_eq!(parsed[1].1.population, 2100);
    assert_eq!(parsed[1].1.operating_income, Fen(150_000_050));
    assert_eq!(parsed[1].1.disposable_income, Fen(5_100_025));
    assert_eq!(parsed[1].1.area_km2, 2.75);
    assert_eq!(
        parsed[2].1.operating_income,
        Fen(-2_000_000),
        "a loss year is allowed"
    );
    assert_eq!(parsed[2].1.disposable_income, Fen(3_999_999));
}

#[tokio::test]
async fn the_template_without_a_snapshot_is_the_header_and_the_instructions() {
    let template = years_template(None).unwrap();
    let range = sheet(&template, "年度数据");
    assert_eq!(header_of(&range), YEARS_HEADERS);
    assert_eq!(range.height(), 1);
    let help = sheet(&template, "填表说明");
    let text: String = help.rows().flatten().map(|c| c.to_string()).collect();
    for needle in [
        "仅供阅读",
        "两位小数",
        "2000 至 2100",
        "不大于户籍人口",
        "社区",
    ] {
        assert!(text.contains(needle), "填表说明 mentions {needle}");
    }
}

#[tokio::test]
async fn four_bad_rows_give_exactly_their_four_errors() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let vs = villages(&snap);
    // Columns in another order than the template's: found by header text.
    let order = [2usize, 0, 1, 7, 6, 5, 4, 3];
    let shuffle = |row: Vec<C>| order.iter().map(|&k| row[k].clone()).collect::<Vec<C>>();
    let mut rows = vec![shuffle(header())];
    rows.push(shuffle(good_row(&vs[0].0, 2024.0))); // row 2
    rows.push(shuffle(good_row("330603999999", 2024.0))); // row 3: unknown code
    rows.push(vec![C::E; 8]); // row 4: blank, skipped
    let mut r = good_row(&vs[2].0, 1999.0); // row 5: year out of range
    rows.push(shuffle(r.clone()));
    r = good_row(&vs[3].0, 2024.0);
    r[4] = C::N(2500.0); // row 6: households above population
    rows.push(shuffle(r));
    r = good_row(&vs[4].0, 2024.0);
    r[5] = s("1,234.005"); // row 7: a fraction of a fen
    rows.push(shuffle(r));
    rows.push(shuffle(good_row(&vs[5].0, 2024.0))); // row 8
    let errs = parse_years_xlsx(&workbook("年度数据", &rows), &snap).unwrap_err();
    assert_eq!(
        rows_and_columns(&errs),
        vec![
            (3, "村代码"),
            (5, "数据年度"),
            (6, "户数"),
            (7, "经营性收入（元）")
        ],
        "{errs:#?}"
    );
    assert!(errs[0].reason.contains("不在区划名录中"));
    assert_eq!(errs[0].value, "330603999999");
    assert!(errs[1].reason.contains("2000"));
    assert!(
        errs[2]
            .reason
            .contains("户数（2500）不能大于户籍人口（2000）")
    );
    assert!(errs[3].reason.contains("两位小数"));
    assert_eq!(
        errs[3].to_string(),
        "第 7 行「经营性收入（元）」：金额「1,234.005」无效：最多保留两位小数（精确到分）"
    );
}

#[tokio::test]
async fn every_bad_cell_is_reported_in_one_pass() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let vs = villages(&snap);
    let mut rows = vec![header()];
    let mut r = good_row("33060310520", 2024.0); // row 2: 11 digits
    r[3] = C::N(2000.5); // and a fractional population
    rows.push(r);
    rows.push(good_row(&community(&snap), 2024.0)); // row 3: a community
    r = good_row(&vs[0].0, 2024.0);
    r[4] = C::N(-1.0); // row 4: negative households
    r[6] = s("五万元"); // and money that is not a number
    r[7] = C::E; // and no area
    rows.push(r);
    r = good_row(&vs[1].0, 2024.0);
    r[5] = C::N(100.125); // row 5: a float with three decimals
    r[2] = s("2024年"); // a year typed as text is fine
    rows.push(r);
    let errs = parse_years_xlsx(&workbook("Sheet1", &rows), &snap).unwrap_err();
    assert_eq!(
        rows_and_columns(&errs),
        vec![
            (2, "村代码"),
            (2, "户籍人口"),
            (3, "村代码"),
            (4, "户数"),
            (4, "人均可支配收入（元）"),
            (4, "面积（平方公里）"),
            (5, "经营性收入（元）"),
        ],
        "{errs:#?}"
    );
    assert!(errs[0].reason.contains("12 位数字"));
    assert!(errs[1].reason.contains("整数"));
    assert!(errs[2].reason.contains("社区不填报"));
    assert!(errs[3].reason.contains("不能为负数"));
    assert!(errs[5].reason.contains("必填"));
}

#[tokio::test]
async fn the_same_village_and_year_twice_names_both_rows() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let vs = villages(&snap);
    let rows = vec![
        header(),
        good_row(&vs[0].0, 2024.0),
        good_row(&vs[0].0, 2023.0),
        good_row(&vs[1].0, 2024.0),
        good_row(&vs[0].0, 2024.0),
    ];
    let errs = parse_years_xlsx(&workbook("年度数据", &rows), &snap).unwrap_err();
    assert_eq!(rows_and_columns(&errs), vec![(2, "村代码"), (5, "村代码")]);
    for e in &errs {
        assert!(e.reason.contains("第 2、5 行"), "{}", e.reason);
        assert!(e.reason.contains("2024"));
    }
}

#[tokio::test]
async fn a_file_that_is_not_xlsx_gives_one_error() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    for bytes in [
        b"village_code,year\n330603105201,2024\n".to_vec(),
        vec![],
        b"PK\x03\x04 not really a zip".to_vec(),
    ] {
        let errs = parse_years_xlsx(&bytes, &snap).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].reason, NOT_XLSX);
        assert_eq!(errs[0].reason, "文件不是有效的 Excel（.xlsx）文件");
        assert_eq!(errs[0].to_string(), NOT_XLSX);
    }
}

#[tokio::test]
async fn a_missing_header_is_named_on_row_one_and_an_empty_sheet_is_one_error() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let vs = villages(&snap);
    let mut h = header();
    h[4] = s("户 数 量");
    let mut row = good_row(&vs[0].0, 2024.0);
    row[4] = C::N(1.0);
    let errs = parse_years_xlsx(&workbook("年度数据", &[h, row]), &snap).unwrap_err();
    assert_eq!(rows_and_columns(&errs), vec![(1, "户数")]);
    assert!(errs[0].reason.contains("缺少必填列「户数」"));

    // ASCII brackets and stray spaces in headers are accepted.
    let mut h = header();
    h[5] = s("经营性收入 (元)");
    let ok = parse_years_xlsx(
        &workbook("年度数据", &[h, good_row(&vs[0].0, 2024.0)]),
        &snap,
    );
    assert_eq!(ok.unwrap().len(), 1);

    let errs = parse_years_xlsx(&workbook("年度数据", &[]), &snap).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].reason.contains("是空的"), "{}", errs[0].reason);

    let errs = parse_years_xlsx(&workbook("年度数据", &[header()]), &snap).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].reason.contains("没有数据行"), "{}", errs[0].reason);
}

#[tokio::test]
async fn the_village_list_export_opens_with_its_header_and_one_row_per_division() {
    let db = common::demo_db().await;
    let snap = db.snapshot().await;
    assert!(snap.is_demo);
    let bytes = export_villages(&snap, DAY).unwrap();
    assert_eq!(open(&bytes).sheet_names(), vec!["村庄名录", "说明"]);
    let range = sheet(&bytes, "村庄名录");
    assert_eq!(
        header_of(&range),
        [
            "村代码",
            "村名",
            "镇街",
            "类型",
            "状态",
            "所属片区",
            "角色",
            "最新年度",
            "户籍人口",
            "户数",
            "经营性收入（元）",
            "人均可支配收入（元）",
            "面积（平方公里）",
            "薄弱村",
            "产业标签"
        ]
    );
    assert_eq!(range.height(), snap.divisions.len() + 1);
    let notice: String = sheet(&bytes, "说明")
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect();
    assert!(notice.contains("演示数据"));

    // Money is the exact yuan amount; the key village of a zone says so.
    let zone = &snap.zones[0];
    let (i, d) = snap
        .divisions
        .iter()
        .enumerate()
        .find(|(_, d)| d.division.code == zone.key_village)
        .unwrap();
    let row: Vec<&Data> = range.rows().nth(i + 1).unwrap().iter().collect();
    let latest = snap.years(&d.division.code).last().unwrap();
    assert_eq!(row[0].to_string(), d.division.code.as_str());
    assert_eq!(row[5].to_string(), zone.name);
    assert_eq!(row[6].to_string(), "重点村");
    assert_eq!(row[7].as_f64(), Some(latest.year.get() as f64));
    assert_eq!(
        Fen::from_yuan_f64(row[10].as_f64().unwrap()).unwrap(),
        latest.operating_income
    );
    let weak = snap.weak_rule.is_weak(latest);
    assert_eq!(row[13].to_string(), if weak { "是" } else { "否" });
}

#[tokio::test]
async fn the_zone_export_has_one_row_per_zone_with_its_members() {
    let db = common::demo_db().await;
    let snap = db.snapshot().await;
    assert!(!snap.zones.is_empty());
    let bytes = export_zones(&snap, DAY).unwrap();
    let range = sheet(&bytes, "片区名录");
    let head = header_of(&range);
    assert_eq!(
        &head[..11],
        [
            "片区编号",
            "片区名称",
            "主题/IP",
            "镇街",
            "重点村",
            "联结村",
            "村数",
            "牵头领导",
            "等级",
            "成立日期",
            "状态"
        ]
    );
    let y = snap.latest_year().unwrap();
    assert_eq!(head[11], format!("合计经营性收入（元，{y}年）"));
    assert_eq!(head[12], format!("薄弱村数（{y}年）"));
    assert_eq!(range.height(), snap.zones.len() + 1);

    let zone = &snap.zones[0];
    let members = snap.members(zone.id, DAY);
    let row: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
    assert_eq!(row[1].to_string(), zone.name);
    let key_name = &snap.division(&zone.key_village).unwrap().division.name;
    assert_eq!(&row[4].to_string(), key_name);
    assert_eq!(row[5].to_string().split('、').count(), members.len() - 1);
    assert_eq!(row[6].as_f64(), Some(members.len() as f64));
    assert_eq!(row[10].to_string(), "存续");
    let total: Fen = members
        .iter()
        .filter_map(|m| snap.figures(&m.village, y))
        .map(|f| f.operating_income)
        .sum();
    assert_eq!(
        Fen::from_yuan_f64(row[11].as_f64().unwrap()).unwrap(),
        total
    );
}

#[tokio::test]
async fn the_yearly_export_reads_back_as_the_same_figures() {
    let db = common::demo_db().await;
    let snap = db.snapshot().await;
    let bytes = export_years(&snap).unwrap();
    let range = sheet(&bytes, "年度数据");
    assert_eq!(header_of(&range), YEARS_HEADERS);
    let expected: Vec<_> = snap
        .divisions
        .iter()
        .filter(|d| d.division.kind == DivisionKind::Village)
        .flat_map(|d| {
            snap.years(&d.division.code)
                .iter()
                .map(|f| (d.division.code.clone(), f.clone()))
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(range.height(), expected.len() + 1);
    let parsed = parse_years_xlsx(&bytes, &snap).expect("the export is a valid upload");
    assert_eq!(parsed, expected);
}

/// The facilities export reads back as the same facilities (as changes at their versions),
/// and a hand-made file with mistakes gets one error per bad cell.
#[tokio::test]
async fn facilities_export_reads_back_and_bad_rows_are_all_reported() {
    use gongfu_io::facilities_xlsx::{FACILITIES_SHEET, FACILITY_HEADERS};
    let db = common::demo_db().await;
    let snap = db.snapshot().await;
    let all: Vec<&gongfu_core::facilities::Facility> = snap.facilities.iter().collect();
    assert!(all.len() > 100);
    let bytes = gongfu_io::export_facilities(&snap, &all).unwrap();
    let range = sheet(&bytes, FACILITIES_SHEET);
    assert_eq!(header_of(&range), FACILITY_HEADERS);
    assert_eq!(range.height(), all.len() + 1);
    let rows = gongfu_io::parse_facilities_xlsx(&bytes, &snap).unwrap();
    assert_eq!(rows.len(), all.len());
    for (r, f) in rows.iter().zip(&all) {
        assert_eq!(r.existing, Some((f.id, f.version)));
        assert_eq!(r.spec, f.spec());
    }
    let template = gongfu_io::facilities_template(&snap).unwrap();
    assert_eq!(
        header_of(&sheet(&template, FACILITIES_SHEET)),
        FACILITY_HEADERS
    );

    let village = villages(&snap)[0].0.clone();
    let h: Vec<C> = FACILITY_HEADERS.iter().map(|x| s(x)).collect();
    let row = |cells: &[(&str, C)]| -> Vec<C> {
        FACILITY_HEADERS
            .iter()
            .map(|hd| {
                cells
                    .iter()
                    .find(|(k, _)| k == hd)
                    .map(|(_, c)| c.clone())
                    .unwrap_or(C::E)
            })
            .collect()
    };
    let good = [
        ("类型", s("文化礼堂")),
        ("名称", s("新建文化礼堂甲")),
        ("村代码", s(&village)),
        ("状态", s("规划")),
        ("管护责任单位", s("某村股份经济合作社")),
    ];
    let mut bad1 = good.to_vec();
    bad1[0] = ("类型", s("游乐场"));
    bad1[4] = ("管护责任单位", C::E);
    bad1.push(("经度", C::N(120.5)));
    let mut bad2 = good.to_vec();
    bad2[1] = ("名称", s("新建文化礼堂乙"));
    bad2.push(("编号", C::N(999_999.0)));
    bad2.push(("容量", C::N(-3.0)));
    let f0 = all[0];
    let mut stale = good.to_vec();
    stale[1] = ("名称", s(&f0.name));
    stale[2] = ("村代码", s(f0.village.as_str()));
    stale.push(("编号", C::N(f0.id as f64)));
    stale.push(("版本", C::N((f0.version + 5) as f64)));
    let file = workbook(
        FACILITIES_SHEET,
        &[
            h,
            row(&good),
            row(&bad1),
            row(&bad2),
            row(&stale),
            row(&good),
        ],
    );
    let errors = gongfu_io::parse_facilities_xlsx(&file, &snap).unwrap_err();
    let at = |r: usize, col: &str| errors.iter().any(|e| e.row == r && e.column == col);
    assert!(
        at(3, "类型") && at(3, "管护责任单位") && at(3, "纬度"),
        "{errors:?}"
    );
    assert!(at(4, "编号") && at(4, "容量"), "{errors:?}");
    assert!(at(5, "版本"), "{errors:?}");
    // Rows 2 and 6 are the same new facility.
    assert!(at(2, "名称") && at(6, "名称"), "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.reason.chars().any(|c| c >= '\u{4e00}'))
    );
}
