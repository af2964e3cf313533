//! Operating teams (运营团队): the company or team that runs zones under contract, its business
//! types, the zones it serves, and its yearly KPIs per zone (operating revenue, visitors,
//! events, jobs created, collective income attributable to the team), the operation plan of
//! each zone with its IP and logo (一片一IP), and the yearly evaluations (年度考评) that make a
//! team's evaluation history.

pub use super::Grade;
use super::{parse_count, parse_money, parse_reviewer, required_date};
use crate::text::bounded_text;
use crate::work::actor::{CreditCode, parse_phone};
use crate::work::{parse_choice, parse_optional_date};
use crate::{DataYear, DomainError, Fen};
use serde::{Deserialize, Serialize};
use time::Date;

pub const NAME_MAX: usize = 80;
pub const TEXT_MAX: usize = 5_000;

/// 业态 (business types of an operating team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessType {
    /// 文旅融合
    CultureTourism,
    /// 农业规模化
    ScaledFarming,
    /// 加工业
    Processing,
    /// 电商
    ECommerce,
    /// 其他
    Other,
}

impl BusinessType {
    pub const ALL: [BusinessType; 5] = [
        BusinessType::CultureTourism,
        BusinessType::ScaledFarming,
        BusinessType::Processing,
        BusinessType::ECommerce,
        BusinessType::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            BusinessType::CultureTourism => "culture_tourism",
            BusinessType::ScaledFarming => "scaled_farming",
            BusinessType::Processing => "processing",
            BusinessType::ECommerce => "e_commerce",
            BusinessType::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            BusinessType::CultureTourism => "文旅融合",
            BusinessType::ScaledFarming => "农业规模化",
            BusinessType::Processing => "加工业",
            BusinessType::ECommerce => "电商",
            BusinessType::Other => "其他",
        }
    }
    pub fn parse(s: &str) -> Result<BusinessType, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_business_type",
                "business_types",
                format!(
                    "业态「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
    /// A list typed by a person (顿号, commas or spaces between), de-duplicated, at least one.
    pub fn parse_list(s: &str) -> Result<Vec<BusinessType>, DomainError> {
        let mut out = Vec::new();
        for part in s.split([',', '，', '、', ';', '；', ' ']) {
            if part.trim().is_empty() {
                continue;
            }
            let t = BusinessType::parse(part)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return Err(DomainError::new(
                "required",
                "business_types",
                "请至少选择一种业态",
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// An operating team as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
    /// The company's credit code; a team without its own company has none.
    pub credit_code: Option<CreditCode>,
    pub contact_person: String,
    pub phone: String,
    pub business_types: Vec<BusinessType>,
    pub contract_start: Date,
    pub contract_end: Date,
    /// 合同主要条款 (pay, KPI links, exit).
    pub terms: String,
    /// The registry actor (主体名录) that is this team's company, when registered there.
    pub actor: Option<i64>,
    /// The zones served (服务片区), each with its dates.
    pub zones: Vec<ZoneService>,
    pub version: i64,
}

/// Days before its end from which a contract counts as expiring soon (即将到期).
pub const EXPIRING_DAYS: i64 = 90;

/// Where a contract stands on a day, for the list's flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractState {
    /// 未开始
    NotStarted,
    /// 履约中
    Active,
    /// 即将到期 (within [`EXPIRING_DAYS`])
    ExpiringSoon,
    /// 已到期
    Expired,
}

impl ContractState {
    pub fn label(self) -> &'static str {
        match self {
            ContractState::NotStarted => "未开始",
            ContractState::Active => "履约中",
            ContractState::ExpiringSoon => "即将到期",
            ContractState::Expired => "已到期",
        }
    }
}

impl Team {
    /// Under contract on `day`.
    pub fn contracted_on(&self, day: Date) -> bool {
        self.contract_start <= day && day <= self.contract_end
    }
    pub fn contract_state(&self, day: Date) -> ContractState {
        if day < self.contract_start {
            ContractState::NotStarted
        } else if day > self.contract_end {
            ContractState::Expired
        } else if (self.contract_end - day).whole_days() <= EXPIRING_DAYS {
            ContractState::ExpiringSoon
        } else {
            ContractState::Active
        }
    }
    /// Serves `zone` on `day`.
    pub fn serves(&self, zone: i64, day: Date) -> bool {
        self.zones.iter().any(|z| z.zone == zone && z.covers(day))
    }
    /// Has served `zone` at some time (KPIs may be kept for any zone ever served).
    pub fn has_served(&self, zone: i64) -> bool {
        self.zones.iter().any(|z| z.zone == zone)
    }
}

/// A zone a team serves (服务片区), from a day, until a day or open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneService {
    pub zone: i64,
    pub from: Date,
    pub until: Option<Date>,
}

impl ZoneService {
    pub fn covers(&self, day: Date) -> bool {
        self.from <= day && self.until.is_none_or(|u| day <= u)
    }
}

/// A served zone as typed: empty `from` is the contract's start, empty `until` is open.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ZoneServiceDraft {
    pub zone: i64,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
}

fn parse_zones(
    drafts: &[ZoneServiceDraft],
    contract_start: Option<Date>,
    errors: &mut Vec<DomainError>,
) -> Vec<ZoneService> {
    let mut out: Vec<ZoneService> = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        if out.iter().any(|z| z.zone == d.zone) {
            errors.push(DomainError::new(
                "duplicate",
                format!("zones[{i}].zone"),
                format!("片区 {} 重复填写", d.zone),
            ));
            continue;
        }
        let from = match parse_optional_date(&format!("zones[{i}].from"), &d.from) {
            Ok(Some(f)) => Some(f),
            Ok(None) => contract_start,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let until = match parse_optional_date(&format!("zones[{i}].until"), &d.until) {
            Ok(u) => u,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let Some(from) = from else { continue };
        if until.is_some_and(|u| u < from) {
            errors.push(DomainError::new(
                "end_before_start",
                format!("zones[{i}].until"),
                "服务片区的结束日期不能早于开始日期",
            ));
            continue;
        }
        out.push(ZoneService {
            zone: d.zone,
            from,
            until,
        });
    }
    out.sort_by_key(|z| z.zone);
    out
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TeamDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub phone: String,
    /// 顿号 / commas between.
    #[serde(default)]
    pub business_types: String,
    #[serde(default)]
    pub contract_start: String,
    #[serde(default)]
    pub contract_end: String,
    #[serde(default)]
    pub terms: String,
    /// The registry actor id of the team's company, if any.
    #[serde(default)]
    pub actor: Option<i64>,
    #[serde(default)]
    pub zones: Vec<ZoneServiceDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSpec {
    pub name: String,
    pub credit_code: Option<CreditCode>,
    pub contact_person: String,
    pub phone: String,
    pub business_types: Vec<BusinessType>,
    pub contract_start: Date,
    pub contract_end: Date,
    pub terms: String,
    pub actor: Option<i64>,
    pub zones: Vec<ZoneService>,
}

impl TeamDraft {
    pub fn parse(&self) -> Result<TeamSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        fn keep<T>(errors: &mut Vec<DomainError>, r: Result<T, DomainError>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        let name = keep(
            &mut errors,
            bounded_text(
                &self.name,
                "name",
                "团队名称",
                NAME_MAX,
                Some("请填写运营团队名称"),
            ),
        );
        let credit_code = keep(
            &mut errors,
            if self.credit_code.trim().is_empty() {
                Ok(None)
            } else {
                CreditCode::parse(&self.credit_code).map(Some)
            },
        );
        let contact_person = keep(
            &mut errors,
            bounded_text(&self.contact_person, "contact_person", "联系人", 40, None),
        );
        let phone = keep(&mut errors, parse_phone(&self.phone));
        let business_types = keep(&mut errors, BusinessType::parse_list(&self.business_types));
        let start = keep(
            &mut errors,
            required_date("contract_start", &self.contract_start, "合同开始日期"),
        );
        let end = keep(
            &mut errors,
            required_date("contract_end", &self.contract_end, "合同结束日期"),
        );
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            errors.push(DomainError::new(
                "end_before_start",
                "contract_end",
                "合同结束日期不能早于开始日期",
            ));
        }
        let terms = keep(
            &mut errors,
            bounded_text(&self.terms, "terms", "合同条款", TEXT_MAX, None),
        );
        let zones = parse_zones(&self.zones, start, &mut errors);
        match (
            name,
            credit_code,
            contact_person,
            phone,
            business_types,
            start,
            end,
            terms,
        ) {
            (
                Some(name),
                Some(credit_code),
                Some(contact_person),
                Some(phone),
                Some(business_types),
                Some(contract_start),
                Some(contract_end),
                Some(terms),
            ) if errors.is_empty() => Ok(TeamSpec {
                name,
                credit_code,
                contact_person,
                phone,
                business_types,
                contract_start,
                contract_end,
                terms,
                actor: self.actor,
                zones,
            }),
            _ => Err(errors),
        }
    }
}

/// A team's figures for one zone and year (运营绩效).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub team: i64,
    pub zone: i64,
    pub year: DataYear,
    /// 运营收入, fen.
    pub revenue: Fen,
    /// 接待游客, person-visits.
    pub visitors: i64,
    /// 举办活动, events.
    pub events: i64,
    /// 带动就业, jobs.
    pub jobs: i64,
    /// 带动村集体增收, fen.
    pub collective_income: Fen,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KpiDraft {
    #[serde(default)]
    pub revenue: String,
    #[serde(default)]
    pub visitors: String,
    #[serde(default)]
    pub events: String,
    #[serde(default)]
    pub jobs: String,
    #[serde(default)]
    pub collective_income: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiSpec {
    pub revenue: Fen,
    pub visitors: i64,
    pub events: i64,
    pub jobs: i64,
    pub collective_income: Fen,
}

impl KpiDraft {
    pub fn parse(&self) -> Result<KpiSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let revenue = parse_money(&self.revenue, "revenue", "运营收入")
            .map_err(|e| errors.push(e))
            .ok();
        let visitors = parse_count(&self.visitors, "visitors", "接待游客人次", 100_000_000)
            .map_err(|e| errors.push(e))
            .ok();
        let events = parse_count(&self.events, "events", "举办活动场次", 100_000)
            .map_err(|e| errors.push(e))
            .ok();
        let jobs = parse_count(&self.jobs, "jobs", "带动就业人数", 1_000_000)
            .map_err(|e| errors.push(e))
            .ok();
        let collective_income = parse_money(
            &self.collective_income,
            "collective_income",
            "带动村集体增收",
        )
        .map_err(|e| errors.push(e))
        .ok();
        match (revenue, visitors, events, jobs, collective_income) {
            (Some(revenue), Some(visitors), Some(events), Some(jobs), Some(collective_income))
                if errors.is_empty() =>
            {
                Ok(KpiSpec {
                    revenue,
                    visitors,
                    events,
                    jobs,
                    collective_income,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 运营方案: a zone's operation plan and its IP (一片一IP).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationPlan {
    /// 主题定位
    pub theme: String,
    /// 市场分析
    pub market_analysis: String,
    /// 产品设计
    pub product_design: String,
    /// 宣传推广
    pub promotion: String,
    /// 片区 IP 名称
    pub ip_name: String,
}

impl OperationPlan {
    pub fn parse(&self) -> Result<OperationPlan, Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut text = |s: &str, field: &str, what: &str, max: usize| {
            bounded_text(s, field, what, max, None)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let plan = OperationPlan {
            theme: text(&self.theme, "theme", "主题定位", TEXT_MAX),
            market_analysis: text(
                &self.market_analysis,
                "market_analysis",
                "市场分析",
                TEXT_MAX,
            ),
            product_design: text(&self.product_design, "product_design", "产品设计", TEXT_MAX),
            promotion: text(&self.promotion, "promotion", "宣传推广", TEXT_MAX),
            ip_name: text(&self.ip_name, "ip_name", "片区IP名称", 40),
        };
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(errors)
        }
    }
}

/// Sums of a team's figures over some (zone, year) records, for table totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KpiTotals {
    pub revenue: Fen,
    pub visitors: i64,
    pub events: i64,
    pub jobs: i64,
    pub collective_income: Fen,
}

impl KpiTotals {
    pub fn of<'a>(kpis: impl IntoIterator<Item = &'a Kpi>) -> KpiTotals {
        kpis.into_iter()
            .fold(KpiTotals::default(), |t, k| KpiTotals {
                revenue: t.revenue + k.revenue,
                visitors: t.visitors + k.visitors,
                events: t.events + k.events,
                jobs: t.jobs + k.jobs,
                collective_income: t.collective_income + k.collective_income,
            })
    }
}

/// Largest zone logo accepted: 1 MiB.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;

/// Checks a zone IP logo (片区 IP 标识): a PNG or JPG by its first bytes, at most 1 MB.
pub fn check_logo(
    name: &str,
    bytes: &[u8],
) -> Result<crate::work::evidence::CheckedFile, DomainError> {
    let relabel = |mut e: DomainError| {
        e.field = "logo".into();
        e
    };
    let checked = crate::work::evidence::check_file(name, bytes).map_err(relabel)?;
    if !checked.kind.is_image() {
        return Err(DomainError::new(
            "unsupported_type",
            "logo",
            format!("标识「{}」不是图片：只接受 PNG 或 JPG", checked.name),
        ));
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(DomainError::new(
            "too_large",
            "logo",
            format!(
                "标识「{}」有 {:.1} MB，超过 1 MB 上限，请压缩后再传",
                checked.name,
                bytes.len() as f64 / 1_048_576.0
            ),
        ));
    }
    Ok(checked)
}

/// A score 0–100 typed with at most one decimal, in tenths.
pub fn parse_score(s: &str) -> Result<i64, DomainError> {
    let t = s.trim();
    let bad = || {
        DomainError::new(
            "invalid_score",
            "score",
            format!("考评得分「{t}」无效：应为 0 到 100 的数，最多一位小数"),
        )
    };
    if t.is_empty() {
        return Err(DomainError::new("required", "score", "请填写考评得分"));
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 1
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 3
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    let tenths = w * 10 + f;
    if tenths > 1000 {
        return Err(bad());
    }
    Ok(tenths)
}

/// A score in tenths as shown: 「87.5」, 「90」.
pub fn score_string(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// 年度考评: one evaluation of a team for a year, kept for ever (the history is appended to;
/// the latest of a year is the one that counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub id: i64,
    pub team: i64,
    pub year: DataYear,
    /// 0–1000 tenths of a point.
    pub score_tenths: i64,
    pub grade: Grade,
    pub comment: String,
    /// 考评人 / 考评单位.
    pub reviewer: String,
    /// When it was recorded, `YYYY-MM-DD HH:MM:SS`.
    pub recorded_at: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvaluationDraft {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub score: String,
    /// Empty: taken from the score.
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub reviewer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationSpec {
    pub year: DataYear,
    pub score_tenths: i64,
    pub grade: Grade,
    pub comment: String,
    pub reviewer: String,
}

impl EvaluationDraft {
    pub fn parse(&self) -> Result<EvaluationSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let year = if self.year.trim().is_empty() {
            Err(DomainError::new("required", "year", "请填写考评年度"))
        } else {
            DataYear::parse(&self.year).map_err(|mut e| {
                e.field = "year".into();
                e
            })
        }
        .map_err(|e| errors.push(e))
        .ok();
        let score = parse_score(&self.score).map_err(|e| errors.push(e)).ok();
        let grade = if self.grade.trim().is_empty() {
            score.map(Grade::of_score)
        } else {
            Grade::parse(&self.grade).map_err(|e| errors.push(e)).ok()
        };
        let comment = bounded_text(&self.comment, "comment", "考评意见", TEXT_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let reviewer = parse_reviewer(&self.reviewer)
            .map_err(|e| errors.push(e))
            .ok();
        match (year, score, grade, comment, reviewer) {
            (Some(year), Some(score_tenths), Some(grade), Some(comment), Some(reviewer))
                if errors.is_empty() =>
            {
                Ok(EvaluationSpec {
                    year,
                    score_tenths,
                    grade,
                    comment,
                    reviewer,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_team_needs_types_and_a_contract_in_order() {
        let t = TeamDraft {
            name: "绍兴某文旅运营有限公司".into(),
            credit_code: "91330100716105852F".into(),
            business_types: "文旅融合、电商、文旅融合".into(),
            contract_start: "2024-01-01".into(),
            contract_end: "2026-12-31".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(
            t.business_types,
            [BusinessType::CultureTourism, BusinessType::ECommerce]
        );
        let team = Team {
            id: 1,
            name: t.name,
            credit_code: t.credit_code,
            contact_person: String::new(),
            phone: String::new(),
            business_types: t.business_types,
            contract_start: t.contract_start,
            contract_end: t.contract_end,
            terms: String::new(),
            actor: None,
            zones: t.zones,
            version: 1,
        };
        assert!(team.contracted_on(date!(2025 - 06 - 30)));
        assert!(!team.contracted_on(date!(2027 - 01 - 01)));
        assert_eq!(
            team.contract_state(date!(2026 - 11 - 01)),
            ContractState::ExpiringSoon
        );
        assert_eq!(
            team.contract_state(date!(2025 - 11 - 01)),
            ContractState::Active
        );
        assert_eq!(
            team.contract_state(date!(2027 - 01 - 01)),
            ContractState::Expired
        );
        let e = TeamDraft {
            name: "x".into(),
            business_types: "养殖".into(),
            contract_start: "2025-01-01".into(),
            contract_end: "2024-01-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["business_types", "contract_end"]);
    }

    #[test]
    fn kpis_are_whole_numbers_and_yuan() {
        let k = KpiDraft {
            revenue: "5,200,000".into(),
            visitors: "86000".into(),
            events: "24".into(),
            jobs: "38".into(),
            collective_income: "620000.50".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(k.revenue, Fen(520_000_000));
        assert_eq!(k.collective_income, Fen(62_000_050));
        let e = KpiDraft {
            visitors: "很多".into(),
            revenue: "-1".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn served_zones_default_to_the_contract_start() {
        let t = TeamDraft {
            name: "某运营队".into(),
            business_types: "电商".into(),
            contract_start: "2024-03-01".into(),
            contract_end: "2026-12-31".into(),
            zones: vec![
                ZoneServiceDraft {
                    zone: 3,
                    ..Default::default()
                },
                ZoneServiceDraft {
                    zone: 5,
                    from: "2025-01-01".into(),
                    until: "2024-01-01".into(),
                },
                ZoneServiceDraft {
                    zone: 3,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let e = t.parse().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["zones[1].until", "zones[2].zone"]);
        let ok = TeamDraft {
            zones: vec![t.zones[0].clone()],
            ..t
        }
        .parse()
        .unwrap();
        assert_eq!(ok.zones[0].from, date!(2024 - 03 - 01));
        assert!(ok.zones[0].covers(date!(2030 - 01 - 01)));
    }

    #[test]
    fn scores_have_one_decimal_and_grades_follow() {
        assert_eq!(parse_score("87.5").unwrap(), 875);
        assert_eq!(parse_score("100").unwrap(), 1000);
        assert_eq!(parse_score("0").unwrap(), 0);
        for bad in ["100.1", "87.55", "-1", "abc", ".5", ""] {
            assert!(parse_score(bad).is_err(), "{bad}");
        }
        assert_eq!(score_string(875), "87.5");
        assert_eq!(score_string(900), "90");
        let e = EvaluationDraft {
            year: "2025".into(),
            score: "91".into(),
            reviewer: "区农业农村局".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(e.grade, Grade::Excellent);
        let e = EvaluationDraft {
            year: "1999".into(),
            score: "101".into(),
            grade: "很好".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["year", "score", "grade", "reviewer"]);
    }

    #[test]
    fn a_logo_is_a_small_image() {
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        assert!(check_logo("ip.png", &png).is_ok());
        let e = check_logo("a.pdf", b"%PDF-1.4").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("logo", "unsupported_type"));
        let mut big = png.clone();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert_eq!(check_logo("ip.png", &big).unwrap_err().code, "too_large");
    }
}
