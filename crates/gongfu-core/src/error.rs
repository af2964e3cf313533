//! The one error type of the domain: every variant names the field and says, in Chinese, what
//! is wrong, so the web layer can show it to a cadre unchanged.

/// A rule of the domain was broken by some input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{message}")]
pub struct DomainError {
    /// Machine name of the offending field (`key_village`, `villages[2]`, `year` …).
    pub field: String,
    /// Chinese message for the user.
    pub message: String,
    /// Stable machine code, e.g. `invalid_code`, `already_in_zone`.
    pub code: &'static str,
}

impl DomainError {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError {
            field: field.into(),
            message: message.into(),
            code,
        }
    }
}
