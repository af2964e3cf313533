//! 平台自动取数: the values a rubric's platform-sourced rules read, computed from the
//! platform's own records for every zone (or operating team) of a year, each with its formula
//! in numbers and the records it came from — what the scorecard shows beside the points and
//! what an approved assessment freezes.
//!
//! **Which members.** A zone's figures of a year are over the villages that are its members at
//! the end of that year (today, for the current year: [`year_day`]); a growth compares the
//! same villages' figures of the year before, so a village joining does not count as growth.
//!
//! **Sources.** A [`RecordRef`] names a stored record by kind and id: `project`, `meeting`,
//! `entity` (an equity entity: its register lines and distributions), `kpi`, `element`,
//! `training`, `entrepreneur`, `chain`, `facility`, `distribution`, and `village_year` — a
//! village's yearly figures (人口、集体经营性收入、人均可支配收入), whose id is the village's
//! 12-digit code read as a number (stable across renames and re-imports; the year is the
//! figure's year, and for a growth also the year before).
//!
//! **Rounding.** Every percentage or growth is floored to the basis point in `i128`
//! (`gongfu_core::scoring::figures`); amounts in formulas are 万元 to two decimals, rounded
//! half up for reading only.
//!
//! **Left to a manual entry** (absent here), because the platform keeps no record of them:
//! [`Figure::VillagePlanCoverage`] (no village plans are stored), [`Figure::WeakVillageHelpCoverage`]
//! (薄弱村 are known, but no pairing/help plans are), [`Figure::LowIncomeGrowth`] (no income of
//! 低收入农户 is stored).

use crate::StoreError;
use crate::db::Store;
use crate::ops::year_day;
use crate::snapshot::Snapshot;
use gongfu_core::equity::{Change, HolderKind, replay};
use gongfu_core::facilities::{
    DEFAULT_DETOUR, DemandPoint, FacilityStatus, FacilityType, Reach, service_coverage,
};
use gongfu_core::ops::indicators::{
    ChainPlaces, Figure as OpsFigure, Indicator, chain_shares, display,
};
use gongfu_core::ops::teams::Kpi;
use gongfu_core::scoring::figures::{
    WeightedPair, WeightedSums, count, growth_bp, pct2, share_bp, wan2,
};
use gongfu_core::scoring::{Figure, Input, Ratio, RubricKind};
use gongfu_core::work::project::{FundSource, Project, ProjectStatus};
use gongfu_core::{Fen, VillageCode, ZoneId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A record a value was computed from (`project`, `meeting`, `distribution`, `village_year` …;
/// see the module documentation for every kind and its id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: String,
    pub id: i64,
}

/// One computed value: the engine's input, how it was computed (in Chinese, with its numbers,
/// e.g. 「完工 9 项 ÷ 计划 10 项 = 90.00%」) and its source records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    pub input: Input,
    pub formula: String,
    pub sources: Vec<RecordRef>,
}

/// Subject id (zone or team) → figure → value. A figure the platform cannot compute for a
/// subject is absent: its rule then needs a manual entry or scores 0 as 未填报.
pub type PlatformFigures = BTreeMap<i64, BTreeMap<Figure, Measured>>;

/// The 年经营性收入 threshold T of [`Figure::IncomeThresholdCoverage`]: 100 万元 (rules.md 8.2,
/// the Keqiao default; 50 万 / 80 万 are used elsewhere).
pub const INCOME_THRESHOLD: Fen = Fen(100_000_000);

/// The share of the registered population counted as labour force (劳动力) for
/// [`Figure::TrainingShare`]: 60 %, in basis points. The platform stores no labour or age
/// figures, so the labour force is estimated from 户籍人口, and the formula says so.
pub const LABOUR_SHARE_BP: i64 = 6_000;

/// The reach of an 一老一小 service for [`Figure::ElderlyChildCoverage`]: the 15-minute
/// 品质生活圈 (Shaoxing) by e-bike, 15 minutes at 15 km/h with roads [`DEFAULT_DETOUR`] times the
/// straight line (≈ 2.9 km as the crow flies).
pub const ELDERLY_CHILD_REACH: Reach = Reach::Minutes {
    minutes: 15.0,
    speed_kmh: 15.0,
    detour: DEFAULT_DETOUR,
};

/// The facility types that serve several villages by nature, counted by
/// [`Figure::SharedFacilities`] (rules.md 6.1: 冷链/仓储/加工, visitor and service centres,
/// markets): a clinic, school or care home serves its neighbourhood and is counted by coverage.
pub const SHARED_KINDS: [FacilityType; 5] = [
    FacilityType::ServiceCentre,
    FacilityType::FarmersMarket,
    FacilityType::AgriService,
    FacilityType::Processing,
    FacilityType::ColdChain,
];

fn rec(kind: &str, id: i64) -> RecordRef {
    RecordRef {
        kind: kind.to_string(),
        id,
    }
}

/// The `village_year` reference of a village: its 12-digit code as a number.
fn village_ref(code: &VillageCode) -> RecordRef {
    rec("village_year", code.as_str().parse().unwrap_or(0))
}

fn sorted(mut v: Vec<RecordRef>) -> Vec<RecordRef> {
    v.sort();
    v.dedup();
    v
}

fn number(value: i64, formula: String, sources: Vec<RecordRef>) -> Measured {
    Measured {
        input: Input::Number(value),
        formula,
        sources: sorted(sources),
    }
}

fn ratio(
    covered: usize,
    total: usize,
    formula: String,
    sources: Vec<RecordRef>,
) -> Option<Measured> {
    Some(Measured {
        input: Input::Ratio(Ratio::new(covered as i64, total as i64).ok()?),
        formula,
        sources: sorted(sources),
    })
}

/// Per-capita figures of villages in two years, weighted by population, with the villages
/// left out for want of figures.
struct IncomePairs {
    rows: Vec<WeightedPair>,
    sources: Vec<RecordRef>,
    missing: usize,
}

fn income_pairs<'a>(
    snap: &Snapshot,
    codes: impl Iterator<Item = &'a VillageCode>,
    year: i32,
) -> IncomePairs {
    let mut out = IncomePairs {
        rows: Vec::new(),
        sources: Vec::new(),
        missing: 0,
    };
    for code in codes {
        match (snap.figures(code, year), snap.figures(code, year - 1)) {
            (Some(t), Some(l)) => {
                out.rows.push(WeightedPair {
                    value: t.disposable_income.0,
                    weight: t.population,
                    last_value: l.disposable_income.0,
                    last_weight: l.population,
                });
                out.sources.push(village_ref(code));
            }
            _ => out.missing += 1,
        }
    }
    out
}

fn missing_note(missing: usize) -> String {
    if missing == 0 {
        String::new()
    } else {
        format!("；{missing} 个村缺数据未计")
    }
}

/// A zone entity with its register lines.
type EntityLines = (
    crate::equity::EntityRecord,
    Vec<gongfu_core::equity::RegisterLine>,
);

/// What one zone's figures read besides the snapshot.
struct ZoneCtx<'a> {
    zone: i64,
    year: i32,
    snap: &'a Snapshot,
    /// Members at the end of the year (or today), key village first.
    members: Vec<VillageCode>,
    ops: Vec<OpsFigure>,
    projects: Vec<&'a Project>,
    entities: Vec<&'a EntityLines>,
}

impl ZoneCtx<'_> {
    fn ops(&self, i: Indicator) -> Option<&OpsFigure> {
        self.ops.iter().find(|f| f.indicator == i)
    }

    fn ops_sources(&self, i: Indicator) -> Vec<RecordRef> {
        self.ops(i).map_or(Vec::new(), |f| {
            f.sources.iter().map(|s| rec(s.kind, s.id)).collect()
        })
    }

    /// A figure `ops::indicators` already computes, with its rule as the formula.
    fn ops_measured(&self, i: Indicator) -> Option<Measured> {
        let f = self.ops(i)?;
        Some(number(
            f.value,
            format!("{}：{}（{}）", i.label(), display(i, f.value), i.rule()),
            self.ops_sources(i),
        ))
    }

    /// 年度计划项目开工/完工率 (rules.md 1.2 "planned-project start/completion rate"): of the
    /// zone's projects planned to finish in the year (planned end in the year), those built
    /// (完工, 运营 or 验收); of those planned to start in the year and finish later (or with no
    /// end), those started (在建 or beyond); reached ÷ planned, floored to the basis point.
    /// Read from each project's status as it stands now, so an assessment frozen soon after
    /// the year sees the year's work. Absent when nothing was planned for the year.
    fn project_completion(&self) -> Option<Measured> {
        let y = self.year;
        let due_end: Vec<&Project> = self
            .projects
            .iter()
            .copied()
            .filter(|p| p.end.is_some_and(|e| e.year() == y))
            .collect();
        let due_start: Vec<&Project> = self
            .projects
            .iter()
            .copied()
            .filter(|p| p.end.is_none_or(|e| e.year() > y))
            .filter(|p| p.start.is_some_and(|s| s.year() == y))
            .collect();
        let built = due_end.iter().filter(|p| p.status.is_complete()).count();
        let started = due_start
            .iter()
            .filter(|p| p.status >= ProjectStatus::Building)
            .count();
        let planned = due_end.len() + due_start.len();
        let bp = share_bp((built + started) as i64, planned as i64)?;
        Some(number(
            bp,
            format!(
                "{y} 年计划完工 {} 项、已完工 {built} 项，计划开工 {} 项、已开工 {started} 项：（{built} + {started}）÷（{} + {}）= {}（按项目当前状态，完工含运营、验收）",
                due_end.len(),
                due_start.len(),
                due_end.len(),
                due_start.len(),
                pct2(bp)
            ),
            due_end
                .iter()
                .chain(&due_start)
                .map(|p| rec("project", p.id))
                .collect(),
        ))
    }

    /// 联席会议次数: meetings of the zone's joint committee held in the year.
    fn meetings_held(&self, meetings: &[gongfu_core::work::committee::Meeting]) -> Measured {
        let mine: Vec<_> = meetings
            .iter()
            .filter(|m| m.zone == self.zone && m.held_on.year() == self.year)
            .collect();
        number(
            mine.len() as i64,
            format!("{} 年片区联席会议记录 {} 次", self.year, mine.len()),
            mine.iter().map(|m| rec("meeting", m.id)).collect(),
        )
    }

    /// 持股联合体的成员村 / 成员村 (rules.md 3.2): member villages whose village collective
    /// (村集体) holds units (> 0) at the end of the year in an equity entity registered to the
    /// zone, out of all members. Absent for a zone without members.
    fn shareholder_villages(&self, day: time::Date) -> Result<Option<Measured>, StoreError> {
        let mut holding: BTreeSet<&VillageCode> = BTreeSet::new();
        let mut sources = Vec::new();
        for (e, lines) in &self.entities {
            let held = replay(lines, day).map_err(|err| crate::work::corrupt("股权登记簿", err))?;
            sources.push(rec("entity", e.id));
            for (holder, _, units) in held.iter() {
                let Some(v) = e
                    .holder(holder)
                    .filter(|h| units > 0 && h.kind == HolderKind::VillageCollective)
                    .and_then(|h| h.village.as_ref())
                else {
                    continue;
                };
                if self.members.contains(v) {
                    holding.insert(v);
                }
            }
        }
        let n = self.members.len();
        let c = holding.len();
        if n == 0 {
            return Ok(None);
        }
        Ok(ratio(
            c,
            n,
            format!(
                "持有片区股权主体股份的成员村 {c} 个 ÷ 成员村 {n} 个 = {}（{} 年末登记簿中村集体股东持股大于 0）",
                pct2(share_bp(c as i64, n as i64).unwrap_or(0)),
                self.year
            ),
            sources,
        ))
    }

    /// 引入社会资本 (rules.md 3.3, fen): what enterprise and state-company holders paid into
    /// the zone's equity entities in the year (认购 cash and 资源入股 valuations on register lines
    /// effective in the year), plus the 社会资本 actually invested (实际到位) in the zone's
    /// projects that started in the year.
    fn investment(&self) -> Measured {
        let (mut equity, mut lines_n) = (0i64, 0usize);
        let mut sources = Vec::new();
        for (e, lines) in &self.entities {
            for l in lines.iter().filter(|l| l.effective().year() == self.year) {
                let (holder, amount) = match l.change() {
                    Change::Subscription { holder, paid, .. } => (*holder, *paid),
                    Change::InKind {
                        holder, valuation, ..
                    } => (*holder, *valuation),
                    _ => continue,
                };
                if e.holder(holder).is_some_and(|h| {
                    matches!(h.kind, HolderKind::Enterprise | HolderKind::StateCompany)
                }) {
                    equity += amount.0;
                    lines_n += 1;
                    sources.push(rec("entity", e.id));
                }
            }
        }
        let (mut social, mut projects_n) = (0i64, 0usize);
        for p in &self.projects {
            let s = p.investment.actual_of(FundSource::Social).0;
            if s > 0 && p.start.is_some_and(|d| d.year() == self.year) {
                social += s;
                projects_n += 1;
                sources.push(rec("project", p.id));
            }
        }
        number(
            equity + social,
            format!(
                "企业、国有公司股东当年入股 {}（{lines_n} 笔）＋ 当年开工项目社会资本实际到位 {}（{projects_n} 项）= {}",
                wan2(Fen(equity)),
                wan2(Fen(social)),
                wan2(Fen(equity + social))
            ),
            sources,
        )
    }

    /// 联合经营主体营业收入 (rules.md 4.3, fen). The platform keeps no revenue of equity
    /// entities (distributions carry net income, not revenue), and the zone's operating team
    /// runs the joint entity's business, so this is the team's reported 运营收入 in the zone,
    /// and the formula says so. Absent when no team reported for the zone in the year.
    fn joint_entity_revenue(&self) -> Option<Measured> {
        let f = self.ops(Indicator::TeamRevenue)?;
        if f.sources.is_empty() {
            return None;
        }
        Some(number(
            f.value,
            format!(
                "平台未登记联合经营主体的营业收入，以运营团队当年在本片区填报的运营收入代替：{}（{} 份填报）",
                wan2(Fen(f.value)),
                f.sources.len()
            ),
            self.ops_sources(Indicator::TeamRevenue),
        ))
    }

    /// 主导产业产值增速 (rules.md 5.2, bp): the zone's leading chain is the industry chain with
    /// the largest output share in the zone this year (shares as `ChainOutputShare`: a chain's
    /// output split by its link villages' zones, largest remainder; a tie goes to the smaller
    /// chain id); its share this year ÷ its share last year − 1, both years split by this
    /// year's village zones so a membership change is not growth. Absent without a chain, or
    /// when last year's share is nothing.
    fn leading_industry_growth(
        &self,
        chains: &[ChainPlaces],
        names: &BTreeMap<i64, String>,
    ) -> Option<Measured> {
        let share = |c: &ChainPlaces, year: i32| -> Option<Fen> {
            let out = c.output.iter().find(|(y, _)| *y == year)?.1;
            chain_shares(out, &c.village_zones)
                .into_iter()
                .find(|(z, _)| *z == Some(self.zone))
                .map(|(_, v)| v)
        };
        let mut best: Option<(&ChainPlaces, Fen)> = None;
        for c in chains {
            if let Some(s) = share(c, self.year)
                && best.is_none_or(|(_, b)| s > b)
            {
                best = Some((c, s));
            }
        }
        let (chain, this) = best?;
        let last = share(chain, self.year - 1)?;
        let g = growth_bp(this.0, last.0)?;
        let name = names.get(&chain.id).map_or("", String::as_str);
        Some(number(
            g,
            format!(
                "主导产业链「{name}」本片区分摊产值：{} 年 {} ÷ {} 年 {} − 1 = {}（两年均按 {} 年环节村所在片区分摊）",
                self.year,
                wan2(this),
                self.year - 1,
                wan2(last),
                pct2(g),
                self.year
            ),
            vec![rec("chain", chain.id)],
        ))
    }

    /// 跨村共建共享设施数量 (rules.md 6.1): facilities in member villages of a
    /// [`SHARED_KINDS`] type that are in service (运行) and opened by the year.
    fn shared_facilities(&self) -> Measured {
        let mine: Vec<_> = self
            .snap
            .facilities
            .iter()
            .filter(|f| SHARED_KINDS.contains(&f.kind))
            .filter(|f| f.status == FacilityStatus::Open)
            .filter(|f| f.opening_year.is_none_or(|y| y.get() <= self.year))
            .filter(|f| self.members.contains(&f.village))
            .collect();
        let kinds: Vec<&str> = SHARED_KINDS.iter().map(|k| k.label()).collect();
        number(
            mine.len() as i64,
            format!(
                "成员村内运行中的跨村共享类设施（{}）{} 处",
                kinds.join("、"),
                mine.len()
            ),
            mine.iter().map(|f| rec("facility", f.id)).collect(),
        )
    }

    /// 一老一小服务覆盖的村数 / 成员村数 (rules.md 6.2): member villages whose seat is within
    /// [`ELDERLY_CHILD_REACH`] of both an 养老服务 and a 托育 facility in service (anywhere in
    /// the district, opened by the year); a village without a location is not covered.
    fn elderly_child(&self) -> Option<Measured> {
        let n = self.members.len();
        if n == 0 {
            return None;
        }
        let demand: Vec<DemandPoint> = self
            .members
            .iter()
            .filter_map(|v| {
                let (lon, lat) = self.snap.village_point(v)?;
                Some(DemandPoint {
                    village: v.clone(),
                    lon,
                    lat,
                    weight: 1,
                })
            })
            .collect();
        let sites = |kind: FacilityType| -> (Vec<i64>, Vec<(f64, f64)>) {
            self.snap
                .facilities
                .iter()
                .filter(|f| f.kind == kind && f.status.serves())
                .filter(|f| f.opening_year.is_none_or(|y| y.get() <= self.year))
                .filter_map(|f| Some((f.id, self.snap.facility_point(f)?)))
                .unzip()
        };
        let (old_ids, old_points) = sites(FacilityType::ElderlyCare);
        let (young_ids, young_points) = sites(FacilityType::Childcare);
        let old = service_coverage(&demand, &old_points, ELDERLY_CHILD_REACH);
        let young = service_coverage(&demand, &young_points, ELDERLY_CHILD_REACH);
        let mut covered = 0;
        let mut sources = Vec::new();
        for (o, y) in old.points.iter().zip(&young.points) {
            if o.covered && y.covered {
                covered += 1;
                sources.extend(o.nearest_site.map(|i| rec("facility", old_ids[i])));
                sources.extend(y.nearest_site.map(|i| rec("facility", young_ids[i])));
            }
        }
        ratio(
            covered,
            n,
            format!(
                "同时在运行中的养老服务与托育设施服务范围内的成员村 {covered} 个 ÷ 成员村 {n} 个 = {}（{}；{} 个村无位置未计为覆盖）",
                pct2(share_bp(covered as i64, n as i64).unwrap_or(0)),
                ELDERLY_CHILD_REACH.explain(),
                n - demand.len()
            ),
            sources,
        )
    }

    /// 新引进培育人才人数 (rules.md 7.1): entrepreneurs (创业人才: 乡村CEO, 农创客, 返乡青年 …)
    /// registered in the zone with their start in the year — people, not trainings.
    fn talent_new(&self, people: &[gongfu_core::ops::talent::Entrepreneur]) -> Measured {
        let mine: Vec<_> = people
            .iter()
            .filter(|p| p.zone == self.zone && p.since.year() == self.year)
            .collect();
        number(
            mine.len() as i64,
            format!("{} 年在本片区登记的创业人才 {} 人", self.year, mine.len()),
            mine.iter().map(|p| rec("entrepreneur", p.id)).collect(),
        )
    }

    /// 培训人次 ÷ 劳动力 (rules.md 7.2, bp): the year's training attendances for the zone (as
    /// `TrainingAttendances`) over the labour force, estimated as [`LABOUR_SHARE_BP`] of the
    /// members' registered population of the year (floored to a person). Absent without
    /// population.
    fn training_share(&self) -> Option<Measured> {
        let attendances = self.ops(Indicator::TrainingAttendances)?.value;
        let mut population = 0i64;
        let mut sources = self.ops_sources(Indicator::TrainingAttendances);
        let mut missing = 0;
        for v in &self.members {
            match self.snap.figures(v, self.year) {
                Some(f) => {
                    population += f.population;
                    sources.push(village_ref(v));
                }
                None => missing += 1,
            }
        }
        let labour = (i128::from(population) * i128::from(LABOUR_SHARE_BP) / 10_000) as i64;
        let bp = share_bp(attendances, labour)?;
        Some(number(
            bp,
            format!(
                "培训 {} 人次 ÷ 劳动力 {} 人（成员村 {} 年户籍人口 {} 人 × {}%，平台无劳动力统计{}）= {}",
                count(attendances),
                count(labour),
                self.year,
                count(population),
                LABOUR_SHARE_BP / 100,
                missing_note(missing),
                pct2(bp)
            ),
            sources,
        ))
    }

    /// 村级集体经济年经营性收入增速 (rules.md 8.1, bp): Σ members' 集体经营性收入 this year ÷
    /// Σ the same villages' last year − 1, over the members with figures in both years. Absent
    /// when last year's sum is not positive.
    fn collective_income_growth(&self) -> Option<Measured> {
        let (mut this, mut last, mut missing) = (0i64, 0i64, 0usize);
        let mut sources = Vec::new();
        for v in &self.members {
            match (
                self.snap.figures(v, self.year),
                self.snap.figures(v, self.year - 1),
            ) {
                (Some(t), Some(l)) => {
                    this += t.operating_income.0;
                    last += l.operating_income.0;
                    sources.push(village_ref(v));
                }
                _ => missing += 1,
            }
        }
        let g = growth_bp(this, last)?;
        Some(number(
            g,
            format!(
                "成员村集体经营性收入合计：{} 年 {} ÷ {} 年 {} − 1 = {}（{} 个村两年均有数据{}）",
                self.year,
                wan2(Fen(this)),
                self.year - 1,
                wan2(Fen(last)),
                pct2(g),
                sources.len(),
                missing_note(missing)
            ),
            sources,
        ))
    }

    /// 年经营性收入达标村数 / 成员村数 (rules.md 8.2): members whose 集体经营性收入 of the year
    /// is at least [`INCOME_THRESHOLD`]; a member without figures has not reached it.
    fn income_threshold(&self) -> Option<Measured> {
        let n = self.members.len();
        if n == 0 {
            return None;
        }
        let mut sources = Vec::new();
        let mut reached = 0;
        for v in &self.members {
            if let Some(f) = self.snap.figures(v, self.year) {
                sources.push(village_ref(v));
                if f.operating_income >= INCOME_THRESHOLD {
                    reached += 1;
                }
            }
        }
        let missing = n - sources.len();
        ratio(
            reached,
            n,
            format!(
                "{} 年集体经营性收入达 {}的成员村 {reached} 个 ÷ 成员村 {n} 个 = {}{}",
                self.year,
                wan2(INCOME_THRESHOLD),
                pct2(share_bp(reached as i64, n as i64).unwrap_or(0)),
                if missing == 0 {
                    String::new()
                } else {
                    format!("（{missing} 个村缺数据，按未达标计）")
                }
            ),
            sources,
        )
    }

    /// 农村居民人均可支配收入增速 vs 全区 (rules.md 8.3, REL in bp): the growth of the members'
    /// per-capita disposable income, weighted by each year's registered population, against
    /// the same over every division counted in the district — villages with figures in both
    /// years only. Absent when either growth has no base.
    fn rural_income_vs_district(&self, district: &IncomePairs) -> Option<Measured> {
        let mine = income_pairs(self.snap, self.members.iter(), self.year);
        let z = WeightedSums::of(&mine.rows);
        let d = WeightedSums::of(&district.rows);
        let (value, benchmark) = (z.growth_bp()?, d.growth_bp()?);
        let yuan = |f: Option<i64>| Fen(f.unwrap_or(0)).yuan_string();
        Some(Measured {
            input: Input::Compared { value, benchmark },
            formula: format!(
                "本片区农村居民人均可支配收入（按户籍人口加权，{} 个村{}）{} 年 {} 元 → {} 年 {} 元，增长 {}；全区（{} 个村）{} 元 → {} 元，增长 {}；相差 {} 个百分点",
                mine.rows.len(),
                missing_note(mine.missing),
                self.year - 1,
                yuan(z.last_average()),
                self.year,
                yuan(z.average()),
                pct2(value),
                district.rows.len(),
                yuan(d.last_average()),
                yuan(d.average()),
                pct2(benchmark),
                pct2(value - benchmark).trim_end_matches('%'),
            ),
            sources: sorted(mine.sources),
        })
    }
}

impl Store {
    /// Every platform figure of every zone (`RubricKind::Zone`) or operating team
    /// (`RubricKind::Team`) in `year`. The zones are those standing at the end of the year
    /// (today, for the current year); the teams those with KPIs reported for the year.
    pub async fn platform_figures(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<PlatformFigures, StoreError> {
        match kind {
            RubricKind::Zone => self.zone_platform_figures(year).await,
            RubricKind::Team => self.team_platform_figures(year).await,
        }
    }

    async fn zone_platform_figures(&self, year: i32) -> Result<PlatformFigures, StoreError> {
        let snap = self.snapshot().await?;
        let day = year_day(year);
        let sources = self.indicator_sources(year).await?;
        let projects = self
            .projects(&crate::work::projects::ProjectFilter::default())
            .await?;
        let meetings = self.meetings(None).await?;
        let names: BTreeMap<i64, String> = self
            .chains()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut entities: Vec<EntityLines> = Vec::new();
        for e in self.equity_entities().await? {
            if e.zone.is_none() {
                continue;
            }
            let lines = self
                .equity_lines(e.id)
                .await?
                .into_iter()
                .map(|l| l.line)
                .collect();
            entities.push((e, lines));
        }
        let district = income_pairs(
            &snap,
            snap.divisions
                .iter()
                .filter(|d| d.division.counts_for_coverage_on(day))
                .map(|d| &d.division.code),
            year,
        );
        let mut out = PlatformFigures::new();
        for z in snap.zones.iter().filter(|z| z.is_live_on(day)) {
            let zone = z.id.0;
            let ctx = ZoneCtx {
                zone,
                year,
                snap: &snap,
                members: snap
                    .members(ZoneId(zone), day)
                    .into_iter()
                    .map(|m| m.village.clone())
                    .collect(),
                ops: sources.figures(zone),
                projects: projects.iter().filter(|p| p.zone == zone).collect(),
                entities: entities
                    .iter()
                    .filter(|(e, _)| e.zone == Some(zone))
                    .collect(),
            };
            let mut mine: BTreeMap<Figure, Measured> = BTreeMap::new();
            for figure in Figure::ALL {
                let m = match figure {
                    Figure::ProjectCompletionRate => ctx.project_completion(),
                    Figure::MeetingsHeld => Some(ctx.meetings_held(&meetings)),
                    Figure::ShareholderVillageCoverage => ctx.shareholder_villages(day)?,
                    Figure::InvestmentAttracted => Some(ctx.investment()),
                    Figure::JointEntityRevenue => ctx.joint_entity_revenue(),
                    Figure::LeadingIndustryGrowth => {
                        ctx.leading_industry_growth(&sources.chains, &names)
                    }
                    Figure::SharedFacilities => Some(ctx.shared_facilities()),
                    Figure::ElderlyChildCoverage => ctx.elderly_child(),
                    Figure::TalentNew => Some(ctx.talent_new(&sources.entrepreneurs)),
                    Figure::TrainingShare => ctx.training_share(),
                    Figure::CollectiveIncomeGrowth => ctx.collective_income_growth(),
                    Figure::IncomeThresholdCoverage => ctx.income_threshold(),
                    Figure::RuralIncomeGrowthVsDistrict => ctx.rural_income_vs_district(&district),
                    // No record of village plans, help plans or low-income households' income.
                    Figure::VillagePlanCoverage
                    | Figure::WeakVillageHelpCoverage
                    | Figure::LowIncomeGrowth => None,
                    // Workshops, ElementJobs, DividendYield and the team KPIs summed over the
                    // zone: as `ops::indicators` computes them.
                    other => other.ops_figure().and_then(|i| ctx.ops_measured(i)),
                };
                if let Some(m) = m {
                    mine.insert(*figure, m);
                }
            }
            out.insert(zone, mine);
        }
        Ok(out)
    }

    /// The team figures of every operating team that reported KPIs for `year`: each KPI summed
    /// over the zones the team reported for (its 服务片区; a KPI can only be entered for a zone
    /// the team serves or served), the formula listing each zone's part. A team without KPIs
    /// for the year has no figures (its rules show 未填报).
    async fn team_platform_figures(&self, year: i32) -> Result<PlatformFigures, StoreError> {
        let snap = self.snapshot().await?;
        let kpis = self.team_kpis(None).await?;
        let mut out = PlatformFigures::new();
        for t in self.teams(None).await? {
            let mut mine: Vec<&(i64, Kpi)> = kpis
                .iter()
                .filter(|(_, k)| k.team == t.id && k.year.get() == year)
                .collect();
            if mine.is_empty() {
                continue;
            }
            mine.sort_by_key(|(id, k)| (k.zone, *id));
            let zone_name = |z: i64| {
                snap.zone(ZoneId(z))
                    .map_or_else(|| format!("片区 {z}"), |r| r.name.clone())
            };
            let sources: Vec<RecordRef> = mine.iter().map(|(id, _)| rec("kpi", *id)).collect();
            type Pick = fn(&Kpi) -> i64;
            let specs: [(Figure, &str, Pick, bool, &str); 4] = [
                (Figure::TeamRevenue, "运营收入", |k| k.revenue.0, true, ""),
                (
                    Figure::TeamCollectiveIncome,
                    "带动村集体增收",
                    |k| k.collective_income.0,
                    true,
                    "",
                ),
                (
                    Figure::TeamVisitors,
                    "接待游客",
                    |k| k.visitors,
                    false,
                    " 人次",
                ),
                (Figure::TeamJobs, "带动就业", |k| k.jobs, false, " 人"),
            ];
            let mut figures = BTreeMap::new();
            for (figure, label, pick, money, unit) in specs {
                let show = |v: i64| {
                    if money {
                        wan2(Fen(v))
                    } else {
                        format!("{}{unit}", count(v))
                    }
                };
                let total: i64 = mine.iter().map(|(_, k)| pick(k)).sum();
                let parts: Vec<String> = mine
                    .iter()
                    .map(|(_, k)| format!("{} {}", zone_name(k.zone), show(pick(k))))
                    .collect();
                let formula = if parts.len() == 1 {
                    format!("{year} 年填报的{label}：{}", parts[0])
                } else {
                    format!(
                        "{year} 年填报的{label}：{} = {}",
                        parts.join(" + "),
                        show(total)
                    )
                };
                figures.insert(figure, number(total, formula, sources.clone()));
            }
            out.insert(t.id, figures);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Actor;
    use gongfu_core::DataYear;
    use gongfu_core::ops::teams::{TeamSpec, ZoneService};
    use time::macros::date;

    /// The demo district with a year of everything the figures read, generated as of
    /// 2025-12-20 so that 2025 is the year of work: zone work, elements, teams and their KPIs
    /// (as the `serve --demo` seeding stores them), talent, equity, brands and chains.
    async fn full_demo(dir: &std::path::Path) -> Store {
        let store = crate::testing::demo_store(dir, 7).await;
        let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
        let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
        let district = gongfu_demo::generate(&divisions, &towns, 7);
        let today = date!(2025 - 12 - 20);
        let work = gongfu_demo::work::generate_work(&divisions, &district, today, 7);
        store.seed_demo_work(&work).await.unwrap();
        let system = Actor::system("demo");
        for e in gongfu_demo::elements::generate_elements(&divisions, &district, today, 7) {
            store.create_element(&system, &e).await.unwrap();
        }
        let snap = store.snapshot().await.unwrap();
        let zone_id = |name: &str| snap.zones.iter().find(|z| z.name == name).map(|z| z.id.0);
        for t in gongfu_demo::teams::generate_teams(&district, today, 7).teams {
            let spec = TeamSpec {
                name: t.name.clone(),
                credit_code: Some(t.credit_code.clone()),
                contact_person: t.contact_person.clone(),
                phone: String::new(),
                business_types: t.business_types.clone(),
                contract_start: t.contract_start,
                contract_end: t.contract_end,
                terms: t.terms.clone(),
                actor: None,
                zones: t
                    .zones
                    .iter()
                    .filter_map(|(z, from)| {
                        zone_id(z).map(|zone| ZoneService {
                            zone,
                            from: *from,
                            until: None,
                        })
                    })
                    .collect(),
            };
            let id = store.create_team(&system, &spec).await.unwrap();
            for (z, year, k) in &t.kpis {
                if let (Some(zone), Ok(year)) = (zone_id(z), DataYear::new(i64::from(*year))) {
                    store
                        .put_kpi(&system, id, zone, year, None, k)
                        .await
                        .unwrap();
                }
            }
        }
        let talent = gongfu_demo::talent::generate_talent(&divisions, &district, today, 7);
        store.seed_demo_talent(&talent).await.unwrap();
        let equity = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
        store.seed_demo_equity(&equity).await.unwrap();
        let brands = gongfu_demo::brands::generate_brands(&divisions, &district, &work, 7);
        store.seed_demo_brands(&brands).await.unwrap();
        store
    }

    fn shown(i: &Input) -> String {
        match i {
            Input::Number(n) => n.to_string(),
            Input::Ratio(r) => format!("{}/{}", r.covered(), r.total()),
            Input::Compared { value, benchmark } => format!("{value} vs {benchmark}"),
            other => format!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn the_demo_yields_every_platform_figure_and_they_match_the_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = full_demo(dir.path()).await;
        let year = 2025;
        let zones = store
            .platform_figures(RubricKind::Zone, year)
            .await
            .unwrap();
        let snap = store.snapshot().await.unwrap();
        // The table, to look at with `--nocapture`.
        for (zone, figures) in &zones {
            let name = &snap.zone(ZoneId(*zone)).unwrap().name;
            println!("== {zone} {name}");
            for (f, m) in figures {
                println!("  {f:?} = {}  | {}", shown(&m.input), m.formula);
            }
        }
        assert!(!zones.is_empty());

        // Every figure the platform holds records for is non-trivial in some zone.
        let manual = [
            Figure::VillagePlanCoverage,
            Figure::WeakVillageHelpCoverage,
            Figure::LowIncomeGrowth,
        ];
        for f in Figure::ALL.iter().filter(|f| !manual.contains(f)) {
            let somewhere = zones.values().any(|z| {
                z.get(f).is_some_and(|m| match m.input {
                    Input::Number(n) => n != 0,
                    Input::Ratio(r) => r.covered() > 0,
                    Input::Compared { value, .. } => value != 0,
                    _ => false,
                })
            });
            assert!(somewhere, "{f:?} is zero or absent in every zone");
        }
        for z in zones.values() {
            for f in manual {
                assert!(!z.contains_key(&f), "{f:?} is left to a manual entry");
            }
        }

        // CollectiveIncomeGrowth and IncomeThresholdCoverage of each zone, by hand from the
        // village rows of its members at the end of 2025.
        let day = date!(2025 - 12 - 31);
        for (zone, figures) in &zones {
            let members: Vec<VillageCode> = snap
                .members(ZoneId(*zone), day)
                .iter()
                .map(|m| m.village.clone())
                .collect();
            let (mut this, mut last) = (0i128, 0i128);
            let mut reached = 0;
            for v in &members {
                let t = snap.figures(v, 2025).unwrap();
                let l = snap.figures(v, 2024).unwrap();
                this += i128::from(t.operating_income.0);
                last += i128::from(l.operating_income.0);
                if t.operating_income.0 >= 100_000_000 {
                    reached += 1;
                }
            }
            let expected = ((this - last) * 10_000).div_euclid(last) as i64;
            let g = &figures[&Figure::CollectiveIncomeGrowth];
            assert_eq!(g.input, Input::Number(expected));
            assert_eq!(
                g.formula,
                format!(
                    "成员村集体经营性收入合计：2025 年 {} ÷ 2024 年 {} − 1 = {}（{} 个村两年均有数据）",
                    wan2(Fen(this as i64)),
                    wan2(Fen(last as i64)),
                    pct2(expected),
                    members.len()
                )
            );
            assert_eq!(g.sources.len(), members.len());
            assert!(g.sources.iter().all(|s| s.kind == "village_year"));
            assert_eq!(
                figures[&Figure::IncomeThresholdCoverage].input,
                Input::Ratio(Ratio::new(reached, members.len() as i64).unwrap())
            );
            // Meetings held: the zone's meetings of 2025.
            let held = store
                .meetings(Some(*zone))
                .await
                .unwrap()
                .iter()
                .filter(|m| m.held_on.year() == 2025)
                .count() as i64;
            assert_eq!(figures[&Figure::MeetingsHeld].input, Input::Number(held));
        }

        // Each team's revenue is the sum of its 2025 KPIs over the zones it reported for.
        let teams = store
            .platform_figures(RubricKind::Team, year)
            .await
            .unwrap();
        assert!(!teams.is_empty());
        let kpis = store.team_kpis(None).await.unwrap();
        for (team, figures) in &teams {
            let mine: Vec<&Kpi> = kpis
                .iter()
                .map(|(_, k)| k)
                .filter(|k| k.team == *team && k.year.get() == 2025)
                .collect();
            let revenue: i64 = mine.iter().map(|k| k.revenue.0).sum();
            let jobs: i64 = mine.iter().map(|k| k.jobs).sum();
            assert_eq!(figures[&Figure::TeamRevenue].input, Input::Number(revenue));
            assert_eq!(figures[&Figure::TeamJobs].input, Input::Number(jobs));
            assert_eq!(figures[&Figure::TeamRevenue].sources.len(), mine.len());
            println!("team {team}: {}", figures[&Figure::TeamRevenue].formula);
        }
    }
}
