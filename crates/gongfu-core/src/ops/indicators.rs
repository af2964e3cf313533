//! The named indicator figures (指标数据源) of a zone and a year, computed from the records of
//! operations, elements and talent, each with the records it was computed from — what the
//! scoring engine reads. The rule of every figure is in [`Indicator::rule`], shown beside it.

use super::elements::{Element, ElementType};
use super::talent::{Entrepreneur, Support, Training};
use super::teams::Kpi;
use crate::Fen;
use serde::Serialize;

/// The figures, by stable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    Workshops,
    Elements,
    ElementJobs,
    LowIncomeJobs,
    MonthlyGain,
    ElementCollectiveIncome,
    TeamRevenue,
    TeamVisitors,
    TeamEvents,
    TeamJobs,
    TeamCollectiveIncome,
    Trainings,
    TrainingAttendances,
    TrainingHours,
    Entrepreneurs,
    SupportGranted,
    CreditSupport,
    Chains,
    ChainOutputShare,
    CollectiveDividends,
    DividendsPaid,
    PaidInCapital,
    DividendYield,
}

/// What a figure counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Persons,
    PersonTimes,
    /// Money, in fen.
    Fen,
    /// Hours, in tenths.
    HourTenths,
    /// A ratio in hundredths of a percent (万分之一).
    BasisPoints,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Count => "个",
            Unit::Persons => "人",
            Unit::PersonTimes => "人次",
            Unit::Fen => "元",
            Unit::HourTenths => "学时",
            Unit::BasisPoints => "%",
        }
    }
}

impl Indicator {
    pub const ALL: [Indicator; 23] = [
        Indicator::Workshops,
        Indicator::Elements,
        Indicator::ElementJobs,
        Indicator::LowIncomeJobs,
        Indicator::MonthlyGain,
        Indicator::ElementCollectiveIncome,
        Indicator::TeamRevenue,
        Indicator::TeamVisitors,
        Indicator::TeamEvents,
        Indicator::TeamJobs,
        Indicator::TeamCollectiveIncome,
        Indicator::Trainings,
        Indicator::TrainingAttendances,
        Indicator::TrainingHours,
        Indicator::Entrepreneurs,
        Indicator::SupportGranted,
        Indicator::CreditSupport,
        Indicator::Chains,
        Indicator::ChainOutputShare,
        Indicator::CollectiveDividends,
        Indicator::DividendsPaid,
        Indicator::PaidInCapital,
        Indicator::DividendYield,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Indicator::Workshops => "workshops",
            Indicator::Elements => "elements",
            Indicator::ElementJobs => "element_jobs",
            Indicator::LowIncomeJobs => "low_income_jobs",
            Indicator::MonthlyGain => "monthly_gain",
            Indicator::ElementCollectiveIncome => "element_collective_income",
            Indicator::TeamRevenue => "team_revenue",
            Indicator::TeamVisitors => "team_visitors",
            Indicator::TeamEvents => "team_events",
            Indicator::TeamJobs => "team_jobs",
            Indicator::TeamCollectiveIncome => "team_collective_income",
            Indicator::Trainings => "trainings",
            Indicator::TrainingAttendances => "training_attendances",
            Indicator::TrainingHours => "training_hours",
            Indicator::Entrepreneurs => "entrepreneurs",
            Indicator::SupportGranted => "support_granted",
            Indicator::CreditSupport => "credit_support",
            Indicator::Chains => "chains",
            Indicator::ChainOutputShare => "chain_output_share",
            Indicator::CollectiveDividends => "collective_dividends",
            Indicator::DividendsPaid => "dividends_paid",
            Indicator::PaidInCapital => "paid_in_capital",
            Indicator::DividendYield => "dividend_yield",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Workshops => "共富工坊数量",
            Indicator::Elements => "共富元素数量",
            Indicator::ElementJobs => "吸纳就业人数",
            Indicator::LowIncomeJobs => "其中低收入农户就业人数",
            Indicator::MonthlyGain => "就业人员人均月增收",
            Indicator::ElementCollectiveIncome => "共富元素带动村集体收入",
            Indicator::TeamRevenue => "运营收入",
            Indicator::TeamVisitors => "接待游客人次",
            Indicator::TeamEvents => "举办活动场次",
            Indicator::TeamJobs => "运营带动就业人数",
            Indicator::TeamCollectiveIncome => "运营带动村集体增收",
            Indicator::Trainings => "培训场次",
            Indicator::TrainingAttendances => "培训人次",
            Indicator::TrainingHours => "培训学时",
            Indicator::Entrepreneurs => "创业人才人数",
            Indicator::SupportGranted => "创业扶持资金（补贴、减免、奖补）",
            Indicator::CreditSupport => "创业贷款与担保金额",
            Indicator::Chains => "参与产业链条数",
            Indicator::ChainOutputShare => "产业链产值（按村分摊）",
            Indicator::CollectiveDividends => "村集体股份分红",
            Indicator::DividendsPaid => "片区主体分红总额",
            Indicator::PaidInCapital => "片区主体实收资本",
            Indicator::DividendYield => "股本分红率",
        }
    }
    pub fn unit(self) -> Unit {
        match self {
            Indicator::Workshops
            | Indicator::Elements
            | Indicator::Trainings
            | Indicator::TeamEvents
            | Indicator::Chains => Unit::Count,
            Indicator::ElementJobs
            | Indicator::LowIncomeJobs
            | Indicator::TeamJobs
            | Indicator::Entrepreneurs => Unit::Persons,
            Indicator::TeamVisitors | Indicator::TrainingAttendances => Unit::PersonTimes,
            Indicator::TrainingHours => Unit::HourTenths,
            Indicator::MonthlyGain
            | Indicator::ElementCollectiveIncome
            | Indicator::TeamRevenue
            | Indicator::TeamCollectiveIncome
            | Indicator::SupportGranted
            | Indicator::CreditSupport
            | Indicator::ChainOutputShare
            | Indicator::CollectiveDividends
            | Indicator::DividendsPaid
            | Indicator::PaidInCapital => Unit::Fen,
            Indicator::DividendYield => Unit::BasisPoints,
        }
    }
    /// How the figure is computed, in Chinese, to show beside it.
    pub fn rule(self) -> &'static str {
        match self {
            Indicator::Workshops => "当年开办过的共富工坊个数（年内开业或此前开业、年内未停办）",
            Indicator::Elements => "当年开办过的各类共富元素个数",
            Indicator::ElementJobs => "当年开办过的共富元素登记的吸纳就业人数之和",
            Indicator::LowIncomeJobs => "上述就业人数中来自低收入农户的人数之和",
            Indicator::MonthlyGain => "各共富元素人均月增收按就业人数加权平均，四舍五入到分",
            Indicator::ElementCollectiveIncome => "当年开办过的共富元素登记的带动村集体年收入之和",
            Indicator::TeamRevenue => "运营团队当年在本片区填报的运营收入之和",
            Indicator::TeamVisitors => "运营团队当年在本片区填报的接待游客人次之和",
            Indicator::TeamEvents => "运营团队当年在本片区填报的活动场次之和",
            Indicator::TeamJobs => "运营团队当年在本片区填报的带动就业人数之和",
            Indicator::TeamCollectiveIncome => "运营团队当年在本片区填报的带动村集体增收之和",
            Indicator::Trainings => "当年为本片区举办的培训场次（全区性培训不计入片区）",
            Indicator::TrainingAttendances => "上述培训的参训人数之和",
            Indicator::TrainingHours => "上述培训的学时之和",
            Indicator::Entrepreneurs => "截至当年年底在本片区登记的创业人才人数",
            Indicator::SupportGranted => "当年批准的租金减免、生活补贴、以奖代补金额之和",
            Indicator::CreditSupport => "当年批准的贷款、担保金额之和（信贷支持，不是补助）",
            Indicator::Chains => "至少有一个环节村当年属于本片区的产业链条数",
            Indicator::ChainOutputShare => {
                "各产业链当年产值按其环节村（去重）所在片区的村数比例分摊到片区，取整到分（最大余数法，余数相同时片区编号小者优先、不属于片区的最后），各片区与片区外合计恰为该链产值"
            }
            Indicator::CollectiveDividends => {
                "当年度已批准的收益分配（被更正的以更正后的为准）分给本片区各村村集体（经合社）股东的金额之和，计入村集体经营性收入"
            }
            Indicator::DividendsPaid => {
                "登记在本片区的股权主体（强村公司、合作社等）当年度已批准的收益分配付给全体股东的金额之和（被更正的以更正后的为准）"
            }
            Indicator::PaidInCapital => {
                "上述主体截至当年12月31日的实收资本：认购缴款与资源入股作价之和，减去退股退还金额"
            }
            Indicator::DividendYield => {
                "片区主体分红总额 ÷ 片区主体实收资本，向下取整到0.01%；没有实收资本时为0"
            }
        }
    }
}

/// A record a figure was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// `element`, `kpi`, `training`, `entrepreneur`, `support`, `chain`.
    pub kind: &'static str,
    pub id: i64,
}

/// One figure of a zone and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub indicator: Indicator,
    /// In the indicator's unit (fen for money, tenths for hours).
    pub value: i64,
    pub sources: Vec<SourceRef>,
}

/// The records the figures read. Elements carry the zone their village belonged to in the
/// year asked (the caller resolves membership); KPIs and trainings name their zone; support
/// belongs to the zone of its entrepreneur; a chain carries the zone of each of its link
/// villages in the year asked.
pub struct Records<'a> {
    pub elements: &'a [(i64, Element)],
    pub kpis: &'a [(i64, Kpi)],
    pub trainings: &'a [Training],
    pub entrepreneurs: &'a [Entrepreneur],
    pub supports: &'a [Support],
    pub chains: &'a [ChainPlaces],
    pub dividends: &'a [VillageDividend],
    pub entities: &'a [EntityYear],
}

/// An entity of a zone in a year, for the yield on capital: what it paid in the year's approved
/// distribution (the correction, where there is one) and its paid-in capital at year end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityYear {
    pub entity: i64,
    /// The zone the entity is registered to (`None`: district-wide, not counted).
    pub zone: Option<i64>,
    /// The approved distribution counted, if any.
    pub distribution: Option<i64>,
    pub paid: Fen,
    pub paid_in: Fen,
}

/// What one approved distribution of a year paid a village collective (村集体分配额), with the
/// zone that village belonged to in that year (`None`: no zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageDividend {
    /// The distribution.
    pub distribution: i64,
    pub zone: Option<i64>,
    pub amount: Fen,
}

/// An industry chain as the figures read it: its yearly output and, for each of its distinct
/// link villages, the zone that village belonged to in the year asked (`None`: no zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPlaces {
    pub id: i64,
    /// (year, output value).
    pub output: Vec<(i32, Fen)>,
    pub village_zones: Vec<Option<i64>>,
}

/// The shared largest-remainder split (最大余数法), kept here under its old path for callers.
pub use crate::money::largest_remainder;

/// A chain's output split among zones by the number of its link villages in each (zones in
/// ascending id, then "no zone"); a chain without villages leaves it all outside any zone.
pub fn chain_shares(output: Fen, village_zones: &[Option<i64>]) -> Vec<(Option<i64>, Fen)> {
    let mut keys: Vec<Option<i64>> = village_zones.to_vec();
    // Zones by id first, then None (no zone) last: the tie-break order.
    keys.sort_by_key(|k| (k.is_none(), *k));
    keys.dedup();
    if keys.is_empty() {
        return vec![(None, output)];
    }
    let weights: Vec<i64> = keys
        .iter()
        .map(|k| village_zones.iter().filter(|z| *z == k).count() as i64)
        .collect();
    keys.into_iter()
        .zip(largest_remainder(output.0, &weights))
        .map(|(k, v)| (k, Fen(v)))
        .collect()
}

/// Every indicator figure of `zone` in `year`, in [`Indicator::ALL`] order.
pub fn figures(zone: i64, year: i32, r: &Records) -> Vec<Figure> {
    let elements: Vec<&Element> = r
        .elements
        .iter()
        .filter(|(z, e)| *z == zone && e.active_in(year))
        .map(|(_, e)| e)
        .collect();
    let kpis: Vec<(i64, &Kpi)> = r
        .kpis
        .iter()
        .filter(|(_, k)| k.zone == zone && k.year.get() == year)
        .map(|(id, k)| (*id, k))
        .collect();
    let trainings: Vec<&Training> = r
        .trainings
        .iter()
        .filter(|t| t.zone == Some(zone) && t.held_on.year() == year)
        .collect();
    let entities: Vec<&EntityYear> = r.entities.iter().filter(|e| e.zone == Some(zone)).collect();
    let paid: i64 = entities.iter().map(|e| e.paid.0).sum();
    let paid_in: i64 = entities.iter().map(|e| e.paid_in.0).sum();
    let paying: Vec<SourceRef> = entities
        .iter()
        .filter_map(|e| e.distribution)
        .map(|id| SourceRef {
            kind: "distribution",
            id,
        })
        .collect();
    let people: Vec<&Entrepreneur> = r
        .entrepreneurs
        .iter()
        .filter(|p| p.zone == zone && p.since.year() <= year)
        .collect();
    let supports: Vec<&Support> = r
        .supports
        .iter()
        .filter(|s| {
            r.entrepreneurs
                .iter()
                .any(|p| p.id == s.entrepreneur && p.zone == zone)
        })
        .filter(|s| s.approved_on.is_some_and(|d| d.year() == year))
        .collect();
    let chains: Vec<&ChainPlaces> = r
        .chains
        .iter()
        .filter(|c| c.village_zones.contains(&Some(zone)))
        .collect();
    let chain_share: i64 = chains
        .iter()
        .filter_map(|c| {
            let out = c.output.iter().find(|(y, _)| *y == year)?.1;
            chain_shares(out, &c.village_zones)
                .into_iter()
                .find(|(z, _)| *z == Some(zone))
                .map(|(_, v)| v.0)
        })
        .sum();
    let with_output: Vec<SourceRef> = chains
        .iter()
        .filter(|c| c.output.iter().any(|(y, _)| *y == year))
        .map(|c| SourceRef {
            kind: "chain",
            id: c.id,
        })
        .collect();
    let el = |e: &&Element| SourceRef {
        kind: "element",
        id: e.id,
    };
    let kp = |(id, _): &(i64, &Kpi)| SourceRef {
        kind: "kpi",
        id: *id,
    };
    let tr = |t: &&Training| SourceRef {
        kind: "training",
        id: t.id,
    };
    let sum_el = |f: &dyn Fn(&Element) -> i64| elements.iter().map(|e| f(e)).sum::<i64>();
    let sum_kpi = |f: &dyn Fn(&Kpi) -> i64| kpis.iter().map(|(_, k)| f(k)).sum::<i64>();
    let workshops: Vec<&&Element> = elements
        .iter()
        .filter(|e| e.kind == ElementType::Workshop)
        .collect();
    // Weighted by jobs, half up in integers: (2·Σ g·j + Σ j) / (2·Σ j).
    let jobs: i64 = sum_el(&|e| e.jobs);
    let gain_weighted: i128 = elements
        .iter()
        .map(|e| i128::from(e.monthly_gain.0) * i128::from(e.jobs))
        .sum();
    let monthly_gain = if jobs == 0 {
        0
    } else {
        ((2 * gain_weighted + i128::from(jobs)) / (2 * i128::from(jobs))) as i64
    };
    let grants: Vec<&&Support> = supports.iter().filter(|s| s.kind.is_grant()).collect();
    let credit: Vec<&&Support> = supports.iter().filter(|s| !s.kind.is_grant()).collect();
    let all_el: Vec<SourceRef> = elements.iter().map(el).collect();
    let all_kpi: Vec<SourceRef> = kpis.iter().map(kp).collect();
    let all_tr: Vec<SourceRef> = trainings.iter().map(tr).collect();
    let fig = |indicator, value, sources| Figure {
        indicator,
        value,
        sources,
    };
    vec![
        fig(
            Indicator::Workshops,
            workshops.len() as i64,
            workshops.iter().map(|e| el(e)).collect(),
        ),
        fig(Indicator::Elements, elements.len() as i64, all_el.clone()),
        fig(Indicator::ElementJobs, jobs, all_el.clone()),
        fig(
            Indicator::LowIncomeJobs,
            sum_el(&|e| e.low_income_jobs),
            all_el.clone(),
        ),
        fig(Indicator::MonthlyGain, monthly_gain, all_el.clone()),
        fig(
            Indicator::ElementCollectiveIncome,
            sum_el(&|e| e.collective_income.0),
            all_el,
        ),
        fig(
            Indicator::TeamRevenue,
            sum_kpi(&|k| k.revenue.0),
            all_kpi.clone(),
        ),
        fig(
            Indicator::TeamVisitors,
            sum_kpi(&|k| k.visitors),
            all_kpi.clone(),
        ),
        fig(
            Indicator::TeamEvents,
            sum_kpi(&|k| k.events),
            all_kpi.clone(),
        ),
        fig(Indicator::TeamJobs, sum_kpi(&|k| k.jobs), all_kpi.clone()),
        fig(
            Indicator::TeamCollectiveIncome,
            sum_kpi(&|k| k.collective_income.0),
            all_kpi,
        ),
        fig(Indicator::Trainings, trainings.len() as i64, all_tr.clone()),
        fig(
            Indicator::TrainingAttendances,
            trainings.iter().map(|t| t.attendees).sum(),
            all_tr.clone(),
        ),
        fig(
            Indicator::TrainingHours,
            trainings.iter().map(|t| t.hours_tenths).sum(),
            all_tr,
        ),
        fig(
            Indicator::Entrepreneurs,
            people.len() as i64,
            people
                .iter()
                .map(|p| SourceRef {
                    kind: "entrepreneur",
                    id: p.id,
                })
                .collect(),
        ),
        fig(
            Indicator::SupportGranted,
            grants.iter().map(|s| s.amount.0).sum(),
            grants
                .iter()
                .map(|s| SourceRef {
                    kind: "support",
                    id: s.id,
                })
                .collect(),
        ),
        fig(
            Indicator::CreditSupport,
            credit.iter().map(|s| s.amount.0).sum(),
            credit
                .iter()
                .map(|s| SourceRef {
                    kind: "support",
                    id: s.id,
                })
                .collect(),
        ),
        fig(
            Indicator::Chains,
            chains.len() as i64,
            chains
                .iter()
                .map(|c| SourceRef {
                    kind: "chain",
                    id: c.id,
                })
                .collect(),
        ),
        fig(Indicator::ChainOutputShare, chain_share, with_output),
        {
            let mine: Vec<&VillageDividend> = r
                .dividends
                .iter()
                .filter(|d| d.zone == Some(zone))
                .collect();
            let mut sources: Vec<SourceRef> = mine
                .iter()
                .map(|d| SourceRef {
                    kind: "distribution",
                    id: d.distribution,
                })
                .collect();
            sources.dedup();
            fig(
                Indicator::CollectiveDividends,
                mine.iter().map(|d| d.amount.0).sum(),
                sources,
            )
        },
        fig(Indicator::DividendsPaid, paid, paying),
        fig(
            Indicator::PaidInCapital,
            paid_in,
            entities
                .iter()
                .map(|e| SourceRef {
                    kind: "entity",
                    id: e.entity,
                })
                .collect(),
        ),
        fig(
            Indicator::DividendYield,
            dividend_yield_bp(paid, paid_in),
            Vec::new(),
        ),
    ]
}

/// 股本分红率 in basis points, floored (so a yield shown is never more than was paid).
pub fn dividend_yield_bp(paid: i64, paid_in: i64) -> i64 {
    if paid_in <= 0 || paid <= 0 {
        return 0;
    }
    (i128::from(paid) * 10_000 / i128::from(paid_in)) as i64
}

/// A figure's value as officials read it: money in yuan to the fen, hours to one decimal.
pub fn display(indicator: Indicator, value: i64) -> String {
    match indicator.unit() {
        Unit::Fen => format!("{} 元", Fen(value).yuan_string()),
        Unit::HourTenths => format!("{}.{} 学时", value / 10, value % 10),
        Unit::BasisPoints => format!("{}.{:02}%", value / 100, value % 100),
        u => format!("{} {}", crate::money::count_string(value), u.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::talent::{EntrepreneurKind, SupportKind};
    use crate::{DataYear, VillageCode};
    use time::macros::date;

    fn element(
        id: i64,
        kind: ElementType,
        opened: time::Date,
        jobs: i64,
        low: i64,
        gain: i64,
        income: i64,
    ) -> Element {
        Element {
            id,
            kind,
            name: format!("元素{id}"),
            village: VillageCode::parse("330603110201").unwrap(),
            lon: None,
            lat: None,
            opened_on: opened,
            closed_on: None,
            jobs,
            low_income_jobs: low,
            monthly_gain: Fen(gain),
            collective_income: Fen(income),
            operator: String::new(),
            note: String::new(),
            version: 1,
        }
    }

    fn value(fs: &[Figure], i: Indicator) -> i64 {
        fs.iter().find(|f| f.indicator == i).unwrap().value
    }

    /// A hand-made zone: two workshops and a market in zone 1, one workshop in zone 2, one
    /// closed before the year; a team's KPI; trainings in and out of the zone; two people with
    /// support approved in and out of the year.
    #[test]
    fn figures_of_a_hand_made_zone() {
        let mut closed = element(
            5,
            ElementType::Workshop,
            date!(2023 - 01 - 01),
            99,
            9,
            100_000,
            0,
        );
        closed.closed_on = Some(date!(2024 - 12 - 31));
        let elements = vec![
            (
                1,
                element(
                    1,
                    ElementType::Workshop,
                    date!(2024 - 03 - 01),
                    40,
                    10,
                    200_000,
                    10_000_000,
                ),
            ),
            (
                1,
                element(
                    2,
                    ElementType::Workshop,
                    date!(2025 - 05 - 01),
                    20,
                    5,
                    350_000,
                    5_000_000,
                ),
            ),
            (
                1,
                element(
                    3,
                    ElementType::Market,
                    date!(2025 - 01 - 01),
                    0,
                    0,
                    0,
                    1_234_500,
                ),
            ),
            (
                2,
                element(
                    4,
                    ElementType::Workshop,
                    date!(2025 - 01 - 01),
                    70,
                    7,
                    100_000,
                    0,
                ),
            ),
            (1, closed),
            (
                1,
                element(6, ElementType::Base, date!(2026 - 01 - 01), 30, 0, 0, 0),
            ),
        ];
        let kpis = vec![(
            11,
            Kpi {
                team: 1,
                zone: 1,
                year: DataYear::new(2025).unwrap(),
                revenue: Fen(520_000_000),
                visitors: 86_000,
                events: 24,
                jobs: 38,
                collective_income: Fen(62_000_050),
                version: 1,
            },
        )];
        let training = |id, zone, day, n, h| Training {
            id,
            zone,
            topic: "培训".into(),
            held_on: day,
            attendees: n,
            hours_tenths: h,
            audience: String::new(),
            version: 1,
        };
        let trainings = vec![
            training(21, Some(1), date!(2025 - 04 - 01), 42, 60),
            training(22, Some(1), date!(2025 - 09 - 01), 30, 35),
            training(23, None, date!(2025 - 05 - 01), 200, 80),
            training(24, Some(1), date!(2024 - 05 - 01), 10, 10),
        ];
        let person = |id, since| Entrepreneur {
            id,
            zone: 1,
            name: format!("人{id}"),
            kind: EntrepreneurKind::AgriMaker,
            project: String::new(),
            incubator: String::new(),
            since,
            version: 1,
        };
        let people = vec![
            person(31, date!(2024 - 06 - 01)),
            person(32, date!(2025 - 02 - 01)),
            person(33, date!(2026 - 01 - 05)),
        ];
        let support = |id, who, kind, amount, approved: Option<time::Date>| Support {
            id,
            entrepreneur: who,
            kind,
            amount: Fen(amount),
            from: date!(2025 - 01 - 01),
            to: date!(2025 - 12 - 31),
            approved_by: approved.map(|_| "区农业农村局".into()),
            approved_on: approved,
            version: 1,
        };
        let supports = vec![
            support(
                41,
                31,
                SupportKind::RentRelief,
                3_600_000,
                Some(date!(2025 - 01 - 10)),
            ),
            support(
                42,
                32,
                SupportKind::Loan,
                50_000_000,
                Some(date!(2025 - 03 - 01)),
            ),
            support(43, 32, SupportKind::LivingSubsidy, 1_200_000, None),
            support(
                44,
                31,
                SupportKind::Award,
                500_000,
                Some(date!(2024 - 12 - 20)),
            ),
        ];
        // Chain 51: villages in zones 1, 1, 2 and none; 1,000.01 元 in 2025 → 100,001 fen
        // by 2:1:1 = 50,000.5 / 25,000.25 / 25,000.25: floors 50,000 + 25,000 + 25,000 and
        // the one fen left goes to the largest remainder (zone 1, 0.5). Chain 52 is not in
        // zone 1; chain 53 is, with no output in 2025.
        let chains = vec![
            ChainPlaces {
                id: 51,
                output: vec![(2024, Fen(7)), (2025, Fen(100_001))],
                village_zones: vec![Some(1), Some(2), None, Some(1)],
            },
            ChainPlaces {
                id: 52,
                output: vec![(2025, Fen(999))],
                village_zones: vec![Some(2)],
            },
            ChainPlaces {
                id: 53,
                output: vec![(2024, Fen(500))],
                village_zones: vec![Some(1)],
            },
        ];
        // Distribution 61 paid two villages of zone 1 and one of zone 2; 62 paid zone 1 too.
        let dividend = |distribution, zone, amount| VillageDividend {
            distribution,
            zone,
            amount: Fen(amount),
        };
        let dividends = vec![
            dividend(61, Some(1), 8_640_000),
            dividend(61, Some(1), 12_345),
            dividend(61, Some(2), 99_999),
            dividend(62, Some(1), 1),
            dividend(62, None, 5_000),
        ];
        let entity = |entity, zone, distribution, paid, paid_in| EntityYear {
            entity,
            zone,
            distribution,
            paid: Fen(paid),
            paid_in: Fen(paid_in),
        };
        let entities = vec![
            entity(71, Some(1), Some(81), 6_000_000, 60_000_000),
            entity(72, Some(1), Some(82), 700_000, 40_000_001),
            entity(73, Some(2), Some(83), 1, 1),
        ];
        let r = Records {
            elements: &elements,
            kpis: &kpis,
            trainings: &trainings,
            entrepreneurs: &people,
            supports: &supports,
            chains: &chains,
            dividends: &dividends,
            entities: &entities,
        };
        let f = figures(1, 2025, &r);
        // Entities 71 and 72 of zone 1 paid 60,000 + 7,000 元 on 1,000,000 + 0.01 元 paid in:
        // 67,000 ÷ 1,000,000.01 = 6.69999…% → floored to 6.69 %; entity 73 is in zone 2.
        assert_eq!(value(&f, Indicator::DividendsPaid), 6_700_000);
        assert_eq!(value(&f, Indicator::PaidInCapital), 100_000_001);
        assert_eq!(value(&f, Indicator::DividendYield), 669);
        assert_eq!(display(Indicator::DividendYield, 669), "6.69%");
        let payers = &f
            .iter()
            .find(|x| x.indicator == Indicator::DividendsPaid)
            .unwrap()
            .sources;
        assert_eq!(payers.iter().map(|s| s.id).collect::<Vec<_>>(), [81, 82]);
        assert_eq!(value(&f, Indicator::CollectiveDividends), 8_652_346);
        let sources = &f
            .iter()
            .find(|x| x.indicator == Indicator::CollectiveDividends)
            .unwrap()
            .sources;
        assert_eq!(sources.iter().map(|s| s.id).collect::<Vec<_>>(), [61, 62]);
        assert_eq!(
            value(&f, Indicator::Workshops),
            2,
            "1 and 2; 5 closed in 2024; 4 is zone 2"
        );
        assert_eq!(
            value(&f, Indicator::Elements),
            3,
            "1, 2 and the market; the base opens in 2026"
        );
        assert_eq!(value(&f, Indicator::ElementJobs), 60);
        assert_eq!(value(&f, Indicator::LowIncomeJobs), 15);
        // (200,000×40 + 350,000×20 + 0×0) / 60 = 250,000 fen = 2,500 元.
        assert_eq!(value(&f, Indicator::MonthlyGain), 250_000);
        assert_eq!(value(&f, Indicator::ElementCollectiveIncome), 16_234_500);
        assert_eq!(value(&f, Indicator::TeamRevenue), 520_000_000);
        assert_eq!(value(&f, Indicator::TeamCollectiveIncome), 62_000_050);
        assert_eq!(
            value(&f, Indicator::Trainings),
            2,
            "the district-wide one does not count"
        );
        assert_eq!(value(&f, Indicator::TrainingAttendances), 72);
        assert_eq!(value(&f, Indicator::TrainingHours), 95);
        assert_eq!(value(&f, Indicator::Entrepreneurs), 2, "33 comes in 2026");
        assert_eq!(
            value(&f, Indicator::SupportGranted),
            3_600_000,
            "43 is not approved; 44 was 2024"
        );
        assert_eq!(value(&f, Indicator::CreditSupport), 50_000_000);
        assert_eq!(value(&f, Indicator::Chains), 2, "51 and 53");
        assert_eq!(value(&f, Indicator::ChainOutputShare), 50_001);
        assert_eq!(
            value(&figures(2, 2025, &r), Indicator::ChainOutputShare),
            25_000 + 999
        );
        assert_eq!(
            chain_shares(Fen(100_001), &[Some(1), Some(2), None, Some(1)]),
            [
                (Some(1), Fen(50_001)),
                (Some(2), Fen(25_000)),
                (None, Fen(25_000))
            ]
        );
        // Equal remainders: 10 fen over three zones of one village each → 4, 3, 3, the
        // extra fen to the smallest zone id.
        assert_eq!(
            chain_shares(Fen(10), &[Some(7), Some(3), Some(5)]),
            [(Some(3), Fen(4)), (Some(5), Fen(3)), (Some(7), Fen(3))]
        );
        assert_eq!(chain_shares(Fen(10), &[]), [(None, Fen(10))]);
        let ws = f
            .iter()
            .find(|x| x.indicator == Indicator::Workshops)
            .unwrap();
        assert_eq!(ws.sources.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(f.len(), Indicator::ALL.len());
        assert_eq!(display(Indicator::MonthlyGain, 250_000), "2,500.00 元");
        assert_eq!(display(Indicator::TrainingHours, 95), "9.5 学时");
        assert_eq!(display(Indicator::Workshops, 2), "2 个");
        // An empty zone has every figure at zero, not missing.
        let none = figures(9, 2025, &r);
        assert!(none.iter().all(|x| x.value == 0 && x.sources.is_empty()));
    }

    use proptest::prelude::*;

    proptest! {
        /// Over every zone plus "no zone", a chain's shares add up to its output exactly, each
        /// share is within one fen of the exact proportion, and the parts never go negative.
        #[test]
        fn chain_shares_add_up(
            output in 0i64..10_000_000_000_000,
            zones in proptest::collection::vec(proptest::option::of(1i64..6), 0..40),
        ) {
            let shares = chain_shares(Fen(output), &zones);
            prop_assert_eq!(shares.iter().map(|(_, v)| v.0).sum::<i64>(), output);
            let n = zones.len() as i128;
            for (z, v) in &shares {
                prop_assert!(v.0 >= 0);
                if n > 0 {
                    let k = zones.iter().filter(|x| *x == z).count() as i128;
                    let exact_floor = i128::from(output) * k / n;
                    prop_assert!(i128::from(v.0) - exact_floor <= 1 && i128::from(v.0) >= exact_floor);
                }
            }
            // The zone figures plus the part outside any zone give the same total.
            let places = [ChainPlaces { id: 1, output: vec![(2025, Fen(output))], village_zones: zones.clone() }];
            let r = Records { elements: &[], kpis: &[], trainings: &[], entrepreneurs: &[], supports: &[], chains: &places, dividends: &[], entities: &[] };
            let in_zones: i64 = (1..6).map(|z| value(&figures(z, 2025, &r), Indicator::ChainOutputShare)).sum();
            let outside = shares.iter().find(|(z, _)| z.is_none()).map_or(0, |(_, v)| v.0);
            prop_assert_eq!(in_zones + outside, output);
        }

        #[test]
        fn largest_remainder_is_exact(total in -1_000_000i64..1_000_000, weights in proptest::collection::vec(0i64..1000, 1..12)) {
            let parts = largest_remainder(total, &weights);
            if weights.iter().any(|w| *w > 0) {
                prop_assert_eq!(parts.iter().sum::<i64>(), total);
            } else {
                prop_assert!(parts.iter().all(|p| *p == 0));
            }
        }
    }
}
