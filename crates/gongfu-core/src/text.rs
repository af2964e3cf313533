//! Free text typed by people: trimmed, bounded, and required where a record needs it.

use crate::DomainError;

/// Trimmed text of at most `max` characters; when `missing` is given, empty text is refused
/// with that message.
pub fn bounded_text(
    s: &str,
    field: &str,
    what: &str,
    max: usize,
    missing: Option<&str>,
) -> Result<String, DomainError> {
    let t = s.trim();
    if let Some(m) = missing
        && t.is_empty()
    {
        return Err(DomainError::new("required", field, m));
    }
    if t.chars().count() > max {
        return Err(DomainError::new(
            "too_long",
            field,
            format!("{what}不超过 {max} 个字"),
        ));
    }
    Ok(t.to_string())
}
