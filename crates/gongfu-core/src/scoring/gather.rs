//! Merging what the platform computed with what departments entered into the engine's
//! [`Inputs`] (汇总取数).
//!
//! **Rule:** a rule sourced from the platform (`Source::Platform(figure)`) always takes the
//! platform's value, and a manual entry for it is ignored (the store refuses to record one) —
//! so a computed figure can only move by correcting the records it came from, which the
//! scorecard names. A `Source::Manual` rule takes the entry under its key. A value missing on
//! either side stays missing and the rule scores 0 as 未填报.

use super::{Figure, Input, Inputs, Rubric, Source};
use std::collections::{BTreeMap, BTreeSet};

/// Bonus and penalty occurrences and veto items as recorded for one assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Items {
    pub bonus: BTreeMap<String, u32>,
    pub penalties: BTreeMap<String, u32>,
    pub vetoes: BTreeSet<String>,
}

/// The engine's inputs for one subject: platform values for platform rules, entries for manual
/// rules (see the module doc for why an entry never overrides a platform value).
pub fn gather(
    rubric: &Rubric,
    platform: &BTreeMap<Figure, Input>,
    manual: &BTreeMap<String, Input>,
    items: &Items,
) -> Inputs {
    let mut values = BTreeMap::new();
    for (_, _, rule) in rubric.rules() {
        let v = match rule.source {
            Source::Platform(f) => platform.get(&f),
            Source::Manual => manual.get(&rule.key),
        };
        if let Some(v) = v {
            values.insert(rule.key.clone(), *v);
        }
    }
    Inputs {
        values,
        bonus: items.bonus.clone(),
        penalties: items.penalties.clone(),
        vetoes: items.vetoes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::default_zone_rubric;

    #[test]
    fn platform_rules_take_the_platform_value_and_manual_rules_the_entry() {
        let r = default_zone_rubric(2025);
        let (platform_rule, figure) = r
            .rules()
            .find_map(|(_, _, x)| match x.source {
                Source::Platform(f) => Some((x.key.clone(), f)),
                Source::Manual => None,
            })
            .unwrap();
        let manual_rule = r
            .rules()
            .find(|(_, _, x)| x.source == Source::Manual)
            .map(|(_, _, x)| x.key.clone())
            .unwrap();
        let platform = BTreeMap::from([(figure, Input::Number(7))]);
        let manual = BTreeMap::from([
            (platform_rule.clone(), Input::Number(99)),
            (manual_rule.clone(), Input::Yes(true)),
            ("no_such_rule".to_string(), Input::Number(1)),
        ]);
        let got = gather(&r, &platform, &manual, &Items::default());
        assert_eq!(got.values.get(&platform_rule), Some(&Input::Number(7)));
        assert_eq!(got.values.get(&manual_rule), Some(&Input::Yes(true)));
        assert!(!got.values.contains_key("no_such_rule"));
    }
}
