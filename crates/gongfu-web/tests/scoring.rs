//! Scoring and awards (四联四共评分与奖补) through the HTTP API: rubric versions (drafts edited
//! and validated, published ones never edited), manual entries with wrong kinds named, the
//! 经办 → 复核 → 审批 flow with separation of duties, a frozen snapshot that does not move when
//! the records change, reopening with a reason, the score list's shape, and an award list whose
//! amounts add up exactly, within the budget, approved by someone else and then locked.

mod common;

use axum::http::StatusCode;
use common::{App, demo_app};
use gongfu_core::auth::Role;
use serde_json::{Value, json};

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details in {v}"))
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

fn code(v: &Value) -> String {
    v["error"]["details"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A value of the kind the method reads, and one of a wrong kind.
fn values_for(method: &str) -> (Value, Value) {
    let right = match method {
        "STEP" | "LIN" => json!({"number": 10_000}),
        "COV" => json!({"ratio": {"covered": 3, "total": 4}}),
        "REL" => json!({"compared": {"value": 800, "benchmark": 600}}),
        "GRADE" => json!({"mark": "A"}),
        _ => json!({"yes": true}),
    };
    let wrong = if method == "BIN" {
        json!({"number": 1})
    } else {
        json!({"yes": true})
    };
    (right, wrong)
}

/// (rule key, method code, platform?) of every rule of the rubric.
fn rules(rubric: &Value) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for d in rubric["dimensions"].as_array().unwrap() {
        for i in d["indicators"].as_array().unwrap() {
            for r in i["rules"].as_array().unwrap() {
                out.push((
                    r["key"].as_str().unwrap().to_string(),
                    r["method"]["code"].as_str().unwrap().to_string(),
                    r["source"]["kind"] == "platform",
                ));
            }
        }
    }
    out
}

async fn zones(app: &App) -> Vec<i64> {
    let (s, v) = app.get_json("/api/v1/zones").await;
    assert_eq!(s, StatusCode::OK);
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["id"].as_i64().unwrap())
        .collect()
}

/// Enters every manual rule of `zone` as the holder of `token`; returns the new version.
async fn enter_all(app: &App, token: &str, zone: i64, rubric: &Value) -> i64 {
    let mut version = 0;
    for (key, method, platform) in rules(rubric) {
        if platform {
            continue;
        }
        let (value, _) = values_for(&method);
        let (s, v) = app
            .send_json_as(
                token,
                "PUT",
                &format!("/api/v1/scores/zone/2025/{zone}/entries/{key}"),
                json!({"value": value, "evidence": {"text": "台账"}, "comment": "已核", "version": version}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{key}: {v}");
        version = v["version"].as_i64().unwrap();
    }
    version
}

#[tokio::test]
async fn rubric_versions_are_drafted_validated_published_and_never_edited_after() {
    let app = demo_app().await;
    let (s, r) = app.get_json("/api/v1/rubrics/2025?kind=zone").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["stored"], true);
    assert_eq!(r["version_no"], 1);
    assert_eq!(r["status"], "in_force");
    assert_eq!(r["rubric"]["kind"], "zone");
    let (s, t) = app.get_json("/api/v1/rubrics/2025?kind=team").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["rubric"]["kind"], "team");
    let (s, _) = app.get_json("/api/v1/rubrics/2025?kind=village").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // A draft copied from the version in force.
    let (s, d) = app
        .send_json(
            "POST",
            "/api/v1/rubrics/2025?kind=zone",
            json!({"note": "2025 调整"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["version_no"], 2);
    assert_eq!(d["status"], "draft");
    // An invalid edit names the field under rubric.
    let mut bad = d["rubric"].clone();
    bad["dimensions"][0]["max"] = json!(bad["dimensions"][0]["max"].as_i64().unwrap() + 100);
    let (s, e) = app
        .send_json(
            "PUT",
            "/api/v1/rubrics/2025/versions/2?kind=zone",
            json!({"rubric": bad, "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).iter().all(|f| f.starts_with("rubric.")), "{e}");
    // A valid edit, then a stale one.
    let mut good = d["rubric"].clone();
    good["name"] = json!("片区评分细则（2025 修订）");
    let (s, u) = app
        .send_json(
            "PUT",
            "/api/v1/rubrics/2025/versions/2?kind=zone",
            json!({"rubric": good, "note": "修订名称", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["version"], 2);
    let (s, _) = app
        .send_json(
            "PUT",
            "/api/v1/rubrics/2025/versions/2?kind=zone",
            json!({"rubric": good, "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Only administrators publish.
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let (s, _) = app
        .send_json_as(
            &viewer,
            "POST",
            "/api/v1/rubrics/2025/versions/2/publish?kind=zone",
            json!({"version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = app
        .send_json(
            "POST",
            "/api/v1/rubrics/2025/versions/2/publish?kind=zone",
            json!({"version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["version_no"], 2);
    assert_eq!(p["rubric"]["name"], "片区评分细则（2025 修订）");
    let (_, list) = app
        .get_json("/api/v1/rubrics/2025/versions?kind=zone")
        .await;
    let st: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(st, ["superseded", "in_force"]);
    // Neither the published nor the superseded version is edited.
    for n in [1, 2] {
        let (s, e) = app
            .send_json(
                "PUT",
                &format!("/api/v1/rubrics/2025/versions/{n}?kind=zone"),
                json!({"rubric": good, "version": 3}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(code(&e), "published");
    }
}

#[tokio::test]
async fn entries_review_approval_and_a_frozen_snapshot() {
    let app = demo_app().await;
    let z = zones(&app).await;
    let (b, a) = (z[0], z[1]);
    let (_, r) = app.get_json("/api/v1/rubrics/2025?kind=zone").await;
    let rubric = r["rubric"].clone();
    let all = rules(&rubric);
    let (manual_key, manual_method, _) = all.iter().find(|x| !x.2).unwrap().clone();
    let (platform_key, platform_method, _) = all.iter().find(|x| x.2).unwrap().clone();

    // Wrong kind named, platform rules refused, unknown keys named, non-admins refused.
    let (_, wrong) = values_for(&manual_method);
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/{manual_key}"),
            json!({"value": wrong, "evidence": {"text": "x"}, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), [format!("values.{manual_key}")]);
    assert_eq!(code(&e), "wrong_kind");
    let (right, _) = values_for(&platform_method);
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/{platform_key}"),
            json!({"value": right, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "platform_sourced");
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/no.such"),
            json!({"value": {"yes": true}, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["values.no.such"]);
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let (right, _) = values_for(&manual_method);
    let (s, _) = app
        .send_json_as(
            &viewer,
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/{manual_key}"),
            json!({"value": right, "evidence": {"text": "x"}, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let va = enter_all(&app, &app.token, a, &rubric).await;
    let vb = enter_all(&app, &app.token, b, &rubric).await;
    // A stale version.
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/{manual_key}"),
            json!({"value": right, "evidence": {"text": "x"}, "version": va - 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Items: a veto needs its reason.
    let veto = rubric["vetoes"][0]["id"].as_str().unwrap();
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/scores/zone/2025/{b}/items"),
            json!({"vetoes": {veto: " "}, "version": vb}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), [format!("vetoes.{veto}")]);

    // The one who entered cannot review or approve.
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "reviewed", "version": va}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "separation_of_duties");
    assert!(
        e["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("填报"),
        "{e}"
    );
    let reviewer = app.token_for("reviewer", Role::Admin).await;
    let approver = app.token_for("approver", Role::Admin).await;
    let (s, rv) = app
        .send_json_as(
            &reviewer,
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "复核", "version": va}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rv}");
    let (s, e) = app
        .send_json_as(
            &reviewer,
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "approved", "version": rv["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "separation_of_duties");
    // Entries are refused once reviewed.
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/scores/zone/2025/{a}/entries/{manual_key}"),
            json!({"value": right, "evidence": {"text": "x"}, "version": rv["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "not_entering");
    let (s, ap) = app
        .send_json_as(
            &approver,
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "approved", "version": rv["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    assert_eq!(ap["frozen"], true);
    assert!(ap["approved_by"].as_str().unwrap().contains("approver"));

    // The full scorecard shows values, points, formulas and entries.
    let rule_of = |card: &Value, key: &str| -> Value {
        for d in card["dimensions"].as_array().unwrap() {
            for i in d["indicators"].as_array().unwrap() {
                for r in i["rules"].as_array().unwrap() {
                    if r["key"] == key {
                        return r.clone();
                    }
                }
            }
        }
        panic!("no rule {key}")
    };
    let m = rule_of(&ap, &manual_key);
    assert_eq!(m["entry"]["comment"], "已核");
    assert_eq!(m["entry"]["evidence"]["text"], "台账");
    assert!(m["explanation"].is_string());
    assert!(m["points"]["hundredths"].is_i64());

    // A record that feeds a platform figure changes: the approved score stays, the other moves.
    let total = |c: &Value| c["total_hundredths"].as_i64().unwrap();
    let (_, before_a) = app.get_json(&format!("/api/v1/scores/zone/2025/{a}")).await;
    let (_, before_b) = app.get_json(&format!("/api/v1/scores/zone/2025/{b}")).await;
    for zone in [a, b] {
        let (_, detail) = app.get_json(&format!("/api/v1/zones/{zone}")).await;
        let village = detail["members"][0]["village"]["code"].as_str().unwrap();
        let (s, w) = app
            .send_json(
                "POST",
                "/api/v1/elements",
                json!({"type": "共富工坊", "name": format!("测试工坊{zone}"), "village_code": village,
                       "opened_on": "2025-03-01", "jobs": "120", "low_income_jobs": "9"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
    }
    let (_, after_a) = app.get_json(&format!("/api/v1/scores/zone/2025/{a}")).await;
    let (_, after_b) = app.get_json(&format!("/api/v1/scores/zone/2025/{b}")).await;
    assert_eq!(
        total(&after_a),
        total(&before_a),
        "approved score is frozen"
    );
    assert_eq!(after_a, before_a);
    assert!(
        total(&after_b) > total(&before_b),
        "live score moves: {} → {}",
        total(&before_b),
        total(&after_b)
    );

    // The list: every zone, with the documented shape.
    let (s, list) = app.get_json("/api/v1/scores?year=2025&kind=zone").await;
    assert_eq!(s, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), z.len());
    for it in items {
        assert!(it["zone"]["id"].is_i64() && it["zone"]["name"].is_string());
        assert!(it["total"].is_number() && it["total_hundredths"].is_i64());
        assert!(it["grade"].is_string() && it["status"].is_string());
        assert!(it["position"].is_u64());
        assert!(it.get("change").is_some());
        let d1 = &it["dimensions"]["D1"];
        assert!(
            d1["name"].is_string() && d1["points"].is_number() && d1["max"].is_number(),
            "{it}"
        );
    }
    let row_a = items.iter().find(|i| i["zone"]["id"] == a).unwrap();
    assert_eq!(row_a["status"], "approved");
    assert_eq!(row_a["total_hundredths"], after_a["total_hundredths"]);
    let (s, _) = app.get_json("/api/v1/scores?year=20x5").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Reopening needs a reason; then the score is live again.
    let (s, e) = app
        .send_json_as(
            &approver,
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "entering", "version": ap["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "reason_required");
    let (s, re) = app
        .send_json_as(
            &approver,
            "POST",
            &format!("/api/v1/scores/zone/2025/{a}/status"),
            json!({"status": "entering", "reason": "佐证材料需补充", "version": ap["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{re}");
    assert_eq!(re["status"], "entering");
    assert_eq!(re["frozen"], false);
    assert!(
        total(&re) > total(&after_a),
        "reopened score reads the records again"
    );
    let (_, audit) = app
        .get_json("/api/v1/audit?entity=scoring_assessment")
        .await;
    assert!(
        audit.to_string().contains("佐证材料需补充"),
        "reopen reason audited"
    );
}

#[tokio::test]
async fn award_lists_add_up_are_approved_by_another_admin_and_locked() {
    let app = demo_app().await;
    app.store.seed_demo_assessments(2025, 7).await.unwrap();
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let (s, _) = app
        .send_json_as(
            &viewer,
            "POST",
            "/api/v1/awards?year=2025",
            json!({"version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get_json("/api/v1/awards?year=2025").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, l) = app
        .send_json("POST", "/api/v1/awards?year=2025", json!({"version": 0}))
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    // Recompute with a budget that runs short, paid in rank order.
    let budget = 150_000_000i64;
    let (s, l) = app
        .send_json(
            "POST",
            "/api/v1/awards?year=2025",
            json!({"budget": budget, "shortfall": "rank_order", "zone": {"cap": 100_000_000, "mode": {"mode": "LINEAR", "low": 6000, "high": 9000}}, "version": l["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["budget_fen"], budget);
    assert_eq!(l["mode"]["mode"], "LINEAR");
    assert_eq!(l["status"], "draft");
    let zones = l["zones"].as_array().unwrap();
    let teams = l["teams"].as_array().unwrap();
    assert!(!zones.is_empty(), "{l}");
    assert!(zones.iter().all(|z| z["zone"]["name"].is_string()));
    let paid: i64 = zones
        .iter()
        .chain(teams)
        .map(|x| x["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(paid, l["paid_total_fen"].as_i64().unwrap());
    assert!(paid <= budget);
    let awarded_teams = teams
        .iter()
        .filter(|t| t["amount_fen"].as_i64().unwrap() > 0)
        .map(|t| t["team"]["id"].as_i64().unwrap())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(awarded_teams.len() <= 5);
    assert_eq!(
        l["sources"].as_array().unwrap().len(),
        l["inputs"]["zones"].as_array().unwrap().len()
            + l["inputs"]["teams"].as_array().unwrap().len()
    );
    // Stale version; the drafter cannot approve; another admin can; then it is locked.
    let (s, _) = app
        .send_json("POST", "/api/v1/awards?year=2025", json!({"version": 1}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/awards/2025/status",
            json!({"status": "approved", "version": l["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "separation_of_duties");
    let chief = app.token_for("chief", Role::Admin).await;
    let (s, a) = app
        .send_json_as(
            &chief,
            "POST",
            "/api/v1/awards/2025/status",
            json!({"status": "已批准", "version": l["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/awards?year=2025",
            json!({"version": a["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "locked");
    let (s, g) = app.get_json("/api/v1/awards?year=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["paid_total_fen"], a["paid_total_fen"]);
}

#[tokio::test]
async fn a_department_enters_only_its_own_indicators() {
    let app = demo_app().await;
    let zone = zones(&app).await[0];
    let (_, r) = app.get_json("/api/v1/rubrics/2025?kind=zone").await;
    // (department, rule key, method) of manual rules.
    let mut manual = Vec::new();
    for d in r["rubric"]["dimensions"].as_array().unwrap() {
        for i in d["indicators"].as_array().unwrap() {
            for x in i["rules"].as_array().unwrap() {
                if x["source"]["kind"] == "manual" {
                    manual.push((
                        i["department"].as_str().unwrap().to_string(),
                        x["key"].as_str().unwrap().to_string(),
                        x["method"]["code"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    let (unit, key, method) = manual[0].clone();
    let other = manual.iter().find(|m| m.0 != unit).cloned().unwrap();
    let dept = app
        .token_for("dept", Role::Department { unit: unit.clone() })
        .await;
    let (value, _) = values_for(&method);
    let (s, v) = app
        .send_json_as(
            &dept,
            "PUT",
            &format!("/api/v1/scores/zone/2025/{zone}/entries/{key}"),
            json!({"value": value, "evidence": {"text": "部门台账"}, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (value, _) = values_for(&other.2);
    let (s, e) = app
        .send_json_as(
            &dept,
            "PUT",
            &format!("/api/v1/scores/zone/2025/{zone}/entries/{}", other.1),
            json!({"value": value, "evidence": {"text": "x"}, "version": v["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    // Items are the administrators'.
    let (s, _) = app
        .send_json_as(
            &dept,
            "POST",
            &format!("/api/v1/scores/zone/2025/{zone}/items"),
            json!({"version": v["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
