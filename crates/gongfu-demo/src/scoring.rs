//! Demo scoring (四联四共评分): for every zone or team of the demo, a plausible value for each
//! manual rule of a rubric (the platform-sourced rules come from the demo's own records), and
//! now and then a bonus item. Clearly fake; the same seed and subjects give the same entries.

use gongfu_core::scoring::{Input, Mark, Method, Ratio, Rubric, Source};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

const STREAM: u64 = 0x5EED_5C0E_2026_0009;

/// One subject's entries: manual rule key → value, and bonus item → occurrences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoAssessment {
    pub values: BTreeMap<String, Input>,
    pub bonus: BTreeMap<String, u32>,
}

/// Entries for the manual rules of `rubric` for each subject id, deterministic in `seed`.
pub fn generate_entries(
    rubric: &Rubric,
    subjects: &[i64],
    seed: u64,
) -> BTreeMap<i64, DemoAssessment> {
    let mut out = BTreeMap::new();
    for &s in subjects {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM ^ (s as u64).wrapping_mul(0x9E37));
        let mut a = DemoAssessment::default();
        for (_, _, rule) in rubric.rules() {
            if rule.source != Source::Manual {
                continue;
            }
            a.values
                .insert(rule.key.clone(), value_for(&rule.method, &mut rng));
        }
        // Each bonus item turns up for about half the subjects, up to its cap (a designation,
        // typical cases, new listings…): what an active district's zones report.
        for b in &rubric.bonus {
            let most = if b.points_each.0 > 0 {
                (b.cap.0 / b.points_each.0).clamp(1, 3) as u32
            } else {
                1
            };
            if rng.random_range(0..2) == 0 {
                a.bonus.insert(b.id.clone(), rng.random_range(1..=most));
            }
        }
        out.insert(s, a);
    }
    out
}

/// A mostly good value of the kind the method reads.
fn value_for(m: &Method, rng: &mut ChaCha8Rng) -> Input {
    match m {
        Method::Step { steps } => {
            let at = steps.iter().map(|s| s.at_least).max().unwrap_or(1).max(1);
            Input::Number(at * rng.random_range(80..=130i64) / 100)
        }
        Method::Lin { target, .. } => Input::Number(target * rng.random_range(80..=120i64) / 100),
        Method::Cov { .. } => {
            let total = rng.random_range(3..=8i64);
            let covered = rng.random_range(total - 1..=total);
            Input::Ratio(Ratio::new(covered, total).unwrap_or_else(|_| unreachable_ratio()))
        }
        Method::Rel { .. } => {
            let benchmark = rng.random_range(500..=700i64);
            Input::Compared {
                value: benchmark + rng.random_range(-100..=300i64),
                benchmark,
            }
        }
        Method::Grade { .. } => Input::Mark(match rng.random_range(0..10) {
            0..=5 => Mark::A,
            _ => Mark::B,
        }),
        Method::Bin => Input::Yes(rng.random_range(0..10) < 9),
    }
}

/// `covered ≤ total` holds by construction above; a zero ratio keeps the function total.
fn unreachable_ratio() -> Ratio {
    Ratio::new(0, 0).expect("0 of 0 is a valid ratio")
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::scoring::{Inputs, default_zone_rubric};

    #[test]
    fn entries_fit_their_rules_and_repeat_for_a_seed() {
        let r = default_zone_rubric(2025);
        let a = generate_entries(&r, &[1, 2, 3], 7);
        assert_eq!(a, generate_entries(&r, &[1, 2, 3], 7));
        for e in a.values() {
            let inputs = Inputs {
                values: e.values.clone(),
                bonus: e.bonus.clone(),
                ..Default::default()
            };
            inputs.check(&r).unwrap();
        }
    }
}
