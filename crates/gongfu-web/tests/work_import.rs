//! The zone work workbooks through HTTP: templates download, a new project goes in by
//! import, its export edited in one cell comes back as an update (dry run, then apply), the
//! same file again is refused as stale, and the import page lists every row error.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, demo_app};
use gongfu_io::work_xlsx::*;
use serde_json::Value;

/// A zone all of whose members are in one town, with its members' codes.
async fn a_zone(app: &App) -> (i64, Vec<String>) {
    let (_, z) = app.get_json("/api/v1/zones").await;
    for zone in z["items"].as_array().unwrap() {
        let id = zone["id"].as_i64().unwrap();
        let (_, d) = app.get_json(&format!("/api/v1/zones/{id}")).await;
        let members: Vec<String> = d["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["village"]["code"].as_str().unwrap().to_string())
            .collect();
        if members.iter().all(|m| m[..9] == members[0][..9]) {
            return (id, members);
        }
    }
    panic!("no single-town zone in the demo");
}

/// A 项目清单 sheet with the given (header, text) rows; other columns blank.
fn workbook(rows: &[Vec<(&str, String)>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(PROJECTS_SHEET).unwrap();
    for (c, h) in PROJECT_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (h, v) in row {
            let c = PROJECT_HEADERS.iter().position(|x| x == h).unwrap();
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// A read-back row as cells again.
fn cells(r: &ProjectRow) -> Vec<(&'static str, String)> {
    let d = &r.draft;
    vec![
        (
            COL_PROJECT_ID,
            r.id.map(|i| i.to_string()).unwrap_or_default(),
        ),
        (
            COL_VERSION,
            r.version.map(|i| i.to_string()).unwrap_or_default(),
        ),
        (COL_ZONE_ID, r.zone.to_string()),
        (COL_PROJECT_NAME, d.name.clone()),
        (COL_MECHANISM, d.mechanism.clone()),
        (COL_KIND, d.kind.clone()),
        (COL_LEAD, d.lead_unit.clone()),
        (COL_VILLAGES, d.villages.clone()),
        (COL_PLANNED_FISCAL, d.planned_fiscal.clone()),
        (COL_PLANNED_COLLECTIVE, d.planned_collective.clone()),
        (COL_PLANNED_SOCIAL, d.planned_social.clone()),
        (COL_ACTUAL_FISCAL, d.actual_fiscal.clone()),
        (COL_ACTUAL_COLLECTIVE, d.actual_collective.clone()),
        (COL_ACTUAL_SOCIAL, d.actual_social.clone()),
        (COL_START, d.start.clone()),
        (COL_END, d.end.clone()),
        (
            COL_STATUS,
            r.status.map(|s| s.label().to_string()).unwrap_or_default(),
        ),
        (COL_PROGRESS, d.progress.clone()),
        (COL_NOTE, d.note.clone()),
    ]
}

fn new_project(zone: i64, village: &str, name: &str) -> Vec<(&'static str, String)> {
    vec![
        (COL_ZONE_ID, zone.to_string()),
        (COL_PROJECT_NAME, name.to_string()),
        (COL_MECHANISM, "产业共链".into()),
        (COL_KIND, "产业发展".into()),
        (COL_LEAD, "区农业农村局".into()),
        (COL_VILLAGES, village.to_string()),
        (COL_PLANNED_FISCAL, "1200000.5".into()),
        (COL_START, "2025-03-01".into()),
        (COL_END, "2025-12-31".into()),
    ]
}

async fn projects_of(app: &App, zone: i64) -> Vec<Value> {
    let (s, v) = app.get_json(&format!("/api/v1/projects?zone={zone}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn templates_and_exports_download() {
    let app = demo_app().await;
    for kind in ["projects", "milestones", "actions"] {
        let (s, bytes) = app
            .get(&format!("/api/v1/import/{kind}/template.xlsx"))
            .await;
        assert_eq!(s, StatusCode::OK, "{kind}");
        assert!(bytes.starts_with(b"PK"), "{kind}");
        let (s, bytes) = app.get(&format!("/api/v1/export/{kind}.xlsx")).await;
        assert_eq!(s, StatusCode::OK, "{kind}");
        assert!(bytes.starts_with(b"PK"), "{kind}");
    }
    let (s, _) = app.get("/api/v1/export/projects.xlsx?status=飞天").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.get("/api/v1/export/milestones.xlsx?zone=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, doc) = app.get_json("/api/openapi.json").await;
    for p in [
        "/api/v1/import/projects",
        "/api/v1/export/milestones.xlsx",
        "/api/v1/import/actions/template.xlsx",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} not documented");
    }
}

#[tokio::test]
async fn export_edit_one_cell_dry_run_then_apply() {
    let app = demo_app().await;
    let (zone, members) = a_zone(&app).await;
    let before = projects_of(&app, zone).await.len();

    // A new project: the dry run writes nothing, the apply writes it.
    let file = workbook(&[new_project(zone, &members[0], "日铸茶加工中心")]);
    let (s, r) = app
        .post_bytes("/api/v1/import/projects?mode=dry_run", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["ok"].as_bool(), r["applied"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(r["created"], 1);
    assert_eq!(projects_of(&app, zone).await.len(), before);
    let (s, r) = app
        .post_bytes("/api/v1/import/projects?mode=apply", file)
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    let after = projects_of(&app, zone).await;
    assert_eq!(after.len(), before + 1);
    let p = after
        .iter()
        .find(|p| p["name"] == "日铸茶加工中心")
        .unwrap()
        .clone();
    let id = p["id"].as_i64().unwrap();

    // Export, change one cell, import.
    let (s, xlsx) = app
        .get(&format!("/api/v1/export/projects.xlsx?zone={zone}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let rows = parse_projects_xlsx(&xlsx).unwrap();
    let mut edited: Vec<Vec<(&str, String)>> = rows.iter().map(cells).collect();
    let at = rows.iter().position(|r| r.id == Some(id)).unwrap();
    assert_eq!(rows[at].version, p["version"].as_i64());
    for (h, v) in edited[at].iter_mut() {
        if *h == COL_PROJECT_NAME {
            *v = "日铸茶加工中心（一期）".into();
        }
    }
    let file = workbook(&edited);
    let (s, r) = app
        .post_bytes("/api/v1/import/projects?mode=dry_run", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(r["unchanged"].as_u64(), Some(rows.len() as u64 - 1), "{r}");
    let (_, now) = app.get_json(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(now["name"], "日铸茶加工中心", "{now}");
    let (s, r) = app
        .post_bytes("/api/v1/import/projects?mode=apply", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    let (_, now) = app.get_json(&format!("/api/v1/projects/{id}")).await;
    assert_eq!(now["name"], "日铸茶加工中心（一期）", "{now}");

    // The same file again was exported before that change: refused, nothing written.
    let (s, r) = app
        .post_bytes("/api/v1/import/projects?mode=apply", file)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["applied"], false);
    let e = &r["errors"][0];
    assert_eq!(e["row"].as_u64(), Some(at as u64 + 2), "{r}");
    assert_eq!(e["column"], COL_VERSION);
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .starts_with("该记录已被他人修改（当前版本"),
        "{r}"
    );

    // A file error answers the same shape; a bad mode is refused.
    let (s, r) = app
        .post_bytes("/api/v1/import/milestones?mode=dry_run", b"nope".to_vec())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["row"], 0);
    let (s, _) = app
        .post_bytes("/api/v1/import/actions?mode=maybe", b"nope".to_vec())
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// A multipart body with the given text fields and optionally a file.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----gongfu-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"项目清单.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_page(
    app: &App,
    kind: &str,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> (StatusCode, String) {
    let (ct, body) = multipart(fields, file);
    let req = Request::post(format!("/work/import/{kind}"))
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, String::from_utf8_lossy(&b).into_owned())
}

#[tokio::test]
async fn the_page_lists_row_errors_then_confirms() {
    let app = demo_app().await;
    let (zone, members) = a_zone(&app).await;
    let (s, html) = app.get("/work/import").await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(s, StatusCode::OK);
    for k in ["projects", "milestones", "actions"] {
        assert!(html.contains(&format!("/api/v1/import/{k}/template.xlsx")));
        assert!(html.contains(&format!("/api/v1/export/{k}.xlsx")));
        assert!(html.contains(&format!("action=\"/work/import/{k}?_csrf=")));
    }
    let (_, hub) = app.get("/work").await;
    assert!(String::from_utf8_lossy(&hub).contains("href=\"/work/import\""));

    // Nothing chosen; then a file with errors in two rows.
    let (s, html) = post_page(&app, "projects", &[("mode", "dry_run")], None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请先选择要上传的文件"));
    let mut bad = new_project(zone, "330603999999", "越界项目");
    bad.push((COL_STATUS, "在建".into()));
    bad.retain(|(h, _)| *h != COL_START);
    let file = workbook(&[
        new_project(zone, &members[0], "好的项目"),
        bad,
        new_project(999_999, "", "无此片区"),
    ]);
    let (s, html) = post_page(&app, "projects", &[("mode", "dry_run")], Some(&file)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未导入任何数据"), "{html}");
    for needle in ["第 3 行", COL_VILLAGES, COL_START, "第 4 行", COL_ZONE_ID] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
    assert!(!html.contains("第 2 行"), "{html}");
    let before = projects_of(&app, zone).await.len();

    // A good file: checked, then confirmed with the file carried along.
    let file = workbook(&[new_project(zone, &members[0], "好的项目")]);
    let (s, html) = post_page(&app, "projects", &[("mode", "dry_run")], Some(&file)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("检查通过") && html.contains("确认导入"),
        "{html}"
    );
    let at = html.find("name=\"data\" value=\"").unwrap() + "name=\"data\" value=\"".len();
    let data = &html[at..at + html[at..].find('"').unwrap()];
    assert_eq!(data.len(), file.len() * 2);
    assert_eq!(projects_of(&app, zone).await.len(), before);
    let (s, html) = post_page(
        &app,
        "projects",
        &[
            ("mode", "apply"),
            ("file_name", "项目清单.xlsx"),
            ("data", data),
        ],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("导入成功"), "{html}");
    assert_eq!(projects_of(&app, zone).await.len(), before + 1);
}

/// The demo's whole year of work, exported and imported again unchanged, comes back as
/// exactly what is there: every row checks, nothing is created or changed.
#[tokio::test]
async fn a_full_export_of_the_demo_work_reimports_unchanged() {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    let today = gongfu_store::service::today();
    let work = gongfu_demo::work::generate_work(&divisions, &district, today, 7);
    app.store.seed_demo_work(&work).await.unwrap();
    for kind in ["projects", "milestones", "actions"] {
        let (s, file) = app.get(&format!("/api/v1/export/{kind}.xlsx")).await;
        assert_eq!(s, StatusCode::OK, "{kind}");
        let (s, r) = app
            .post_bytes(&format!("/api/v1/import/{kind}?mode=dry_run"), file)
            .await;
        assert_eq!(s, StatusCode::OK, "{kind}: {r}");
        assert_eq!(r["ok"], true, "{kind}: {r}");
        assert!(r["rows"].as_u64().unwrap() > 0, "{kind}: the demo has some");
        assert_eq!(
            (r["created"].as_u64(), r["updated"].as_u64()),
            (Some(0), Some(0)),
            "{kind}: {r}"
        );
        assert_eq!(r["unchanged"], r["rows"], "{kind}: {r}");
    }
}
