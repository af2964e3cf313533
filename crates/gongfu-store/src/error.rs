//! The store's one error type.

use gongfu_core::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Input broke one or more domain rules; every problem is listed.
    #[error("输入有误：{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<DomainError>),
    #[error("{what}不存在")]
    NotFound { what: String },
    /// Someone else changed the record since the caller read it (optimistic locking).
    #[error(
        "该记录已被他人修改：{what}在您打开后已有新的保存（当前版本 {current}）。您的输入已保留，请核对下方当前内容后再决定是否保存"
    )]
    Conflict { what: String, current: i64 },
    /// The actor's role or area does not cover this change (HTTP 403).
    #[error("无权操作：{0}")]
    Forbidden(String),
    /// The database refused an operation that would lose or corrupt data.
    #[error("{0}")]
    Refused(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        StoreError::Invalid(vec![e])
    }
}

impl From<Vec<DomainError>> for StoreError {
    fn from(e: Vec<DomainError>) -> Self {
        StoreError::Invalid(e)
    }
}

/// One broken rule, as a store error.
pub(crate) fn invalid(code: &'static str, field: &str, message: String) -> StoreError {
    StoreError::Invalid(vec![DomainError::new(code, field, message)])
}

/// `Ok` when no rule was broken, else every problem found.
pub(crate) fn all_valid(errors: Vec<DomainError>) -> Result<(), StoreError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}
