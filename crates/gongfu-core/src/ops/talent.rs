//! Talent (人才共创): training sessions for village secretaries and committees, entrepreneurs
//! (农创客, 新农人, 返乡青年) with their projects and the support granted them (rent relief,
//! living subsidies, loans and guarantees, in fen, with periods and approvals).

use super::{parse_count, parse_money};
use crate::text::bounded_text;
use crate::work::{parse_choice, parse_optional_date};
use crate::{DomainError, Fen};
use serde::{Deserialize, Serialize};
use time::Date;

pub const TEXT_MAX: usize = 200;

/// A training session (培训). `zone` is `None` for a district-wide session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub id: i64,
    pub zone: Option<i64>,
    pub topic: String,
    pub held_on: Date,
    /// 参训人数
    pub attendees: i64,
    /// 学时, in tenths of an hour (3.5 h = 35).
    pub hours_tenths: i64,
    /// 培训对象 (村书记, 村两委 …)
    pub audience: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TrainingDraft {
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub attendees: String,
    /// Hours, at most one decimal (`3.5`).
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub audience: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingSpec {
    pub topic: String,
    pub held_on: Date,
    pub attendees: i64,
    pub hours_tenths: i64,
    pub audience: String,
}

/// Hours with at most one decimal, as tenths: `3.5` → 35; from 0.5 to 200 hours.
pub fn parse_hours(s: &str) -> Result<i64, DomainError> {
    let err = || {
        DomainError::new(
            "invalid_hours",
            "hours",
            format!(
                "学时「{}」无效：应为 0.5 到 200 之间、最多一位小数的数",
                s.trim()
            ),
        )
    };
    let t = s.trim();
    let (w, f) = t.split_once('.').unwrap_or((t, ""));
    if w.is_empty()
        || !w.bytes().all(|b| b.is_ascii_digit())
        || f.len() > 1
        || !f.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let tenths = w.parse::<i64>().map_err(|_| err())? * 10 + f.parse::<i64>().unwrap_or(0);
    if (5..=2_000).contains(&tenths) {
        Ok(tenths)
    } else {
        Err(err())
    }
}

impl TrainingDraft {
    pub fn parse(&self, today: Date) -> Result<TrainingSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let topic = bounded_text(
            &self.topic,
            "topic",
            "培训主题",
            TEXT_MAX,
            Some("请填写培训主题"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let held_on = match parse_optional_date("held_on", &self.held_on) {
            Ok(Some(d)) if d > today => {
                errors.push(DomainError::new(
                    "in_future",
                    "held_on",
                    "培训日期不能晚于今天：登记的是已经举办的培训",
                ));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errors.push(DomainError::new("required", "held_on", "请填写培训日期"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let attendees = match parse_count(&self.attendees, "attendees", "参训人数", 100_000) {
            Ok(0) => {
                errors.push(DomainError::new("required", "attendees", "请填写参训人数"));
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let hours = parse_hours(&self.hours).map_err(|e| errors.push(e)).ok();
        let audience = bounded_text(&self.audience, "audience", "培训对象", 60, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (topic, held_on, attendees, hours, audience) {
            (Some(topic), Some(held_on), Some(attendees), Some(hours_tenths), Some(audience))
                if errors.is_empty() =>
            {
                Ok(TrainingSpec {
                    topic,
                    held_on,
                    attendees,
                    hours_tenths,
                    audience,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 创业人才类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrepreneurKind {
    /// 农创客
    AgriMaker,
    /// 新农人
    NewFarmer,
    /// 返乡青年
    ReturningYouth,
}

impl EntrepreneurKind {
    pub const ALL: [EntrepreneurKind; 3] = [
        EntrepreneurKind::AgriMaker,
        EntrepreneurKind::NewFarmer,
        EntrepreneurKind::ReturningYouth,
    ];
    pub fn key(self) -> &'static str {
        match self {
            EntrepreneurKind::AgriMaker => "agri_maker",
            EntrepreneurKind::NewFarmer => "new_farmer",
            EntrepreneurKind::ReturningYouth => "returning_youth",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EntrepreneurKind::AgriMaker => "农创客",
            EntrepreneurKind::NewFarmer => "新农人",
            EntrepreneurKind::ReturningYouth => "返乡青年",
        }
    }
    pub fn parse(s: &str) -> Result<EntrepreneurKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "人才类型「{}」无效：应为农创客、新农人、返乡青年之一",
                    s.trim()
                ),
            )
        })
    }
}

/// 扶持方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// 租金减免
    RentRelief,
    /// 生活补贴
    LivingSubsidy,
    /// 贷款
    Loan,
    /// 担保
    Guarantee,
    /// 以奖代补
    Award,
}

impl SupportKind {
    pub const ALL: [SupportKind; 5] = [
        SupportKind::RentRelief,
        SupportKind::LivingSubsidy,
        SupportKind::Loan,
        SupportKind::Guarantee,
        SupportKind::Award,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SupportKind::RentRelief => "rent_relief",
            SupportKind::LivingSubsidy => "living_subsidy",
            SupportKind::Loan => "loan",
            SupportKind::Guarantee => "guarantee",
            SupportKind::Award => "award",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SupportKind::RentRelief => "租金减免",
            SupportKind::LivingSubsidy => "生活补贴",
            SupportKind::Loan => "贷款",
            SupportKind::Guarantee => "担保",
            SupportKind::Award => "以奖代补",
        }
    }
    pub fn parse(s: &str) -> Result<SupportKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "扶持方式「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
    /// Money the district pays out (a loan or a guarantee is credit, not a grant).
    pub fn is_grant(self) -> bool {
        matches!(
            self,
            SupportKind::RentRelief | SupportKind::LivingSubsidy | SupportKind::Award
        )
    }
}

/// One grant of support to an entrepreneur, over a period, once approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub id: i64,
    pub entrepreneur: i64,
    pub kind: SupportKind,
    pub amount: Fen,
    pub from: Date,
    pub to: Date,
    /// Who approved it, and when; `None` while only applied for.
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SupportDraft {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportSpec {
    pub kind: SupportKind,
    pub amount: Fen,
    pub from: Date,
    pub to: Date,
}

impl SupportDraft {
    pub fn parse(&self) -> Result<SupportSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let kind = SupportKind::parse(&self.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let amount = match parse_money(&self.amount, "amount", "扶持金额") {
            Ok(Fen(0)) => {
                errors.push(DomainError::new(
                    "required",
                    "amount",
                    "请填写扶持金额（元）",
                ));
                None
            }
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let date = |field: &str, s: &str, what: &str| match parse_optional_date(field, s) {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Err(DomainError::new("required", field, format!("请填写{what}"))),
            Err(e) => Err(e),
        };
        let from = date("from", &self.from, "扶持开始日期")
            .map_err(|e| errors.push(e))
            .ok();
        let to = date("to", &self.to, "扶持结束日期")
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push(DomainError::new(
                "end_before_start",
                "to",
                "扶持结束日期不能早于开始日期",
            ));
        }
        match (kind, amount, from, to) {
            (Some(kind), Some(amount), Some(from), Some(to)) if errors.is_empty() => {
                Ok(SupportSpec {
                    kind,
                    amount,
                    from,
                    to,
                })
            }
            _ => Err(errors),
        }
    }
}

/// An entrepreneur (创业人才) and their project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entrepreneur {
    pub id: i64,
    pub zone: i64,
    pub name: String,
    pub kind: EntrepreneurKind,
    pub project: String,
    /// 孵化基地 / 青年入乡实践站 used.
    pub incubator: String,
    pub since: Date,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hours_are_tenths() {
        assert_eq!(parse_hours("3.5").unwrap(), 35);
        assert_eq!(parse_hours("8").unwrap(), 80);
        assert!(parse_hours("0.25").is_err());
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("三").is_err());
    }

    #[test]
    fn training_and_support_drafts() {
        let t = TrainingDraft {
            topic: "村书记经营村庄能力提升".into(),
            held_on: "2025-05-20".into(),
            attendees: "42".into(),
            hours: "6".into(),
            audience: "村党组织书记".into(),
        }
        .parse(date!(2025 - 06 - 30))
        .unwrap();
        assert_eq!((t.attendees, t.hours_tenths), (42, 60));
        let e = TrainingDraft::default()
            .parse(date!(2025 - 06 - 30))
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["topic", "held_on", "attendees", "hours"]);
        let s = SupportDraft {
            kind: "租金减免".into(),
            amount: "36000".into(),
            from: "2025-01-01".into(),
            to: "2025-12-31".into(),
        }
        .parse()
        .unwrap();
        assert!(s.kind.is_grant());
        assert_eq!(s.amount, Fen(3_600_000));
        assert!(!SupportKind::Loan.is_grant());
    }
}
