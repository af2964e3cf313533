//! The Chinese HTML pages, one module per screen. Each handler builds a typed askama template;
//! list pages answer with only their table fragment when htmx asks (`HX-Request`).

/// `error_for(field)` on form pages that keep their errors as `(field, message)` in `errors`:
/// the messages for that field, for the line under it (see [`errors_for`]).
macro_rules! error_for {
    ($page:ty) => {
        impl $page {
            pub fn error_for(&self, field: &str) -> String {
                $crate::pages::errors_for(&self.errors, field)
            }
        }
    };
}

mod account;
mod actors;
mod audit;
mod awards;
mod brands;
mod dashboard;
mod elements;
pub(crate) mod equity;
mod equity_forms;
mod equity_statement;
mod facilities;
mod import;
mod map;
mod meetings;
mod ops;
mod planning;
mod projects;
pub(crate) mod radar;
mod rubrics;
pub(crate) mod scoring;
mod services;
mod talent;
mod teams;
mod villages;
mod work;
mod work_import;
mod zones;

use crate::AppState;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/map", get(map::page))
        .route("/coverage", get(dashboard::coverage_page))
        .route(
            "/targets",
            get(dashboard::targets_page).post(dashboard::targets_submit),
        )
        .route("/villages", get(villages::list))
        .route("/villages/{code}", get(villages::detail))
        .route("/villages/{code}/move", post(villages::move_submit))
        .route("/villages/{code}/status", post(villages::status_submit))
        .route("/villages/{code}/tags", post(villages::tags_submit))
        .route(
            "/villages/{code}/infra/{item}",
            post(facilities::infra_submit),
        )
        .route(
            "/facilities",
            get(facilities::list).post(facilities::create_submit),
        )
        .route("/facilities/new", get(facilities::new_form))
        .route("/facilities/import", post(facilities::import_submit))
        .route("/facilities/{id}", get(facilities::detail))
        .route(
            "/facilities/{id}/edit",
            get(facilities::edit_form).post(facilities::edit_submit),
        )
        .route("/facilities/{id}/status", post(facilities::status_submit))
        .route("/zones", get(zones::list).post(zones::create_submit))
        .route("/zones/new", get(zones::new_form))
        .route("/zones/{id}", get(zones::detail))
        .route(
            "/zones/{id}/edit",
            get(zones::edit_form).post(zones::edit_submit),
        )
        .route("/zones/{id}/dissolve", post(zones::dissolve_submit))
        .route("/zones/{id}/designation", post(zones::designation_submit))
        .route("/import", get(import::page).post(import::submit))
        .route(
            "/login",
            get(account::login_form).post(account::login_submit),
        )
        .route("/logout", post(account::logout))
        .route(
            "/account",
            get(account::account).post(account::account_submit),
        )
        .route(
            "/admin/users",
            get(account::users).post(account::users_submit),
        )
        .route("/audit", get(audit::page))
        .route("/planning", get(planning::page))
        .route("/planning/scenarios", get(planning::list))
        .route("/planning/scenarios/{id}", get(planning::detail))
        .route(
            "/planning/scenarios/{id}/adopt",
            post(planning::adopt_submit),
        )
        .route(
            "/planning/scenarios/{id}/delete",
            post(planning::delete_submit),
        )
        .route("/planning/compare", get(planning::compare))
        .route("/services", get(services::page))
        .merge(work::routes())
        .merge(elements::routes())
        .merge(ops::routes())
        .merge(teams::routes())
        .merge(brands::routes())
        .merge(talent::routes())
        .merge(work_import::routes())
        .merge(actors::routes())
        .merge(equity::routes())
        .merge(equity_statement::routes())
        .merge(rubrics::routes())
        .merge(scoring::routes())
        .merge(awards::routes())
}

/// What every page's frame needs.
pub struct Layout {
    pub title: String,
    /// Which nav item is current.
    pub nav: &'static str,
    pub demo: bool,
    /// The signed-in person as shown in the header; empty when signed out.
    pub user: String,
    pub is_admin: bool,
    /// The role key of the signed-in person (`admin`, `town` …), empty when signed out.
    pub role: &'static str,
    /// Administrators and auditors read the audit log.
    pub can_audit: bool,
    /// The session's CSRF token, carried by every form.
    pub csrf: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, nav: &'static str, demo: bool) -> Layout {
        let caller = crate::auth::current();
        Layout {
            title: title.into(),
            nav,
            demo,
            user: caller
                .as_ref()
                .map(|c| format!("{} · {}", c.user.display_name, c.user.role.label()))
                .unwrap_or_default(),
            is_admin: caller
                .as_ref()
                .is_some_and(|c| gongfu_core::auth::may_administer(&c.user.role)),
            role: caller.as_ref().map(|c| c.user.role.key()).unwrap_or(""),
            can_audit: caller.as_ref().is_some_and(|c| {
                matches!(
                    c.user.role,
                    gongfu_core::auth::Role::Admin | gongfu_core::auth::Role::Viewer
                )
            }),
            csrf: caller
                .as_ref()
                .map(|c| c.csrf().to_string())
                .unwrap_or_default(),
        }
    }
    /// Whether to show controls for a kind of change: `admin` (district decisions),
    /// `zones` (forming and editing zones), `village_facts` (figures and tags). Only a hint for
    /// the UI: the service layer checks the exact scope of every write.
    pub fn can(&self, what: &str) -> bool {
        match what {
            "admin" => matches!(self.role, "admin"),
            "zones" => matches!(self.role, "admin" | "town"),
            "village_facts" => matches!(self.role, "admin" | "town" | "village"),
            _ => false,
        }
    }

    pub fn is(&self, nav: &str) -> &'static str {
        if self.nav == nav { "current" } else { "" }
    }
}

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("HX-Request").is_some_and(|v| v == "true")
}

/// JSON for a `<script type="application/json">` island: `</` is escaped so the data can
/// never close the element.
pub fn json_island<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/")
}

/// The non-empty filters of a list, as a query string for pager and export links.
pub fn query_string(filters: &[(&str, &Option<String>)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in filters {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

/// 200 for a page shown fresh, 422 when it is shown again with the errors of a form.
pub fn form_status(errors_empty: bool) -> axum::http::StatusCode {
    if errors_empty {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Parses an `application/x-www-form-urlencoded` body that may repeat keys (checkbox lists).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn form_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub fn form_values(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The status a form page answers with when a write failed: 409 and 403 as they are, anything
/// else the user can fix as 422.
pub fn error_status(e: &crate::error::ApiError) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    if e.status == StatusCode::CONFLICT || e.status == StatusCode::FORBIDDEN {
        e.status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The messages of a form's errors for one field (and its parts: `villages[2]`,
/// `items[0].weight`), joined, for the line under that field.
pub fn errors_for(errors: &[(String, String)], field: &str) -> String {
    errors
        .iter()
        .filter(|(f, _)| {
            f == field
                || f.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        })
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

/// An error's problems as `(field, message)` pairs, for forms that show each message beside
/// its field (an error without details becomes one message for the whole form).
pub fn field_errors(e: crate::error::ApiError) -> Vec<(String, String)> {
    if e.details.is_empty() {
        vec![(String::new(), e.message)]
    } else {
        e.details
            .into_iter()
            .map(|d| (d.field, d.message))
            .collect()
    }
}

/// A failed save's status and the errors its form shows again. When the record changed since
/// the form was opened (`version_conflict`), `now` says what it holds now (「当前内容：…。」),
/// shown above the form by [`stale_line`], and the form takes the record's current version, so
/// that saving again replaces it.
pub fn save_failed(
    e: crate::error::ApiError,
    version: &mut i64,
    current_version: i64,
    now: impl FnOnce() -> String,
) -> (axum::http::StatusCode, Vec<(String, String)>) {
    let status = error_status(&e);
    let conflict = e.code == "version_conflict";
    let mut errors = field_errors(e);
    if conflict {
        errors.push(stale_line(now()));
        *version = current_version;
    }
    (status, errors)
}

/// The form-wide error of a save that met a newer version: what the record holds now, then
/// 「再次保存将以您的输入替换。」.
pub fn stale_line(now: String) -> (String, String) {
    (String::new(), format!("{now}再次保存将以您的输入替换。"))
}

/// The frame of a record's form page, by whether it edits one (`id`) or registers a new one:
/// the title (`edit` or `new`), the heading (`{edit}：{name}` or `new`), where the form posts
/// (`{base}/{id}/edit` or `base`) and where 取消 leads (`{base}/{id}` or `base`).
pub struct FormFrame {
    pub title: &'static str,
    pub heading: String,
    pub action: String,
    pub cancel: String,
}

pub fn form_frame(
    id: Option<i64>,
    edit: &'static str,
    new: &'static str,
    name: &str,
    base: &str,
) -> FormFrame {
    match id {
        Some(i) => FormFrame {
            title: edit,
            heading: format!("{edit}：{name}"),
            action: format!("{base}/{i}/edit"),
            cancel: format!("{base}/{i}"),
        },
        None => FormFrame {
            title: new,
            heading: new.to_string(),
            action: base.to_string(),
            cancel: base.to_string(),
        },
    }
}

/// A checked workbook carried by the 确认导入 form, hex-encoded.
pub fn hex_encode(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

pub fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
        .collect()
}

/// What an import form sends: the mode (`dry_run` or `apply`), the file's name, and its bytes
/// — uploaded now, or carried back hex-encoded by 确认导入 after a dry run.
pub struct ImportForm {
    pub mode: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub async fn read_import_form(
    mut form: axum::extract::Multipart,
) -> Result<ImportForm, crate::error::ApiError> {
    let mut out = ImportForm {
        mode: String::from("dry_run"),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    let upload_err = |e: axum::extract::multipart::MultipartError| {
        crate::error::ApiError::bad_request(format!("上传失败：{e}"))
    };
    while let Some(field) = form.next_field().await.map_err(upload_err)? {
        match field.name().unwrap_or("") {
            "mode" => out.mode = field.text().await.unwrap_or_default(),
            "file_name" => out.file_name = field.text().await.unwrap_or_default(),
            "data" => {
                let text = field.text().await.map_err(upload_err)?;
                out.bytes = hex_decode(&text).unwrap_or_default();
            }
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let b = field.bytes().await.map_err(upload_err)?;
                if !b.is_empty() {
                    out.file_name = name;
                    out.bytes = b.to_vec();
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
