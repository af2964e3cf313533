//! Money as integer fen (分). Never f64: amounts are summed, split and compared exactly.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount of money in fen (1 yuan = 100 fen). Negative amounts are allowed (losses).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// Parses a yuan amount written by a person: `1234`, `1,234.5`, `-12.05`, `１２３`
    /// (full-width digits), optionally ending in 元. At most two decimals: a third decimal
    /// would be a fraction of a fen, which is refused rather than rounded away silently.
    pub fn parse_yuan(input: &str) -> Result<Fen, DomainError> {
        let err = |why: &str| {
            DomainError::new(
                "invalid_amount",
                "amount",
                format!("金额「{}」无效：{why}", input.trim()),
            )
        };
        let normalised: String = input
            .trim()
            .trim_end_matches('元')
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' => '-',
                other => other,
            })
            .collect();
        if normalised.is_empty() {
            return Err(err("为空"));
        }
        let (neg, body) = match normalised.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, normalised.as_str()),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("不是数字"));
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err("不是数字"));
        }
        if frac_part.len() > 2 {
            return Err(err("最多保留两位小数（精确到分）"));
        }
        let yuan: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err("数值过大"))?
        };
        let mut frac: i64 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().map_err(|_| err("不是数字"))?
        };
        if frac_part.len() == 1 {
            frac *= 10;
        }
        let fen = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(frac))
            .ok_or_else(|| err("数值过大"))?;
        Ok(Fen(if neg { -fen } else { fen }))
    }

    /// Converts a spreadsheet number (yuan, as a float) exactly as it is written: its shortest
    /// decimal representation is parsed, so 1234.56 becomes 123456 fen and 0.005 is refused.
    pub fn from_yuan_f64(v: f64) -> Result<Fen, DomainError> {
        if !v.is_finite() {
            return Err(DomainError::new(
                "invalid_amount",
                "amount",
                "金额不是有限数值",
            ));
        }
        Fen::parse_yuan(&format!("{v}"))
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Yuan with two decimals and thousands separators: `1,234,567.80`.
    pub fn yuan_string(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let int = group_thousands(abs / 100);
        format!("{}{}.{:02}", if neg { "-" } else { "" }, int, abs % 100)
    }

    /// 万元 with one decimal, the unit officials read income in: `152.3`. Rounds half away
    /// from zero on the display only; stored values stay exact.
    pub fn wan_yuan_string(self) -> String {
        // 1 万元 = 1,000,000 fen; one decimal = 100,000 fen.
        let tenths = div_round_half_away(self.0, 100_000);
        let neg = tenths < 0;
        let a = tenths.unsigned_abs();
        format!(
            "{}{}.{}",
            if neg { "-" } else { "" },
            group_thousands(a / 10),
            a % 10
        )
    }
}

fn div_round_half_away(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

/// A whole count with thousands separators, as tables show it: 「262,824」.
pub fn count_string(n: i64) -> String {
    let grouped = group_thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

fn group_thousands(mut n: u64) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(format!("{n}"));
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(",")
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}
impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}
impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

/// Growth from `before` to `after` in basis points (1 bp = 0.01 %), rounded half away from
/// zero; `None` when the base is not positive, because a growth rate over zero or a loss
/// means nothing to a reader.
pub fn growth_bp(before: Fen, after: Fen) -> Option<i64> {
    if before.0 <= 0 {
        return None;
    }
    let diff = (after.0 - before.0) as i128 * 10_000;
    let b = before.0 as i128;
    let q = diff / b;
    let r = diff % b;
    let q = if 2 * r.abs() >= b {
        q + diff.signum()
    } else {
        q
    };
    Some(q as i64)
}

/// Median of amounts; with an even count, the mean of the two middle values rounded toward
/// negative infinity (a display statistic, so a half fen either way does not matter, but it
/// is stated so two runs agree).
pub fn median(values: &[Fen]) -> Option<Fen> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<i64> = values.iter().map(|f| f.0).collect();
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        Some(Fen(v[n / 2]))
    } else {
        let s = v[n / 2 - 1] as i128 + v[n / 2] as i128;
        Some(Fen(s.div_euclid(2) as i64))
    }
}

/// Splits `total` into parts proportional to `weights` (最大余数法, largest remainder): each
/// part is its floor share, and the units left over go one each to the largest remainders.
///
/// Tie-break (deterministic): equal remainders go to the **earlier weight**, so callers order
/// their weights by a stable key (holder id, class order, zone id) and the same input always
/// gives the same output. Negative weights count as zero. The parts always add up to `total`
/// exactly; when all weights are zero (or there are none) there is nothing to split by, every
/// part is zero and the caller decides where the total goes.
///
/// Why floor + remainders rather than rounding each part: rounding each part can miss or
/// overshoot the total by a fen per part, and a payout sheet that does not add up cannot be
/// published. The floor never moves more than one unit per part.
pub fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let t = i128::from(total);
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let x = t * i128::from(w.max(0));
        parts.push(x.div_euclid(sum));
        rems.push((x.rem_euclid(sum), i));
    }
    let left = t - parts.iter().sum::<i128>();
    // 0 <= left < number of weights: a floor loses less than one per part.
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts.into_iter().map(|p| p as i64).collect()
}

/// Formats basis points as a percentage with one decimal: 1234 → "12.3%".
pub fn bp_percent_string(bp: i64) -> String {
    let tenths = div_round_half_away(bp, 10);
    let neg = tenths < 0;
    let a = tenths.unsigned_abs();
    format!("{}{}.{}%", if neg { "-" } else { "" }, a / 10, a % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count_string(0), "0");
        assert_eq!(count_string(999), "999");
        assert_eq!(count_string(262_824), "262,824");
        assert_eq!(count_string(-1_000_000), "-1,000,000");
    }

    #[test]
    fn yuan_with_two_decimals_parses_exactly() {
        assert_eq!(Fen::parse_yuan("1,234.56").unwrap(), Fen(123_456));
        assert_eq!(Fen::parse_yuan("12.5元").unwrap(), Fen(1_250));
        assert_eq!(Fen::parse_yuan("-0.05").unwrap(), Fen(-5));
        assert_eq!(Fen::parse_yuan("１２３").unwrap(), Fen(12_300));
    }

    #[test]
    fn a_fraction_of_a_fen_is_refused_not_rounded() {
        let e = Fen::parse_yuan("1.005").unwrap_err();
        assert!(e.message.contains("两位小数"));
        assert!(Fen::from_yuan_f64(0.005).is_err());
    }

    #[test]
    fn text_that_is_not_a_number_is_refused() {
        assert!(Fen::parse_yuan("").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("1.2.3").is_err());
        assert!(Fen::parse_yuan("99999999999999999999").is_err());
    }

    #[test]
    fn spreadsheet_floats_convert_as_written() {
        assert_eq!(Fen::from_yuan_f64(1234.56).unwrap(), Fen(123_456));
        assert_eq!(Fen::from_yuan_f64(1500000.0).unwrap(), Fen(150_000_000));
    }

    #[test]
    fn display_strings() {
        assert_eq!(Fen(123_456_780).yuan_string(), "1,234,567.80");
        assert_eq!(Fen(-5).yuan_string(), "-0.05");
        assert_eq!(Fen(152_345_678).wan_yuan_string(), "152.3");
        assert_eq!(Fen(2_500_000_000).wan_yuan_string(), "2,500.0");
        assert_eq!(bp_percent_string(1234), "12.3%");
        assert_eq!(bp_percent_string(-55), "-0.6%");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_floor_of_the_middle_mean() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[Fen(5), Fen(1), Fen(3)]), Some(Fen(3)));
        assert_eq!(median(&[Fen(4), Fen(1), Fen(2), Fen(9)]), Some(Fen(3)));
        assert_eq!(median(&[Fen(-1), Fen(0)]), Some(Fen(-1)));
    }

    #[test]
    fn growth_is_none_over_a_zero_or_negative_base() {
        assert_eq!(growth_bp(Fen(100), Fen(112)), Some(1200));
        assert_eq!(growth_bp(Fen(0), Fen(112)), None);
        assert_eq!(growth_bp(Fen(-5), Fen(112)), None);
    }

    #[test]
    fn largest_remainder_breaks_ties_towards_the_earlier_weight() {
        assert_eq!(largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(largest_remainder(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(largest_remainder(-1, &[1, 1]), vec![0, -1]);
        assert_eq!(largest_remainder(7, &[0, 0]), vec![0, 0]);
    }

    proptest! {
        #[test]
        fn largest_remainder_is_exact_and_each_part_is_within_one_of_its_share(
            total in -1_000_000_000i64..1_000_000_000,
            weights in proptest::collection::vec(0i64..1_000_000, 1..20),
        ) {
            let parts = largest_remainder(total, &weights);
            let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if sum > 0 {
                prop_assert_eq!(parts.iter().sum::<i64>(), total);
                for (p, w) in parts.iter().zip(&weights) {
                    let floor = (i128::from(total) * i128::from(*w)).div_euclid(sum);
                    prop_assert!(i128::from(*p) == floor || i128::from(*p) == floor + 1);
                }
            } else {
                prop_assert!(parts.iter().all(|p| *p == 0));
            }
        }

        #[test]
        fn every_amount_round_trips_through_its_yuan_string(f in -10_000_000_000_000i64..10_000_000_000_000i64) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(f).yuan_string()).unwrap(), Fen(f));
        }
    }
}
