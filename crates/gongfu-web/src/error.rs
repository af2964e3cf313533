//! Errors as the user sees them: JSON with a machine code and a Chinese message for the API,
//! an HTML page for the browser. Each carries the fields at fault.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongfu_core::DomainError;
use gongfu_store::StoreError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Detail {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error answered by the JSON API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn invalid(errors: Vec<DomainError>) -> ApiError {
        let message = errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；");
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input",
            message,
            details: errors
                .into_iter()
                .map(|e| Detail {
                    field: e.field,
                    code: e.code.to_string(),
                    message: e.message,
                })
                .collect(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Invalid(errors) => ApiError::invalid(errors),
            StoreError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            StoreError::Conflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", e.to_string())
            }
            StoreError::Refused(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
            StoreError::Forbidden(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
            }
            StoreError::Db(err) => {
                tracing::error!(error = %err, "database error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试或联系管理员",
                )
            }
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        ApiError::invalid(vec![e])
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}
#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    details: &'a [Detail],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                details: &self.details,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// An error answered by a page: a small Chinese page with the reason and a way back.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let title = match e.status {
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::CONFLICT => "操作未完成",
            StatusCode::FORBIDDEN => "无权操作",
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "输入有误",
            _ => "出错了",
        };
        let details: String = e
            .details
            .iter()
            .map(|d| format!("<li>{}</li>", crate::views::escape(&d.message)))
            .collect();
        let html = format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · 共富片区管理平台</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"container\"><div class=\"card error-page\"><h1>{title}</h1><p>{}</p><ul>{details}</ul><p class=\"muted\">错误代码：{}</p><p><a class=\"btn\" href=\"/\">返回首页</a></p></div></main></body></html>",
            crate::views::escape(&e.message),
            e.code
        );
        (e.status, Html(html)).into_response()
    }
}

/// A JSON request body whose rejections (not JSON, wrong fields, wrong content type) answer
/// in the API's own error shape, in Chinese, instead of axum's English plain text.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!(
                    "请求内容的字段不符合要求（缺少必填字段或类型不对）：{}",
                    e.body_text()
                ),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::bad_request(format!(
                "请求内容不是有效的 JSON：{}",
                e.body_text()
            ))),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求头 Content-Type 应为 application/json",
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "无法读取请求内容：{}",
                e.body_text()
            ))),
        }
    }
}

/// A path parameter whose parse failure answers in Chinese.
pub struct PathParam<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for PathParam<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PathParam(v)),
            Err(e) => Err(ApiError::bad_request(format!(
                "地址中的参数无效（编号应为整数）：{}",
                e.body_text()
            ))),
        }
    }
}
