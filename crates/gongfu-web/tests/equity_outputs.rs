//! What officials hand out from benefit sharing, over the seeded demo equity: every holder's
//! statement equals the distribution's stored payout and together they add up to Σ payouts;
//! the 发放清单 workbook read back gives the same fen; the register and a certificate are PDF
//! files that parse (and, with poppler's pdftotext, show the holder and the total units); a
//! village account reads them all, as it reads the other equity pages.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{App, demo_app};
use gongfu_core::Fen;
use gongfu_core::auth::Role;
use serde_json::Value;
use std::io::Cursor;

async fn seeded() -> App {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    let equity = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
    app.store.seed_demo_equity(&equity).await.unwrap();
    app
}

/// Every distribution with payouts, with its entity, from the API.
async fn distributions(app: &App) -> Vec<(Value, Value)> {
    let (s, list) = app.get_json("/api/v1/distributions").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut out = Vec::new();
    for d in list["items"].as_array().unwrap() {
        if d["payouts"].as_array().unwrap().is_empty() {
            continue;
        }
        let (_, d) = app
            .get_json(&format!("/api/v1/distributions/{}", d["id"]))
            .await;
        let (_, e) = app
            .get_json(&format!("/api/v1/entities/{}", d["entity"]["id"]))
            .await;
        out.push((d, e));
    }
    assert!(!out.is_empty(), "the demo has distributions with payouts");
    out
}

fn payout_of(d: &Value, holder: &Value) -> i64 {
    d["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["holder"] == *holder)
        .map_or(0, |p| p["amount_fen"].as_i64().unwrap())
}

async fn get_as(
    app: &App,
    token: Option<&str>,
    uri: &str,
) -> (StatusCode, Vec<u8>, String, String) {
    let mut req = Request::get(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let res = tower::ServiceExt::oneshot(app.router.clone(), {
        let mut r = req.body(Body::empty()).unwrap();
        if token.is_none() {
            r.headers_mut().insert(
                "authorization",
                format!("Bearer {}", app.token).parse().unwrap(),
            );
        }
        r
    })
    .await
    .unwrap();
    let status = res.status();
    let header = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body, ct, cd)
}

#[tokio::test]
async fn statements_equal_the_payouts_and_add_up_to_the_distribution() {
    let app = seeded().await;
    let mut time_weighted_seen = false;
    for (d, e) in distributions(&app).await {
        let id = d["id"].as_i64().unwrap();
        let paid: i64 = d["payouts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["amount_fen"].as_i64().unwrap())
            .sum();
        let mut sum = 0;
        for h in e["holders"].as_array().unwrap() {
            let (s, st) = app
                .get_json(&format!("/api/v1/distributions/{id}/holders/{}", h["id"]))
                .await;
            assert_eq!(s, StatusCode::OK, "{st}");
            let total = st["total_fen"].as_i64().unwrap();
            assert_eq!(total, payout_of(&d, &h["id"]), "{st}");
            let lines = st["lines"].as_array().unwrap();
            assert_eq!(
                lines
                    .iter()
                    .map(|l| l["amount_fen"].as_i64().unwrap())
                    .sum::<i64>(),
                total
            );
            for l in lines {
                assert_eq!(
                    l["floor_fen"].as_i64().unwrap() + l["remainder_fen"].as_i64().unwrap(),
                    l["amount_fen"].as_i64().unwrap(),
                    "{l}"
                );
                let f = l["formula"].as_str().unwrap();
                assert!(
                    f.contains(&Fen(l["floor_fen"].as_i64().unwrap()).yuan_string()),
                    "{f}"
                );
            }
            if h["kind"] == "village_collective" {
                assert_eq!(st["village_amount_fen"], total);
            } else {
                assert!(st["village_amount_fen"].is_null());
            }
            time_weighted_seen |= st["time_weighted"] == true;
            sum += total;
            // The page shows the same total, the status and the arithmetic.
            if total > 0 {
                let (s, html) = app
                    .get(&format!("/equity/distributions/{id}/holders/{}", h["id"]))
                    .await;
                let html = String::from_utf8_lossy(&html).into_owned();
                assert_eq!(s, StatusCode::OK);
                assert!(
                    html.contains(&format!(r#"id="stmt-total">{}<"#, Fen(total).yuan_string())),
                    "total missing"
                );
                assert!(html.contains("对账单") && html.contains("@media print"));
                assert!(html.contains(d["status_label"].as_str().unwrap()));
                if d["locked"] == true {
                    assert!(html.contains("已锁定"));
                }
                if h["kind"] == "village_collective" {
                    assert!(html.contains("村集体分配额"));
                }
            }
        }
        assert_eq!(sum, paid, "distribution {id}");
        // The distribution page links every statement and the payout sheet.
        let (_, html) = app.get(&format!("/equity/distributions/{id}")).await;
        let html = String::from_utf8_lossy(&html).into_owned();
        assert!(html.contains(&format!("/api/v1/distributions/{id}/payouts.xlsx")));
        for p in d["payouts"].as_array().unwrap() {
            assert!(html.contains(&format!(
                "/equity/distributions/{id}/holders/{}",
                p["holder"]
            )));
        }
    }
    assert!(
        time_weighted_seen,
        "the demo has a time-weighted distribution"
    );
    let (d, _) = &distributions(&app).await[0];
    let (s, _) = app
        .get_json(&format!("/api/v1/distributions/{}/holders/999999", d["id"]))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get_json("/api/v1/distributions/999999/holders/1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/equity/distributions/999999/holders/1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn fen_of(cell: Option<&Data>) -> i64 {
    match cell {
        // Yuan with two decimals, exact below 2^53 fen.
        Some(Data::Float(f)) => (f * 100.0).round() as i64,
        Some(Data::Int(i)) => i * 100,
        other => panic!("not an amount: {other:?}"),
    }
}

#[tokio::test]
async fn the_payout_sheet_reads_back_to_the_same_fen() {
    let app = seeded().await;
    for (d, e) in distributions(&app).await {
        let id = d["id"].as_i64().unwrap();
        let (s, bytes, ct, cd) = get_as(
            &app,
            None,
            &format!("/api/v1/distributions/{id}/payouts.xlsx"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.contains("spreadsheetml"), "{ct}");
        assert!(
            cd.contains("filename*=UTF-8''") && cd.contains(".xlsx"),
            "{cd}"
        );
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("发放清单").unwrap();
        let header: Vec<String> = (0..sheet.width())
            .map(|c| sheet.get((0, c)).map(|d| d.to_string()).unwrap_or_default())
            .collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{name} in {header:?}"))
        };
        for name in ["序号", "股东", "类别", "所属村", "开户行", "账号", "签字"] {
            col(name);
        }
        let total_col = col("合计（元）");
        for c in e["classes"].as_array().unwrap() {
            col(&format!("{}（元）", c["name"].as_str().unwrap()));
        }
        let payouts = d["payouts"].as_array().unwrap();
        for (i, p) in payouts.iter().enumerate() {
            let r = i + 1;
            assert_eq!(
                sheet.get((r, col("股东"))).unwrap().to_string(),
                p["holder_name"].as_str().unwrap()
            );
            assert_eq!(
                fen_of(sheet.get((r, total_col))),
                p["amount_fen"].as_i64().unwrap()
            );
            // The class columns add up to the row's total.
            let classes: i64 = (col("所属村") + 1..total_col)
                .map(|c| fen_of(sheet.get((r, c))))
                .sum();
            assert_eq!(classes, p["amount_fen"].as_i64().unwrap());
            assert!(
                sheet
                    .get((r, col("账号")))
                    .is_none_or(|c| *c == Data::Empty)
            );
        }
        let totals = payouts.len() + 1;
        assert_eq!(
            sheet.get((totals, col("股东"))).unwrap().to_string(),
            "合计"
        );
        let paid = d["net_income_fen"].as_i64().unwrap() - d["retained_fen"].as_i64().unwrap();
        assert_eq!(fen_of(sheet.get((totals, total_col))), paid);
        let notes = book.worksheet_range("说明").unwrap();
        let text: Vec<String> = notes
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        for step in [
            "净收益",
            "弥补亏损",
            "公积金",
            "公益金",
            "保底",
            "运营激励",
            "可分配",
            "本期留存",
            "上期结转",
        ] {
            assert!(text.iter().any(|t| t == step), "{step}");
        }
        assert!(
            text.iter()
                .any(|t| t.starts_with("核对：本期留存") && t.contains("相符，精确到分"))
        );
    }
}

/// Checks a PDF's structure: header, xref offsets at their objects, trailer /Size.
fn check_pdf(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-1."));
    let text = String::from_utf8_lossy(pdf).into_owned();
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pdf[start..].starts_with(b"xref\n0 "));
    let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
    let n: usize = table
        .lines()
        .nth(1)
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    for (i, l) in table.lines().skip(3).take(n - 1).enumerate() {
        let o: usize = l[..10].parse().unwrap();
        assert!(pdf[o..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
    }
    assert!(table.contains(&format!("/Size {n} ")));
    text.split("/Count ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// pdftotext's text of a PDF, or `None` (with a notice) where poppler is not installed; on CI
/// a missing pdftotext fails the test.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "pdftotext is missing on CI: {e}"
            );
            eprintln!("skipped: pdftotext not installed (apt-get install poppler-utils)");
            None
        }
    }
}

#[tokio::test]
async fn the_register_and_a_certificate_are_pdf_files_with_the_holdings() {
    let app = seeded().await;
    let (d, e) = &distributions(&app).await[0];
    let _ = d;
    let id = e["id"].as_i64().unwrap();
    let (_, r) = app
        .get_json(&format!("/api/v1/entities/{id}/register?as_of=2025-12-31"))
        .await;
    let (s, pdf, ct, cd) = get_as(
        &app,
        None,
        &format!("/api/v1/entities/{id}/register.pdf?as_of=2025-12-31"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert!(
        cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''"),
        "{cd}"
    );
    assert!(
        cd.contains(
            &"股东名册"
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        )
    );
    assert!(check_pdf(&pdf) >= 1);
    let holding = &r["holdings"][0];
    let name = holding["holder_name"].as_str().unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains(name), "{name} not in {text}");
        assert!(text.contains("股东名册") && text.contains("2025-12-31"));
        // A space is a narrow glyph (0.207 em): extraction may or may not keep it.
        assert!(text.replace(' ', "").contains("第1页/共"), "{text}");
        // Every class total as printed: units in the class's unit, grouped by thousands.
        for c in e["classes"].as_array().unwrap() {
            let total = r["class_totals"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["class"] == c["id"])
                .unwrap()["units"]
                .as_i64()
                .unwrap();
            let printed = match c["basis"].as_str().unwrap() {
                "capital" | "trade_volume" => Fen(total).yuan_string(),
                "land_area" => format!(
                    "{}.{:02}",
                    gongfu_core::money::count_string(total / 100),
                    total % 100
                ),
                _ => gongfu_core::money::count_string(total),
            };
            assert!(text.contains(&printed), "{printed} not in {text}");
        }
    }
    let (s, _, _, _) = get_as(
        &app,
        None,
        &format!("/api/v1/entities/{id}/register.pdf?as_of=明天"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _, _) = get_as(&app, None, "/api/v1/entities/999999/register.pdf").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let holder = holding["holder"].as_i64().unwrap();
    let uri = format!("/api/v1/entities/{id}/holders/{holder}/certificate.pdf?as_of=2025-12-31");
    let (s, pdf, ct, _) = get_as(&app, None, &uri).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert_eq!(check_pdf(&pdf), 1);
    if let Some(text) = pdftotext(&pdf) {
        assert!(
            text.replace(' ', "").contains("股权证") && text.contains(name),
            "{text}"
        );
        assert!(text.contains(&format!("{id:04}-{holder:06}")), "{text}");
        assert!(text.contains('%'));
    }
    let (s, _, _, _) = get_as(
        &app,
        None,
        &format!("/api/v1/entities/{id}/holders/999999/certificate.pdf"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The entity page links both.
    let (_, html) = app.get(&format!("/equity/{id}?as_of=2025-12-31")).await;
    let html = String::from_utf8_lossy(&html).into_owned();
    assert!(html.contains(&format!(
        "/api/v1/entities/{id}/register.pdf?as_of=2025-12-31"
    )));
    assert!(html.contains(&format!(
        "/api/v1/entities/{id}/holders/{holder}/certificate.pdf?as_of=2025-12-31"
    )));
}

#[tokio::test]
async fn a_village_account_reads_the_outputs_like_the_other_equity_reads() {
    let app = seeded().await;
    let (d, e) = &distributions(&app).await[0];
    let village = e["holders"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|h| h["village_code"].as_str())
        .expect("a village holder")
        .to_string();
    let token = app
        .token_for(
            "cun",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&village).unwrap(),
            },
        )
        .await;
    let id = d["id"].as_i64().unwrap();
    let entity = e["id"].as_i64().unwrap();
    let holder = d["payouts"][0]["holder"].as_i64().unwrap();
    for uri in [
        format!("/api/v1/distributions/{id}/holders/{holder}"),
        format!("/api/v1/distributions/{id}/payouts.xlsx"),
        format!("/api/v1/entities/{entity}/register.pdf"),
        format!("/api/v1/entities/{entity}/holders/{holder}/certificate.pdf"),
        format!("/equity/distributions/{id}/holders/{holder}"),
    ] {
        let (s, _, _, _) = get_as(&app, Some(&token), &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        // And nobody unsigned.
        let req = Request::get(&uri).body(Body::empty()).unwrap();
        let (s, _) = app.send_raw(req).await;
        assert!(
            s == StatusCode::UNAUTHORIZED || s.is_redirection(),
            "{uri}: {s}"
        );
    }
}
