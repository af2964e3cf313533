//! Operations, industry chains and talent (村庄联营, 产业共链, 人才共创): operating teams with
//! their contracts and yearly KPIs, brands and industry chains, common-prosperity elements
//! (共富工坊, 市集, 基地 …), training and entrepreneurs, and the named per-zone, per-year
//! indicator figures computed from those records for the scoring engine.
//!
//! Pure: drafts are parsed once at the edge; the figures are plain functions over records.

pub mod brands;
pub mod elements;
pub mod indicators;
pub mod talent;
pub mod teams;

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// A count typed by a person: a whole number from 0 to `max`; empty is 0.
pub fn parse_count(s: &str, field: &str, what: &str, max: i64) -> Result<i64, DomainError> {
    let t = s.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Ok(0);
    }
    match t.parse::<i64>() {
        Ok(v) if (0..=max).contains(&v) => Ok(v),
        _ => Err(DomainError::new(
            "invalid_number",
            field,
            format!("{what}「{}」无效：应为 0 到 {max} 的整数", s.trim()),
        )),
    }
}

/// A money figure in yuan typed by a person, not negative; empty is 0.
pub fn parse_money(s: &str, field: &str, what: &str) -> Result<crate::Fen, DomainError> {
    if s.trim().is_empty() {
        return Ok(crate::Fen::ZERO);
    }
    let f = crate::Fen::parse_yuan(s).map_err(|mut e| {
        e.field = field.to_string();
        e
    })?;
    if f < crate::Fen::ZERO {
        return Err(DomainError::new(
            "out_of_range",
            field,
            format!("{what}不能为负数"),
        ));
    }
    if f > crate::work::project::AMOUNT_MAX {
        return Err(DomainError::new(
            "out_of_range",
            field,
            format!("{what}「{}」超过 100 亿元，请核对单位（元）", s.trim()),
        ));
    }
    Ok(f)
}

/// A date a draft must give (「请填写{what}」 when it is empty).
pub fn required_date(field: &str, s: &str, what: &str) -> Result<time::Date, DomainError> {
    match crate::work::parse_optional_date(field, s) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(DomainError::new("required", field, format!("请填写{what}"))),
        Err(e) => Err(e),
    }
}

/// A required date of something that has already happened: `late` is the message for one
/// after `today`.
pub fn past_date(
    field: &str,
    s: &str,
    what: &str,
    late: &str,
    today: time::Date,
) -> Result<time::Date, DomainError> {
    let d = required_date(field, s, what)?;
    if d > today {
        Err(DomainError::new("in_future", field, late))
    } else {
        Ok(d)
    }
}

/// 考评等次, of an operating team's yearly evaluation and of an entrepreneur's yearly review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail];
    pub fn key(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
    /// A grade by key or label.
    pub fn parse(s: &str) -> Result<Grade, DomainError> {
        Grade::parse_saying(s, "应为优秀、良好、合格或不合格")
    }
    /// A grade by key or label; `expected` ends the message of one that is not.
    pub fn parse_saying(s: &str, expected: &str) -> Result<Grade, DomainError> {
        crate::work::parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_grade",
                "grade",
                format!("考评等次「{}」无效：{expected}", s.trim()),
            )
        })
    }
    /// The usual grade of a score in tenths (90 分及以上优秀, 80 良好, 60 合格), used when the
    /// reviewer leaves the grade empty.
    pub fn of_score(tenths: i64) -> Grade {
        match tenths {
            900.. => Grade::Excellent,
            800.. => Grade::Good,
            600.. => Grade::Pass,
            _ => Grade::Fail,
        }
    }
    /// Whether the grade earns an 以奖代补 award.
    pub fn earns_award(self) -> bool {
        matches!(self, Grade::Excellent | Grade::Good)
    }
}

/// 考评人 / 考评单位 of an evaluation or review: required, at most 60 characters.
pub fn parse_reviewer(s: &str) -> Result<String, DomainError> {
    crate::text::bounded_text(s, "reviewer", "考评人", 60, Some("请填写考评人或考评单位"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_money() {
        assert_eq!(
            parse_count("1,200", "jobs", "就业人数", 100_000).unwrap(),
            1200
        );
        assert_eq!(parse_count("", "jobs", "就业人数", 10).unwrap(), 0);
        assert!(parse_count("-1", "jobs", "就业人数", 10).is_err());
        assert!(parse_count("11", "jobs", "就业人数", 10).is_err());
        assert_eq!(parse_money("12.5", "m", "收入").unwrap(), crate::Fen(1250));
        assert!(parse_money("-3", "m", "收入").is_err());
    }
}
