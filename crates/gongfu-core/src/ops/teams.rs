//! Operating teams (运营团队): the company or team that runs zones under contract, its business
//! types, the zones it serves, and its yearly KPIs per zone (operating revenue, visitors,
//! events, jobs created, collective income attributable to the team).

use super::{parse_count, parse_money};
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
    pub version: i64,
}

impl Team {
    /// Under contract on `day`.
    pub fn contracted_on(&self, day: Date) -> bool {
        self.contract_start <= day && day <= self.contract_end
    }
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
        let required_date = |field: &str, s: &str, what: &str| match parse_optional_date(field, s) {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Err(DomainError::new("required", field, format!("请填写{what}"))),
            Err(e) => Err(e),
        };
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
            version: 1,
        };
        assert!(team.contracted_on(date!(2025 - 06 - 30)));
        assert!(!team.contracted_on(date!(2027 - 01 - 01)));
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
}
