//! Property-driven fuzzing of every text parser behind the forms, the API and the importers:
//! any input is either parsed or refused with a Chinese message, never a panic; what parses
//! is what the type promises.
//!
//! `GONGFU_FUZZ_CASES=N` runs N cases per target (docs/fuzzing.md records the long runs).

use gongfu_core::auth::{Role, parse_username};
use gongfu_core::targets::Metric;
use gongfu_core::village::{DivisionKind, parse_date, parse_tags};
use gongfu_core::zone::{DesignationStatus, Tier, parse_zone_name};
use gongfu_core::{DataYear, DomainError, Fen, TownCode, VillageCode};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("GONGFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clear<T>(r: Result<T, DomainError>) -> Result<Option<T>, TestCaseError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            prop_assert!(
                e.message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "refusal without a Chinese reason: {e:?}"
            );
            Ok(None)
        }
    }
}

/// Text people and machines send: anything, digits, dates, and mixed scripts.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,60}",
        "[0-9 ]{0,14}",
        "[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?",
        "[0-9,.%元万 -]{0,16}",
        "[a-z_:]{0,24}",
        "[\\u{4e00}-\\u{9fff}、，,]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), .. ProptestConfig::default() })]

    #[test]
    fn codes_years_and_kinds(s in text()) {
        if let Some(c) = clear(VillageCode::parse(&s))? {
            prop_assert_eq!(c.as_str().len(), 12);
            prop_assert!(c.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
        if let Some(c) = clear(TownCode::parse(&s))? {
            prop_assert_eq!(c.as_str().len(), 9);
        }
        if let Some(y) = clear(DataYear::parse(&s))? {
            prop_assert!((DataYear::MIN..=DataYear::MAX).contains(&y.get()));
        }
        clear(DivisionKind::parse(&s))?;
        clear(Tier::parse(&s))?;
        clear(DesignationStatus::parse(&s))?;
        clear(Metric::parse(&s))?;
    }

    #[test]
    fn dates_amounts_and_free_text(s in text()) {
        clear(parse_date("日期", &s))?;
        if let Some(f) = clear(Fen::parse_yuan(&s))? {
            // What parses prints back to the same amount.
            prop_assert_eq!(Fen::parse_yuan(&f.yuan_string()).unwrap(), f);
        }
        if let Some(tags) = clear(parse_tags(&s))? {
            prop_assert!(tags.iter().all(|t| !t.trim().is_empty() && !t.contains(',')));
        }
        if let Some(name) = clear(parse_zone_name(&s))? {
            prop_assert!(!name.trim().is_empty());
        }
        clear(parse_username(&s))?;
    }

    #[test]
    fn roles_with_scopes(key in "[a-z_]{0,12}|admin|town|village|department|operator|viewer", scope in text()) {
        clear(Role::parse(&key, &scope))?;
    }
}
