//! The zone work workbooks (项目清单, 里程碑, 待办事项): what is exported reads back as the
//! same drafts, every bad cell is named by row and column, and nothing a person can put in a
//! cell makes the importers panic.

use calamine::{Data, Range, Reader, Xlsx};
use gongfu_core::work::Mechanism;
use gongfu_core::work::Percent;
use gongfu_core::work::committee::{ActionItem, ActionStatus};
use gongfu_core::work::project::{
    Investment, Milestone, MilestoneSpec, Project, ProjectKind, ProjectSpec, ProjectStatus, SubItem,
};
use gongfu_core::{Fen, VillageCode};
use gongfu_io::RowError;
use gongfu_io::work_xlsx::*;
use gongfu_io::xlsx_import::NOT_XLSX;
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::Cursor;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2025 - 11 - 05);

fn zone_name(id: i64) -> String {
    match id {
        1 => "平水日铸茶片区".to_string(),
        2 => "稽东香榧片区".to_string(),
        _ => String::new(),
    }
}

fn ctx() -> WorkExport<'static> {
    WorkExport::new(TODAY, &zone_name)
}

fn code(s: &str) -> VillageCode {
    VillageCode::parse(s).unwrap()
}

fn pct(v: i64) -> Percent {
    Percent::new(v, "p").unwrap()
}

fn project(id: i64) -> Project {
    Project {
        id,
        zone: 1,
        name: format!("平水日铸茶加工中心{id}"),
        mechanism: Mechanism::IndustryChain,
        kind: ProjectKind::Industry,
        lead_unit: "平水镇人民政府".into(),
        villages: vec![code("330603105201"), code("330603105202")],
        investment: Investment {
            planned: [Fen(120_000_050), Fen(0), Fen(3_500_001)],
            actual: [Fen(1), Fen(99), Fen(1_000_000_000_000)],
        },
        start: Some(date!(2025 - 03 - 01)),
        end: Some(date!(2025 - 10 - 31)),
        status: ProjectStatus::Building,
        reported_progress: pct(40),
        items: vec![],
        origin: None,
        note: "第一期\n含厂房改造".into(),
        version: 3,
    }
}

fn projects() -> Vec<Project> {
    let mut b = project(7);
    b.zone = 2;
    b.mechanism = Mechanism::Facilities;
    b.kind = ProjectKind::Infrastructure;
    b.villages = vec![];
    b.investment = Investment::default();
    b.start = None;
    b.end = None;
    b.status = ProjectStatus::Conceived;
    b.reported_progress = Percent::ZERO;
    b.note = String::new();
    let mut c = project(9);
    c.status = ProjectStatus::Accepted;
    c.items = vec![SubItem {
        name: "厂房".into(),
        weight: 1,
        progress: Percent::FULL,
    }];
    c.start = Some(date!(1899 - 12 - 01));
    vec![project(3), b, c]
}

/// What the draft of a project's exported row must parse to.
fn spec_of(p: &Project) -> ProjectSpec {
    ProjectSpec {
        name: p.name.clone(),
        mechanism: p.mechanism,
        kind: p.kind,
        lead_unit: p.lead_unit.clone(),
        villages: p.villages.clone(),
        investment: p.investment,
        start: p.start,
        end: p.end,
        reported_progress: p.progress(),
        note: p.note.clone(),
    }
}

fn milestones() -> Vec<(Milestone, String)> {
    vec![
        (
            Milestone {
                id: 11,
                project: 3,
                name: "完成施工招标".into(),
                due: date!(2025 - 04 - 30),
                done_on: Some(date!(2025 - 04 - 28)),
                note: "公开招标".into(),
                version: 1,
            },
            "平水日铸茶加工中心3".into(),
        ),
        (
            Milestone {
                id: 12,
                project: 3,
                name: "主体结构封顶".into(),
                due: date!(2025 - 08 - 01),
                done_on: None,
                note: String::new(),
                version: 2,
            },
            "平水日铸茶加工中心3".into(),
        ),
    ]
}

fn actions() -> Vec<(ActionItem, String)> {
    let item = |id: i64, status: ActionStatus, done_on: Option<Date>, result: &str| ActionItem {
        id,
        zone: 2,
        decision: Some(4),
        title: format!("报送用地预审材料{id}"),
        owner_unit: "区自然资源分局".into(),
        owner_user: None,
        due: date!(2025 - 07 - 15),
        status,
        done_on,
        result: result.into(),
        version: 1,
    };
    vec![
        (
            item(21, ActionStatus::Open, None, ""),
            "2025-06-09 第二次工作推进会 · 决定 2".into(),
        ),
        (
            item(
                22,
                ActionStatus::Done,
                Some(date!(2025 - 07 - 10)),
                "材料已报送",
            ),
            String::new(),
        ),
        (
            // A cancellation's day is stored, but not shown as a 完成日期.
            item(
                23,
                ActionStatus::Cancelled,
                Some(date!(2025 - 07 - 02)),
                "并入其他项目",
            ),
            String::new(),
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// Hand-made workbooks.

#[derive(Clone, Debug)]
enum C {
    S(String),
    N(f64),
    D(Date),
    E,
}

fn s(v: &str) -> C {
    C::S(v.to_string())
}

fn workbook(sheet: &str, rows: &[Vec<C>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                C::S(v) => {
                    ws.write_string(r, c, v.as_str()).unwrap();
                }
                C::N(v) => {
                    ws.write_number(r, c, *v).unwrap();
                }
                C::D(d) => {
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day()).unwrap();
                    ws.write_datetime_with_format(r, c, &x, &date_fmt).unwrap();
                }
                C::E => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// A row in `headers` order from (header, cell) pairs; unnamed columns blank.
fn row(headers: &[&str], cells: &[(&str, C)]) -> Vec<C> {
    headers
        .iter()
        .map(|h| {
            cells
                .iter()
                .find(|(k, _)| k == h)
                .map(|(_, c)| c.clone())
                .unwrap_or(C::E)
        })
        .collect()
}

fn header(headers: &[&str]) -> Vec<C> {
    headers.iter().map(|h| s(h)).collect()
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range(name).unwrap()
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

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn at(errors: &[RowError], r: usize, col: &str) -> bool {
    errors.iter().any(|e| e.row == r && e.column == col)
}

// ---------------------------------------------------------------------------------------
// Round trips.

#[test]
fn projects_export_reads_back_as_the_same_drafts() {
    let all = projects();
    let bytes = export_projects(&all, &ctx()).unwrap();
    let range = sheet(&bytes, PROJECTS_SHEET);
    assert_eq!(header_of(&range), PROJECT_HEADERS);
    assert_eq!(range.height(), all.len() + 1);
    // Readable columns: zone name, overdue days (only the open, late project).
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[1][2].to_string(), "平水日铸茶片区");
    assert_eq!(rows[2][2].to_string(), "稽东香榧片区");
    assert_eq!(rows[1][18], Data::Float(5.0));
    assert_eq!(rows[3].get(18).cloned().unwrap_or(Data::Empty), Data::Empty);
    // Money is a number of yuan.
    assert_eq!(rows[1][8], Data::Float(1_200_000.5));

    let parsed = parse_projects_xlsx(&bytes).unwrap();
    assert_eq!(parsed.len(), all.len());
    for (i, (r, p)) in parsed.iter().zip(&all).enumerate() {
        assert_eq!(r.row, i + 2);
        assert_eq!(r.id, Some(p.id));
        assert_eq!(r.version, Some(p.version));
        assert_eq!(r.zone, p.zone);
        assert_eq!(r.status, Some(p.status));
        assert_eq!(r.draft.parse().unwrap(), spec_of(p), "row {}", r.row);
    }
    // Cells read as typed text, without float artefacts.
    assert_eq!(parsed[0].draft.planned_fiscal, "1200000.5");
    assert_eq!(parsed[0].draft.actual_social, "10000000000");
    assert_eq!(parsed[0].draft.start, "2025-03-01");
    assert_eq!(parsed[0].draft.villages, "330603105201、330603105202");
    assert_eq!(parsed[1].draft.start, "");
    // Before 1900 the date is kept as text, and still reads back.
    assert_eq!(parsed[2].draft.start, "1899-12-01");
    // A finished project with its sub-items done shows 100 %.
    assert_eq!(parsed[2].draft.progress, "100");

    let mut demo = ctx();
    demo.demo = true;
    let bytes = export_projects(&all, &demo).unwrap();
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), [PROJECTS_SHEET, "说明"]);
    assert_eq!(parse_projects_xlsx(&bytes).unwrap().len(), all.len());
}

#[test]
fn milestones_export_reads_back_as_the_same_drafts() {
    let all = milestones();
    let bytes = export_milestones(&all, &ctx()).unwrap();
    let range = sheet(&bytes, MILESTONES_SHEET);
    assert_eq!(header_of(&range), MILESTONE_HEADERS);
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[1][2].to_string(), "平水日铸茶加工中心3");
    // Done milestones are never late; the open one is late by 96 days.
    assert_eq!(rows[1].get(7).cloned().unwrap_or(Data::Empty), Data::Empty);
    assert_eq!(rows[2][7], Data::Float(96.0));

    let parsed = parse_milestones_xlsx(&bytes).unwrap();
    assert_eq!(parsed.len(), 2);
    for (i, (r, (m, _))) in parsed.iter().zip(&all).enumerate() {
        assert_eq!(r.row, i + 2);
        assert_eq!(r.id, Some(m.id));
        assert_eq!(r.version, Some(m.version));
        assert_eq!(r.project, m.project);
        assert_eq!(
            r.draft.parse().unwrap(),
            MilestoneSpec {
                name: m.name.clone(),
                due: m.due,
                done_on: m.done_on,
                note: m.note.clone(),
            }
        );
    }
}

#[test]
fn actions_export_reads_back_as_the_same_drafts() {
    let all = actions();
    let bytes = export_actions(&all, &ctx()).unwrap();
    let range = sheet(&bytes, ACTIONS_SHEET);
    assert_eq!(header_of(&range), ACTION_HEADERS);
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(
        rows[1][3].to_string(),
        "2025-06-09 第二次工作推进会 · 决定 2"
    );
    assert_eq!(rows[1][10], Data::Float(113.0));

    let parsed = parse_actions_xlsx(&bytes).unwrap();
    assert_eq!(parsed.len(), 3);
    for (i, (r, (a, _))) in parsed.iter().zip(&all).enumerate() {
        assert_eq!(r.row, i + 2);
        assert_eq!(r.id, Some(a.id));
        assert_eq!(r.version, Some(a.version));
        assert_eq!(r.zone, a.zone);
        assert_eq!(r.status, Some(a.status));
        assert_eq!(
            r.done_on,
            a.done_on.filter(|_| a.status == ActionStatus::Done)
        );
        assert_eq!(r.result, a.result);
        let spec = r.draft.parse().unwrap();
        assert_eq!(
            (spec.title, spec.owner_unit, spec.due),
            (a.title.clone(), a.owner_unit.clone(), a.due)
        );
    }
}

#[test]
fn templates_have_the_headers_a_guide_and_no_rows() {
    for (bytes, name, headers) in [
        (
            projects_template().unwrap(),
            PROJECTS_SHEET,
            PROJECT_HEADERS.to_vec(),
        ),
        (
            milestones_template().unwrap(),
            MILESTONES_SHEET,
            MILESTONE_HEADERS.to_vec(),
        ),
        (
            actions_template().unwrap(),
            ACTIONS_SHEET,
            ACTION_HEADERS.to_vec(),
        ),
    ] {
        let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), [name, GUIDE_SHEET]);
        assert_eq!(header_of(&sheet(&bytes, name)), headers);
        // Every column is explained, and so is the all-or-nothing import.
        let guide = sheet(&bytes, GUIDE_SHEET);
        let text: Vec<String> = guide.cells().map(|(_, _, c)| c.to_string()).collect();
        for h in &headers {
            assert!(text.iter().any(|t| t == h), "{name}: {h} not explained");
        }
        assert!(text.iter().any(|t| t.contains("YYYY-MM-DD")));
        assert!(text.iter().any(|t| t.contains("全部不写入")));
    }
    let errors = parse_projects_xlsx(&projects_template().unwrap()).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 0);
    assert!(errors[0].reason.contains("没有数据行"), "{errors:?}");
    let errors = parse_milestones_xlsx(&milestones_template().unwrap()).unwrap_err();
    assert!(errors[0].reason.contains("没有数据行"), "{errors:?}");
    let errors = parse_actions_xlsx(&actions_template().unwrap()).unwrap_err();
    assert!(errors[0].reason.contains("没有数据行"), "{errors:?}");
}

// ---------------------------------------------------------------------------------------
// Reading cells.

#[test]
fn cells_are_read_as_the_text_a_person_sees() {
    let h = PROJECT_HEADERS;
    let file = workbook(
        PROJECTS_SHEET,
        &[
            header(&h),
            row(
                &h,
                &[
                    (COL_ZONE_ID, C::N(1.0)),
                    (COL_PROJECT_NAME, s("  香榧精深加工  ")),
                    (COL_MECHANISM, s("industry_chain")),
                    (COL_KIND, s("产业发展")),
                    (COL_LEAD, s("稽东镇人民政府")),
                    (COL_VILLAGES, C::N(330_603_101_201.0)),
                    (COL_PLANNED_FISCAL, C::N(1_200_000.5)),
                    (COL_PLANNED_COLLECTIVE, C::N(0.1 + 0.2)),
                    (COL_PLANNED_SOCIAL, s("1,200,000元")),
                    (COL_START, C::D(date!(2025 - 03 - 01))),
                    (COL_END, s("2025/12/1")),
                    (COL_PROGRESS, s("60%")),
                    (COL_STATUS, s("立项")),
                ],
            ),
        ],
    );
    let rows = parse_projects_xlsx(&file).unwrap();
    let d = &rows[0].draft;
    assert_eq!(rows[0].id, None);
    assert_eq!(rows[0].status, Some(ProjectStatus::Approved));
    assert_eq!(d.name, "香榧精深加工");
    assert_eq!(d.villages, "330603101201");
    assert_eq!(d.planned_fiscal, "1200000.5");
    assert_eq!(d.planned_collective, "0.3");
    assert_eq!(d.planned_social, "1,200,000元");
    assert_eq!(d.start, "2025-03-01");
    assert_eq!(d.end, "2025-12-01");
    let spec = d.parse().unwrap();
    assert_eq!(
        spec.investment.planned,
        [Fen(120_000_050), Fen(30), Fen(120_000_000)]
    );
    assert_eq!(spec.reported_progress.get(), 60);
}

#[test]
fn columns_may_move_extra_columns_and_a_title_row_are_ignored() {
    // Reversed order, an extra column, no read-only columns, a title above the header.
    let mut h: Vec<&str> = ACTION_HEADERS
        .iter()
        .copied()
        .filter(|c| ![COL_ZONE, COL_SOURCE, COL_OVERDUE].contains(c))
        .rev()
        .collect();
    h.insert(2, "联系人");
    let good = row(
        &h,
        &[
            (COL_ZONE_ID, s("２")),
            (COL_ACTION, s("报送用地预审材料")),
            (COL_OWNER, s("区自然资源分局")),
            (COL_DEADLINE, s("2025-07-15")),
            ("联系人", s("张三")),
        ],
    );
    let file = workbook(
        "Sheet1",
        &[
            vec![s("稽东香榧片区待办清单")],
            header(&h),
            good.clone(),
            vec![],
            row(&h, &[("联系人", s("只填了多出来的列"))]),
            good,
        ],
    );
    let rows = parse_actions_xlsx(&file).unwrap();
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [3, 6]);
    assert_eq!(rows[0].zone, 2);
    assert_eq!(rows[0].status, None);
    assert_eq!(rows[0].draft.title, "报送用地预审材料");
}

// ---------------------------------------------------------------------------------------
// Bad files.

#[test]
fn every_bad_project_cell_is_named_by_row_and_column() {
    let h = PROJECT_HEADERS;
    let good = [
        (COL_ZONE_ID, C::N(1.0)),
        (COL_PROJECT_NAME, s("日铸茶文化街区")),
        (COL_MECHANISM, s("产业共链")),
        (COL_KIND, s("文旅融合")),
        (COL_LEAD, s("平水镇人民政府")),
    ];
    let bad = |changes: &[(&'static str, C)]| {
        let mut cells: Vec<(&str, C)> = good
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        cells.extend(changes.iter().cloned());
        row(&h, &cells)
    };
    let long = "长".repeat(2001);
    let file = workbook(
        PROJECTS_SHEET,
        &[
            header(&h),
            // 2: good
            row(&h, &good),
            // 3: every field wrong
            bad(&[
                (COL_PROJECT_ID, s("abc")),
                (COL_ZONE_ID, C::E),
                (COL_PROJECT_NAME, C::E),
                (COL_MECHANISM, s("共同富裕")),
                (COL_KIND, s("工业")),
                (COL_LEAD, s("   ")),
                (COL_VILLAGES, s("12345、330603101201")),
                (COL_PLANNED_FISCAL, s("-5")),
                (COL_PLANNED_COLLECTIVE, C::N(1.005)),
                (COL_PLANNED_SOCIAL, s("很多")),
                (COL_ACTUAL_FISCAL, s("20000000000")),
                (COL_ACTUAL_COLLECTIVE, s("12.345")),
                (COL_ACTUAL_SOCIAL, C::N(-1.0)),
                (COL_START, s("2025-13-01")),
                (COL_END, s("明年")),
                (COL_STATUS, s("完成了")),
                (COL_PROGRESS, C::N(120.0)),
                (COL_NOTE, s(&long)),
            ]),
            // 4: blank (skipped, but counted in the numbering)
            vec![],
            // 5: end before start, zone 0, negative id, repeated village
            bad(&[
                (COL_PROJECT_ID, C::N(-1.0)),
                (COL_ZONE_ID, C::N(0.0)),
                (COL_START, C::D(date!(2025 - 05 - 01))),
                (COL_END, C::D(date!(2025 - 04 - 01))),
                (COL_VILLAGES, s("330603101201，330603101201")),
                (COL_PROGRESS, C::N(2.5)),
            ]),
            // 6 and 7: the same 项目编号
            bad(&[(COL_PROJECT_ID, C::N(7.0))]),
            bad(&[(COL_PROJECT_ID, s("7")), (COL_ZONE_ID, C::N(1.5))]),
        ],
    );
    let errors = parse_projects_xlsx(&file).unwrap_err();
    for col in [
        COL_PROJECT_ID,
        COL_ZONE_ID,
        COL_PROJECT_NAME,
        COL_MECHANISM,
        COL_KIND,
        COL_LEAD,
        COL_VILLAGES,
        COL_PLANNED_FISCAL,
        COL_PLANNED_COLLECTIVE,
        COL_PLANNED_SOCIAL,
        COL_ACTUAL_FISCAL,
        COL_ACTUAL_COLLECTIVE,
        COL_ACTUAL_SOCIAL,
        COL_START,
        COL_END,
        COL_STATUS,
        COL_PROGRESS,
        COL_NOTE,
    ] {
        assert!(at(&errors, 3, col), "row 3 {col}: {errors:#?}");
    }
    for col in [
        COL_PROJECT_ID,
        COL_ZONE_ID,
        COL_END,
        COL_VILLAGES,
        COL_PROGRESS,
    ] {
        assert!(at(&errors, 5, col), "row 5 {col}: {errors:#?}");
    }
    assert!(at(&errors, 6, COL_PROJECT_ID) && at(&errors, 7, COL_PROJECT_ID));
    assert!(at(&errors, 7, COL_ZONE_ID));
    assert!(
        !errors.iter().any(|e| e.row == 2 || e.row == 4),
        "{errors:#?}"
    );
    assert!(errors.iter().all(|e| has_chinese(&e.reason)), "{errors:#?}");
    // Errors carry what was read, and are in row then column order.
    let note = errors
        .iter()
        .find(|e| e.row == 3 && e.column == COL_NOTE)
        .unwrap();
    assert_eq!(
        note.value.chars().count(),
        41,
        "long values are cut for display"
    );
    let fiscal = errors
        .iter()
        .find(|e| e.row == 3 && e.column == COL_PLANNED_COLLECTIVE)
        .unwrap();
    assert_eq!(fiscal.value, "1.005");
    let dup = errors
        .iter()
        .find(|e| e.row == 6 && e.column == COL_PROJECT_ID)
        .unwrap();
    assert!(dup.reason.contains("第 6、7 行"), "{}", dup.reason);
    let order: Vec<usize> = errors.iter().map(|e| e.row).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
    // One message per bad cell: an empty required name is not reported twice.
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.row == 3 && e.column == COL_PROJECT_NAME)
            .count(),
        1
    );
}

#[test]
fn bad_milestone_and_action_cells_are_named() {
    let h = MILESTONE_HEADERS;
    let file = workbook(
        MILESTONES_SHEET,
        &[
            header(&h),
            row(
                &h,
                &[
                    (COL_PROJECT_ID, C::N(3.0)),
                    (COL_MILESTONE, s("完成施工招标")),
                    (COL_DUE, s("2025-04-31")),
                    (COL_DONE_ON, s("上周")),
                ],
            ),
            row(
                &h,
                &[
                    (COL_MILESTONE_ID, s("x")),
                    (COL_PROJECT_NAME, s("只读列不算内容")),
                    (COL_EXPLANATION, s(&"说".repeat(2001))),
                ],
            ),
        ],
    );
    let errors = parse_milestones_xlsx(&file).unwrap_err();
    assert!(
        at(&errors, 2, COL_DUE) && at(&errors, 2, COL_DONE_ON),
        "{errors:#?}"
    );
    for col in [
        COL_MILESTONE_ID,
        COL_PROJECT_ID,
        COL_MILESTONE,
        COL_DUE,
        COL_EXPLANATION,
    ] {
        assert!(at(&errors, 3, col), "row 3 {col}: {errors:#?}");
    }

    let h = ACTION_HEADERS;
    let base = [
        (COL_ZONE_ID, C::N(2.0)),
        (COL_ACTION, s("报送用地预审材料")),
        (COL_OWNER, s("区自然资源分局")),
        (COL_DEADLINE, C::D(date!(2025 - 07 - 15))),
    ];
    let with = |extra: &[(&'static str, C)]| {
        let mut cells: Vec<(&str, C)> = base
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        cells.extend(extra.iter().cloned());
        row(&h, &cells)
    };
    let file = workbook(
        ACTIONS_SHEET,
        &[
            header(&h),
            with(&[(COL_STATUS, s("已完成"))]),
            with(&[(COL_STATUS, s("已取消")), (COL_RESULT, s("  "))]),
            with(&[
                (COL_STATUS, s("推进中")),
                (COL_FINISHED_ON, s("2025-07-01")),
            ]),
            with(&[(COL_STATUS, s("搁置")), (COL_FINISHED_ON, s("7月1日"))]),
            with(&[
                (COL_ZONE_ID, C::E),
                (COL_ACTION, C::E),
                (COL_OWNER, C::E),
                (COL_DEADLINE, C::E),
                (COL_ACTION_ID, C::N(0.0)),
            ]),
            with(&[(COL_RESULT, s(&"果".repeat(10_001)))]),
            with(&[
                (COL_STATUS, s("done")),
                (COL_FINISHED_ON, C::D(date!(2025 - 07 - 10))),
                (COL_RESULT, s("已报送")),
            ]),
        ],
    );
    let errors = parse_actions_xlsx(&file).unwrap_err();
    assert!(at(&errors, 2, COL_RESULT), "{errors:#?}");
    assert!(at(&errors, 3, COL_RESULT), "{errors:#?}");
    assert!(at(&errors, 4, COL_FINISHED_ON), "{errors:#?}");
    assert!(
        at(&errors, 5, COL_STATUS) && at(&errors, 5, COL_FINISHED_ON),
        "{errors:#?}"
    );
    for col in [
        COL_ACTION_ID,
        COL_ZONE_ID,
        COL_ACTION,
        COL_OWNER,
        COL_DEADLINE,
    ] {
        assert!(at(&errors, 6, col), "row 6 {col}: {errors:#?}");
    }
    assert!(at(&errors, 7, COL_RESULT), "{errors:#?}");
    assert!(!errors.iter().any(|e| e.row == 8), "{errors:#?}");
    assert!(errors.iter().all(|e| has_chinese(&e.reason)));
}

#[test]
fn a_version_goes_with_an_id_and_only_with_one() {
    let h = MILESTONE_HEADERS;
    let base = [
        (COL_PROJECT_ID, C::N(3.0)),
        (COL_MILESTONE, s("完成施工招标")),
        (COL_DUE, s("2025-04-30")),
    ];
    let with = |extra: &[(&'static str, C)]| {
        let mut cells: Vec<(&str, C)> = base.to_vec();
        cells.extend(extra.iter().cloned());
        row(&h, &cells)
    };
    let file = workbook(
        MILESTONES_SHEET,
        &[
            header(&h),
            // 2: new, no version: good
            with(&[]),
            // 3: change with its version: good
            with(&[(COL_MILESTONE_ID, C::N(11.0)), (COL_VERSION, C::N(4.0))]),
            // 4: change without a version
            with(&[(COL_MILESTONE_ID, C::N(12.0))]),
            // 5: new with a version
            with(&[(COL_VERSION, C::N(1.0))]),
            // 6: a version that is not a positive whole number
            with(&[(COL_MILESTONE_ID, C::N(13.0)), (COL_VERSION, s("二"))]),
        ],
    );
    let errors = parse_milestones_xlsx(&file).unwrap_err();
    for r in [4, 5, 6] {
        assert!(at(&errors, r, COL_VERSION), "row {r}: {errors:#?}");
    }
    assert!(!errors.iter().any(|e| e.row < 4), "{errors:#?}");
    assert!(errors.iter().all(|e| has_chinese(&e.reason)));
    let file = workbook(
        MILESTONES_SHEET,
        &[
            header(&h),
            with(&[]),
            with(&[(COL_MILESTONE_ID, C::N(11.0)), (COL_VERSION, C::N(4.0))]),
        ],
    );
    let rows = parse_milestones_xlsx(&file).unwrap();
    assert_eq!((rows[0].id, rows[0].version), (None, None));
    assert_eq!((rows[1].id, rows[1].version), (Some(11), Some(4)));
    // The column itself is required: without it an update could not be checked.
    let no_version: Vec<&str> = PROJECT_HEADERS
        .iter()
        .copied()
        .filter(|c| *c != COL_VERSION)
        .collect();
    let file = workbook(PROJECTS_SHEET, &[header(&no_version)]);
    let errors = parse_projects_xlsx(&file).unwrap_err();
    assert!(
        errors[0].reason.contains(&format!("「{COL_VERSION}」")),
        "{errors:#?}"
    );
}

#[test]
fn missing_columns_are_one_error_naming_them_all() {
    let file = workbook(
        PROJECTS_SHEET,
        &[
            vec![s("项目名称"), s("片区编号"), s("所属机制"), s("项目类型")],
            vec![s("x"), C::N(1.0), s("产业共链"), s("产业发展")],
        ],
    );
    let errors = parse_projects_xlsx(&file).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.row, 1);
    for missing in [
        COL_PROJECT_ID,
        COL_LEAD,
        COL_VILLAGES,
        COL_PLANNED_FISCAL,
        COL_NOTE,
    ] {
        assert!(e.reason.contains(&format!("「{missing}」")), "{}", e.reason);
    }
    // Read-only columns may be left out.
    assert!(
        !e.reason.contains(&format!("「{COL_ZONE}」")),
        "{}",
        e.reason
    );
    assert!(!e.reason.contains(COL_OVERDUE), "{}", e.reason);

    // A header typed with ASCII brackets still counts; a repeated one does not.
    let mut h: Vec<String> = MILESTONE_HEADERS.iter().map(|h| h.to_string()).collect();
    h.push(COL_MILESTONE.to_string());
    let file = workbook(
        MILESTONES_SHEET,
        &[h.iter().map(|x| s(x)).collect::<Vec<_>>()],
    );
    let errors = parse_milestones_xlsx(&file).unwrap_err();
    assert!(at(&errors, 1, COL_MILESTONE), "{errors:#?}");
    let file = workbook(
        PROJECTS_SHEET,
        &[PROJECT_HEADERS
            .iter()
            .map(|h| s(&h.replace('（', "(").replace('）', ")")))
            .collect()],
    );
    let errors = parse_projects_xlsx(&file).unwrap_err();
    assert!(errors[0].reason.contains("没有数据行"), "{errors:#?}");
}

#[test]
fn files_that_are_not_workbooks_or_are_empty_get_one_clear_error() {
    for bytes in [
        b"".to_vec(),
        b"hello".to_vec(),
        b"PK\x03\x04garbage".to_vec(),
    ] {
        for errors in [
            parse_projects_xlsx(&bytes).unwrap_err(),
            parse_milestones_xlsx(&bytes).unwrap_err(),
            parse_actions_xlsx(&bytes).unwrap_err(),
        ] {
            assert_eq!(errors, vec![RowError::file(NOT_XLSX)]);
        }
    }
    let empty = workbook(PROJECTS_SHEET, &[]);
    for errors in [
        parse_projects_xlsx(&empty).unwrap_err(),
        parse_milestones_xlsx(&empty).unwrap_err(),
        parse_actions_xlsx(&empty).unwrap_err(),
    ] {
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 0);
        assert!(errors[0].reason.contains("没有数据行"), "{errors:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Fuzzing.

fn cases(default: u32) -> u32 {
    std::env::var("GONGFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A cell as a person might leave it in one of the templates.
fn any_cell() -> impl Strategy<Value = C> {
    prop_oneof![
        prop_oneof![
            ".{0,16}",
            Just("产业共链".to_string()),
            Just("产业发展".to_string()),
            Just("在建".to_string()),
            Just("已完成".to_string()),
            Just("已取消".to_string()),
            Just("2025-03-01".to_string()),
            Just("2025/3/1".to_string()),
            Just("2025年13月1日".to_string()),
            Just("330603105209、330603105201".to_string()),
            Just("平水镇人民政府".to_string()),
            "[0-9.,%-]{0,12}",
        ]
        .prop_map(C::S),
        prop_oneof![
            any::<f64>(),
            -5.0..5000.0f64,
            0.0..3_000_000.0f64,
            Just(7.0),
            Just(330_603_105_209.0),
            Just(f64::NAN),
            Just(1e300),
        ]
        .prop_map(C::N),
        (-3000i32..3000).prop_map(|d| C::D(date!(2025 - 01 - 01) + time::Duration::days(d as i64))),
        Just(C::E),
    ]
}

fn any_workbook(headers: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(0..headers.len(), 0..24),
        prop::collection::vec(prop::collection::vec(any_cell(), 0..22), 0..8),
        any::<bool>(),
    )
        .prop_map(move |(header, rows, keep_header)| {
            let h: Vec<C> = if keep_header {
                headers.iter().map(|x| s(x)).collect()
            } else {
                header.iter().map(|i| s(headers[*i])).collect()
            };
            let mut all = vec![h];
            all.extend(rows.into_iter().map(|r| {
                r.into_iter()
                    .map(|c| match c {
                        C::N(n) if !n.is_finite() => C::S(n.to_string()),
                        other => other,
                    })
                    .collect()
            }));
            workbook("Sheet1", &all)
        })
}

fn check<T>(
    result: Result<Vec<T>, Vec<RowError>>,
    ok: impl Fn(&T) -> bool,
) -> Result<(), TestCaseError> {
    match result {
        Ok(rows) => {
            prop_assert!(!rows.is_empty());
            for r in &rows {
                prop_assert!(ok(r));
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(has_chinese(&e.reason), "{e:?}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), .. ProptestConfig::default() })]

    /// Whatever the cells hold, a projects file is read whole (every draft parses) or
    /// refused with Chinese reasons, never a panic.
    #[test]
    fn any_projects_workbook_is_read_whole_or_refused(bytes in any_workbook(&PROJECT_HEADERS)) {
        check(parse_projects_xlsx(&bytes), |r| r.draft.parse().is_ok() && r.zone > 0 && r.id.is_none_or(|i| i > 0))?;
    }

    #[test]
    fn any_milestones_workbook_is_read_whole_or_refused(bytes in any_workbook(&MILESTONE_HEADERS)) {
        check(parse_milestones_xlsx(&bytes), |r| r.draft.parse().is_ok() && r.project > 0)?;
    }

    #[test]
    fn any_actions_workbook_is_read_whole_or_refused(bytes in any_workbook(&ACTION_HEADERS)) {
        check(parse_actions_xlsx(&bytes), |r| {
            r.draft.parse().is_ok()
                && r.zone > 0
                && (r.done_on.is_none() || r.status.is_none_or(|s| s == ActionStatus::Done))
                && (!r.status.is_some_and(|s| s.is_closed()) || !r.result.is_empty())
        })?;
    }

    #[test]
    fn any_bytes_given_as_a_work_workbook_are_refused_clearly(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for errors in [
            parse_projects_xlsx(&bytes).err(),
            parse_milestones_xlsx(&bytes).err(),
            parse_actions_xlsx(&bytes).err(),
        ].into_iter().flatten() {
            prop_assert!(errors.iter().all(|e| has_chinese(&e.reason)));
        }
    }
}

/// The store names import errors by column; those names are the workbooks' own headers.
#[test]
fn the_store_names_columns_as_the_workbooks_do() {
    use gongfu_io::work_xlsx::{ACTION_HEADERS, MILESTONE_HEADERS, PROJECT_HEADERS};
    use gongfu_store::work::import::col;
    let all: Vec<&str> = PROJECT_HEADERS
        .iter()
        .chain(MILESTONE_HEADERS.iter())
        .chain(ACTION_HEADERS.iter())
        .copied()
        .collect();
    for c in [
        col::PROJECT_ID,
        col::ZONE_ID,
        col::LEAD,
        col::VILLAGES,
        col::START,
        col::STATUS,
        col::VERSION,
        col::MILESTONE_ID,
        col::DONE_ON,
        col::ACTION_ID,
        col::FINISHED_ON,
        col::RESULT,
    ] {
        assert!(all.contains(&c), "{c} is not a workbook header");
    }
}
