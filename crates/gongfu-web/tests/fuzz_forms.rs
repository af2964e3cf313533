//! Property-driven fuzzing of every form and JSON body the platform accepts: whatever arrives,
//! the answer is never a server error, and every refusal says in Chinese what was wrong.
//!
//! `GONGFU_FUZZ_CASES=N` runs N cases per target instead of the default (see
//! docs/fuzzing.md for the long runs and what they found).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cases(default: u32) -> u32 {
    std::env::var("GONGFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One demo platform and one runtime shared by every case (building it per case would
/// measure seeding, not parsing).
fn app() -> &'static (tokio::runtime::Runtime, common::App) {
    static APP: OnceLock<(tokio::runtime::Runtime, common::App)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let app = rt.block_on(common::demo_app());
        (rt, app)
    })
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Values close to what people type, and what attackers type.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[0-9.,%-]{0,14}",
        "[0-9]{12}",
        "20[0-9]{2}-[0-9]{1,2}-[0-9]{1,3}",
        Just("330603105209".to_string()),
        Just("'; DROP TABLE zones; --".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("%00%ff%".to_string()),
        Just("9999999999999999999999".to_string()),
        Just("-1".to_string()),
    ]
}

const FIELDS: &[&str] = &[
    "name",
    "theme",
    "key_village",
    "villages",
    "lead_official",
    "note",
    "effective",
    "version",
    "zone_id",
    "status",
    "from",
    "merged_into",
    "tags",
    "form",
    "year",
    "metric",
    "value",
    "weak_income_below_yuan",
    "tier",
    "username",
    "display_name",
    "role",
    "scope",
    "password",
    "new_password",
    "action",
];

const FORMS: &[&str] = &[
    "/zones",
    "/zones/1/edit",
    "/zones/1/dissolve",
    "/zones/1/designation",
    "/villages/330603105209/move",
    "/villages/330603105209/status",
    "/villages/330603105209/tags",
    "/targets",
    "/account",
    "/admin/users",
];

fn form() -> impl Strategy<Value = (usize, String)> {
    (
        0..FORMS.len(),
        prop::collection::vec((0..FIELDS.len(), value()), 0..10),
    )
        .prop_map(|(target, pairs)| {
            let body = pairs
                .iter()
                .map(|(k, v)| format!("{}={}", FIELDS[*k], percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            (target, body)
        })
}

fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const JSON_TARGETS: &[(&str, &str)] = &[
    ("POST", "/api/v1/zones"),
    ("PUT", "/api/v1/zones/1"),
    ("POST", "/api/v1/zones/1/dissolve"),
    ("PUT", "/api/v1/zones/1/designations/2026"),
    ("POST", "/api/v1/villages/330603105209/move"),
    ("POST", "/api/v1/villages/330603105209/status"),
    ("PUT", "/api/v1/villages/330603105209/tags"),
    ("PUT", "/api/v1/targets"),
    ("PUT", "/api/v1/settings"),
];

fn json_body() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        value().prop_map(serde_json::Value::from),
    ];
    let field_value = leaf.prop_recursive(2, 12, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(serde_json::Value::Array)
    });
    prop::collection::vec((0..FIELDS.len(), field_value), 0..8).prop_map(|pairs| {
        serde_json::Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (FIELDS[k].to_string(), v))
                .collect(),
        )
    })
}

fn check(status: StatusCode, body: &[u8], what: &str) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(body);
    prop_assert!(
        !status.is_server_error(),
        "{what}: {status} {}",
        &text[..text.len().min(400)]
    );
    if status.is_client_error() {
        prop_assert!(
            has_chinese(&text),
            "{what}: refusal without a Chinese reason: {status} {}",
            &text[..text.len().min(400)]
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), .. ProptestConfig::default() })]

    #[test]
    fn any_form_body_is_answered_without_a_server_error((target, body) in form()) {
        let (rt, app) = app();
        let (status, answer) = rt.block_on(async {
            let req = Request::post(FORMS[target])
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.clone()))
                .unwrap();
            app.send(req).await
        });
        check(status, &answer, &format!("POST {} {body}", FORMS[target]))?;
    }

    #[test]
    fn any_json_body_is_answered_without_a_server_error(target in 0..JSON_TARGETS.len(), body in json_body()) {
        let (rt, app) = app();
        let (method, uri) = JSON_TARGETS[target];
        let (status, answer) = rt.block_on(async {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            app.send(req).await
        });
        check(status, &answer, &format!("{method} {uri} {body}"))?;
    }

    #[test]
    fn any_bytes_as_a_json_body_are_refused_clearly(target in 0..JSON_TARGETS.len(), bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let (rt, app) = app();
        let (method, uri) = JSON_TARGETS[target];
        let (status, answer) = rt.block_on(async {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap();
            app.send(req).await
        });
        check(status, &answer, &format!("{method} {uri} <bytes>"))?;
    }
}
