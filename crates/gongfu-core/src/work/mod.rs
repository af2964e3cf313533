//! Zone work carried to closure (一片一规划, 清单式、项目化、闭环式): zone plans and their
//! approval, projects with their status flow, investment, sub-items, milestones and evidence,
//! the joint committee (党建联建) with its meetings, decisions and action items, and the actors
//! taking part (主体联合).
//!
//! Pure: parsers turn what people type into these types once, at the edge; the status flows,
//! the progress roll-up and the overdue rules are plain functions, tested beside them.

pub mod actor;
pub mod committee;
pub mod evidence;
pub mod plan;
pub mod project;

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// The eight mechanisms of 四联四共, in the policy's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// 规划联动
    Planning,
    /// 党建联建
    PartyBuilding,
    /// 主体联合
    Alliance,
    /// 村庄联营
    JointOperation,
    /// 产业共链
    IndustryChain,
    /// 设施共通
    Facilities,
    /// 人才共创
    Talent,
    /// 利益共享
    BenefitSharing,
}

impl Mechanism {
    pub const ALL: [Mechanism; 8] = [
        Mechanism::Planning,
        Mechanism::PartyBuilding,
        Mechanism::Alliance,
        Mechanism::JointOperation,
        Mechanism::IndustryChain,
        Mechanism::Facilities,
        Mechanism::Talent,
        Mechanism::BenefitSharing,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Mechanism::Planning => "planning",
            Mechanism::PartyBuilding => "party_building",
            Mechanism::Alliance => "alliance",
            Mechanism::JointOperation => "joint_operation",
            Mechanism::IndustryChain => "industry_chain",
            Mechanism::Facilities => "facilities",
            Mechanism::Talent => "talent",
            Mechanism::BenefitSharing => "benefit_sharing",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Mechanism::Planning => "规划联动",
            Mechanism::PartyBuilding => "党建联建",
            Mechanism::Alliance => "主体联合",
            Mechanism::JointOperation => "村庄联营",
            Mechanism::IndustryChain => "产业共链",
            Mechanism::Facilities => "设施共通",
            Mechanism::Talent => "人才共创",
            Mechanism::BenefitSharing => "利益共享",
        }
    }
    /// Accepts the key or the Chinese name.
    pub fn parse(s: &str) -> Result<Mechanism, DomainError> {
        parse_choice(s, &Mechanism::ALL, Mechanism::key, Mechanism::label).ok_or_else(|| {
            DomainError::new(
                "invalid_mechanism",
                "mechanism",
                format!(
                    "机制「{}」无效：应为{}之一",
                    s.trim(),
                    Mechanism::ALL.map(Mechanism::label).join("、")
                ),
            )
        })
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Finds the choice whose key or label is `s` (trimmed).
pub(crate) fn parse_choice<T: Copy>(
    s: &str,
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Option<T> {
    let s = s.trim();
    all.iter().copied().find(|c| key(*c) == s || label(*c) == s)
}

/// A whole percentage from 0 to 100 (进度).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Percent(u8);

impl Percent {
    pub const ZERO: Percent = Percent(0);
    pub const FULL: Percent = Percent(100);
    pub fn new(v: i64, field: &str) -> Result<Percent, DomainError> {
        if (0..=100).contains(&v) {
            Ok(Percent(v as u8))
        } else {
            Err(DomainError::new(
                "out_of_range",
                field,
                format!("进度应为 0 到 100 之间的整数，收到 {v}"),
            ))
        }
    }
    /// Parses `60`, `60%` or `６０％`.
    pub fn parse(s: &str, field: &str) -> Result<Percent, DomainError> {
        let t: String = s
            .trim()
            .trim_end_matches(['%', '％'])
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                other => other,
            })
            .collect();
        let v: i64 = t.trim().parse().map_err(|_| {
            DomainError::new(
                "invalid_number",
                field,
                format!("进度「{}」无效：应为 0 到 100 之间的整数", s.trim()),
            )
        })?;
        Percent::new(v, field)
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Percent {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        Percent::new(v, "percent").map_err(|e| e.message)
    }
}

impl From<Percent> for i64 {
    fn from(p: Percent) -> i64 {
        i64::from(p.0)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// Days past a due day, counting from the day after it; `None` when not (yet) late.
pub fn days_late(due: Date, today: Date) -> Option<i64> {
    let d = (today - due).whole_days();
    (d > 0).then_some(d)
}

/// An optional date typed by a person: empty means none.
pub fn parse_optional_date(field: &str, s: &str) -> Result<Option<Date>, DomainError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        crate::village::parse_date(field, s).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn mechanisms_parse_by_key_and_name() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::parse(m.key()).unwrap(), m);
            assert_eq!(Mechanism::parse(&format!(" {} ", m.label())).unwrap(), m);
        }
        let e = Mechanism::parse("共同富裕").unwrap_err();
        assert!(e.message.contains("规划联动"), "{}", e.message);
    }

    #[test]
    fn percent_bounds() {
        assert_eq!(Percent::parse("60%", "p").unwrap().get(), 60);
        assert_eq!(Percent::parse("１００％", "p").unwrap().get(), 100);
        assert!(Percent::parse("101", "p").is_err());
        assert!(Percent::parse("-1", "p").is_err());
        assert!(Percent::parse("half", "p").is_err());
    }

    #[test]
    fn lateness_counts_from_the_day_after() {
        let due = date!(2025 - 06 - 30);
        assert_eq!(days_late(due, date!(2025 - 06 - 30)), None);
        assert_eq!(days_late(due, date!(2025 - 07 - 01)), Some(1));
        assert_eq!(days_late(due, date!(2025 - 06 - 01)), None);
    }
}
