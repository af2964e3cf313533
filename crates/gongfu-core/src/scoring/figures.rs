//! The arithmetic behind the platform figures a rubric reads (平台自动取数): shares and growth
//! in basis points, population-weighted growth, and the numbers as a formula shows them. The
//! store gathers the records; everything here is exact integer arithmetic in `i128`, never a
//! float.
//!
//! **Rounding.** Every figure is floored to the basis point (向下取整到 0.01%), toward minus
//! infinity, so a share shown is never more than was reached and a fall of 3.505 % shows as
//! −3.51 %, not −3.50 %. Only the amounts printed in a formula (万元 to two decimals, a
//! per-capita average to the fen) are rounded half up, and they are for reading: the value the
//! engine scores is computed from the exact fen.

use crate::Fen;

const BP: i128 = 10_000;

/// `part ÷ whole` in basis points, floored; `None` without a positive whole.
pub fn share_bp(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    Some((i128::from(part) * BP).div_euclid(i128::from(whole)) as i64)
}

/// `this ÷ last − 1` in basis points, floored (a fall is negative); `None` when the base is
/// zero or negative, where growth means nothing.
pub fn growth_bp(this: i64, last: i64) -> Option<i64> {
    if last <= 0 {
        return None;
    }
    let (t, l) = (i128::from(this), i128::from(last));
    Some(((t - l) * BP).div_euclid(l) as i64)
}

/// One member of a weighted average in two years: its value (e.g. 人均可支配收入, fen) and its
/// weight (户籍人口) this year and last year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightedPair {
    pub value: i64,
    pub weight: i64,
    pub last_value: i64,
    pub last_weight: i64,
}

/// The weighted averages of two years as exact sums: `Σ value × weight` and `Σ weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeightedSums {
    pub weighted: i128,
    pub weight: i128,
    pub last_weighted: i128,
    pub last_weight: i128,
}

impl WeightedSums {
    pub fn of(rows: &[WeightedPair]) -> WeightedSums {
        let mut s = WeightedSums::default();
        for r in rows {
            s.weighted += i128::from(r.value) * i128::from(r.weight);
            s.weight += i128::from(r.weight);
            s.last_weighted += i128::from(r.last_value) * i128::from(r.last_weight);
            s.last_weight += i128::from(r.last_weight);
        }
        s
    }
    /// This year's weighted average, rounded half up to the unit (the fen), for the formula.
    pub fn average(&self) -> Option<i64> {
        half_up(self.weighted, self.weight)
    }
    /// Last year's weighted average, rounded half up, for the formula.
    pub fn last_average(&self) -> Option<i64> {
        half_up(self.last_weighted, self.last_weight)
    }
    /// Growth of the weighted average, `(A/W) ÷ (A′/W′) − 1 = (A·W′ − A′·W) ÷ (A′·W)`, in basis
    /// points, floored — from the exact sums, not from the rounded averages. `None` without
    /// weight in either year or with last year's average not positive.
    pub fn growth_bp(&self) -> Option<i64> {
        if self.weight <= 0 || self.last_weight <= 0 || self.last_weighted <= 0 {
            return None;
        }
        let num = (self.weighted * self.last_weight - self.last_weighted * self.weight) * BP;
        let den = self.last_weighted * self.weight;
        Some(num.div_euclid(den) as i64)
    }
}

/// Population-weighted growth of a per-capita figure over `rows`, in basis points, floored.
pub fn weighted_growth_bp(rows: &[WeightedPair]) -> Option<i64> {
    WeightedSums::of(rows).growth_bp()
}

fn half_up(num: i128, den: i128) -> Option<i64> {
    if den <= 0 {
        return None;
    }
    // Half away from zero: floor((2·|n| + d) / 2d) with the sign put back.
    let a = (2 * num.abs() + den) / (2 * den);
    Some((if num < 0 { -a } else { a }) as i64)
}

/// Basis points as a percentage with two decimals and its sign: 1223 → `12.23%`,
/// −351 → `-3.51%`.
pub fn pct2(bp: i64) -> String {
    let a = bp.unsigned_abs();
    format!(
        "{}{}.{:02}%",
        if bp < 0 { "-" } else { "" },
        a / 100,
        a % 100
    )
}

/// Fen as 万元 with two decimals and thousands separators, rounded half up (for reading):
/// 12,345,678,900 fen → `12,345.68 万元`.
pub fn wan2(fen: Fen) -> String {
    // 1 万元 = 1,000,000 fen; hundredths of a 万元 are 10,000 fen.
    let hundredths = half_up(i128::from(fen.0), 10_000).unwrap_or(0);
    let a = hundredths.unsigned_abs();
    format!(
        "{}{}.{:02} 万元",
        if hundredths < 0 { "-" } else { "" },
        crate::money::count_string((a / 100) as i64),
        a % 100
    )
}

/// A whole number with thousands separators: 12345 → `12,345`.
pub fn count(n: i64) -> String {
    crate::money::count_string(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_floor_to_the_basis_point() {
        assert_eq!(share_bp(9, 10), Some(9_000));
        assert_eq!(share_bp(2, 3), Some(6_666), "66.666…% floors to 66.66%");
        assert_eq!(share_bp(0, 7), Some(0));
        assert_eq!(share_bp(1, 0), None);
    }

    #[test]
    fn growth_is_floored_and_signed() {
        // 1,234.56 万元 over 1,100.00 万元: 12.232…% → 12.23%.
        assert_eq!(growth_bp(1_234_560_000, 1_100_000_000), Some(1_223));
        assert_eq!(growth_bp(100, 100), Some(0));
        // A fall of 3.505 % floors toward minus infinity: −3.51 %.
        assert_eq!(growth_bp(96_495, 100_000), Some(-351));
        assert_eq!(growth_bp(0, 100), Some(-10_000));
        assert_eq!(growth_bp(100, 0), None, "no base, no growth");
        assert_eq!(growth_bp(100, -5), None, "a loss year is no base either");
        // Values beyond i64 in the product stay exact in i128.
        assert_eq!(growth_bp(i64::MAX, i64::MAX / 2), Some(10_000));
    }

    #[test]
    fn weighted_growth_uses_the_exact_sums() {
        // Village A: 30,000 → 33,000 元 per head, 1,000 people both years; village B: 20,000 →
        // 21,000 元, 3,000 people. Averages 22,500 → 24,000 元: +6.666…% → 6.66 %.
        let rows = [
            WeightedPair {
                value: 3_300_000,
                weight: 1_000,
                last_value: 3_000_000,
                last_weight: 1_000,
            },
            WeightedPair {
                value: 2_100_000,
                weight: 3_000,
                last_value: 2_000_000,
                last_weight: 3_000,
            },
        ];
        let s = WeightedSums::of(&rows);
        assert_eq!(s.average(), Some(2_400_000));
        assert_eq!(s.last_average(), Some(2_250_000));
        assert_eq!(s.growth_bp(), Some(666));
        assert_eq!(weighted_growth_bp(&rows), Some(666));
        // A falling average is negative, floored.
        let fall = [WeightedPair {
            value: 99,
            weight: 3,
            last_value: 100,
            last_weight: 3,
        }];
        assert_eq!(weighted_growth_bp(&fall), Some(-100));
        // No people, or no income last year: no growth.
        assert_eq!(weighted_growth_bp(&[]), None);
        let zero = [WeightedPair {
            value: 100,
            weight: 3,
            last_value: 0,
            last_weight: 3,
        }];
        assert_eq!(weighted_growth_bp(&zero), None);
    }

    #[test]
    fn numbers_read_as_officials_write_them() {
        assert_eq!(pct2(1_223), "12.23%");
        assert_eq!(pct2(9_000), "90.00%");
        assert_eq!(pct2(-351), "-3.51%");
        assert_eq!(pct2(5), "0.05%");
        assert_eq!(wan2(Fen(123_456_000)), "123.46 万元");
        assert_eq!(wan2(Fen(12_345_678_900)), "12,345.68 万元");
        assert_eq!(wan2(Fen(1_100_000_000)), "1,100.00 万元");
        assert_eq!(wan2(Fen(-4_999)), "0.00 万元");
        assert_eq!(wan2(Fen(-5_000)), "-0.01 万元");
        assert_eq!(count(12_345), "12,345");
        assert_eq!(count(-7), "-7");
    }
}
