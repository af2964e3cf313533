//! The rubric (评分细则): dimensions → indicators → scoring rules, with bonus (加分), penalty
//! (扣分) and veto (一票否决) items and grade bands (等次). A rubric is data, versioned per
//! year; the store keeps each version as JSON (this type's serde form). [`Rubric::validate`]
//! refuses an inconsistent one with Chinese messages naming the indicator and the field.

use super::method::{Method, RelTier, Step};
use super::{Mark, Points, Rating, pct, wan};
use crate::DomainError;
use crate::ops::indicators::Indicator as OpsFigure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Whom a rubric scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RubricKind {
    /// 片区 (zones).
    Zone,
    /// 运营团队 (operating teams).
    Team,
}

/// A rubric version. `total` is the sum of the dimensions' points (100 by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    pub kind: RubricKind,
    pub year: i32,
    /// 1, 2, … within the year; a version in use is superseded, never edited.
    pub version: u32,
    pub name: String,
    pub total: Points,
    pub dimensions: Vec<Dimension>,
    /// Cap on the bonus after the per-item caps and exclusive groups (加分上限).
    pub bonus_cap: Points,
    pub bonus: Vec<BonusItem>,
    pub penalties: Vec<PenaltyItem>,
    pub vetoes: Vec<VetoItem>,
    /// Grade bands, best first; the last is 不合格 from 0.
    pub bands: Vec<Band>,
}

/// A dimension (一级指标), e.g. D1 规划联动 (10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub max: Points,
    pub indicators: Vec<Indicator>,
}

/// An indicator (二级指标), e.g. 1.2. Its points are its rules' points, summed or the best.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub max: Points,
    /// 评分责任部门.
    pub department: String,
    /// Whether 佐证材料 must be attached.
    pub evidence_required: bool,
    #[serde(default)]
    pub combine: Combine,
    pub rules: Vec<Rule>,
}

/// How an indicator with several rules adds them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The rules' points are added (e.g. 4.4: IP 1 + brand 1); the maxima add to the indicator's.
    #[default]
    Sum,
    /// The best rule counts (e.g. 4.2: items *or* m²); the largest maximum is the indicator's.
    Max,
}

/// A scoring rule (评分规则): one input, one method, its maximum. Inputs are keyed by `key`,
/// unique in the rubric; an indicator with one rule uses its own ID as the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub key: String,
    /// What the input is, in Chinese (shown on the entry form).
    pub label: String,
    pub max: Points,
    pub unit: Unit,
    pub method: Method,
    pub source: Source,
}

/// Where a rule's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "figure")]
pub enum Source {
    /// Entered by the responsible department, with evidence.
    Manual,
    /// Computed by the platform; the store layer maps the figure to its records.
    Platform(Figure),
}

/// The figures the platform computes for a zone (or team) and year that rubrics may read.
/// Some exist in `ops::indicators` already ([`Figure::ops_figure`]); the others name what
/// rules.md needs and the store layer computes from the work, equity and village records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// 年度计划项目开工/完工率 (bp).
    ProjectCompletionRate,
    /// 村庄规划与片区规划衔接的村数 / 成员村数.
    VillagePlanCoverage,
    /// 联席会议次数.
    MeetingsHeld,
    /// 薄弱村中有结对帮扶计划的村数 / 薄弱村数.
    WeakVillageHelpCoverage,
    /// 持股联合体的成员村数 / 成员村数.
    ShareholderVillageCoverage,
    /// 引入社会资本投资额 (fen).
    InvestmentAttracted,
    /// 联合经营主体营业收入 (fen).
    JointEntityRevenue,
    /// 主导产业产值增速 (bp).
    LeadingIndustryGrowth,
    /// 共富工坊数量.
    Workshops,
    /// 共富元素吸纳就业人数.
    ElementJobs,
    /// 跨村共建共享设施数量.
    SharedFacilities,
    /// 一老一小服务覆盖的村数 / 成员村数.
    ElderlyChildCoverage,
    /// 新引进培育人才人数.
    TalentNew,
    /// 培训人次 ÷ 劳动力 (bp).
    TrainingShare,
    /// 村级集体经济年经营性收入增速 (bp).
    CollectiveIncomeGrowth,
    /// 年经营性收入达标村数 / 成员村数.
    IncomeThresholdCoverage,
    /// 农村居民人均可支配收入增速 and the district average (bp).
    RuralIncomeGrowthVsDistrict,
    /// 低收入农户人均可支配收入增速 (bp).
    LowIncomeGrowth,
    /// 分红 ÷ 实缴资本 (bp).
    DividendYield,
    /// 运营收入 (fen).
    TeamRevenue,
    /// 运营带动村集体增收 (fen).
    TeamCollectiveIncome,
    /// 接待游客人次.
    TeamVisitors,
    /// 运营带动就业人数.
    TeamJobs,
}

impl Figure {
    /// Every figure, in declaration order.
    pub const ALL: &'static [Figure] = &[
        Figure::ProjectCompletionRate,
        Figure::VillagePlanCoverage,
        Figure::MeetingsHeld,
        Figure::WeakVillageHelpCoverage,
        Figure::ShareholderVillageCoverage,
        Figure::InvestmentAttracted,
        Figure::JointEntityRevenue,
        Figure::LeadingIndustryGrowth,
        Figure::Workshops,
        Figure::ElementJobs,
        Figure::SharedFacilities,
        Figure::ElderlyChildCoverage,
        Figure::TalentNew,
        Figure::TrainingShare,
        Figure::CollectiveIncomeGrowth,
        Figure::IncomeThresholdCoverage,
        Figure::RuralIncomeGrowthVsDistrict,
        Figure::LowIncomeGrowth,
        Figure::DividendYield,
        Figure::TeamRevenue,
        Figure::TeamCollectiveIncome,
        Figure::TeamVisitors,
        Figure::TeamJobs,
    ];

    /// What the figure is, in Chinese, as the rubric page shows its 数据来源.
    pub fn label(self) -> &'static str {
        match self {
            Figure::ProjectCompletionRate => "年度计划项目开工/完工率",
            Figure::VillagePlanCoverage => "村庄规划与片区规划衔接的村数占比",
            Figure::MeetingsHeld => "联席会议次数",
            Figure::WeakVillageHelpCoverage => "有结对帮扶计划的薄弱村占比",
            Figure::ShareholderVillageCoverage => "持股联合体的成员村占比",
            Figure::InvestmentAttracted => "引入社会资本投资额",
            Figure::JointEntityRevenue => "联合经营主体营业收入",
            Figure::LeadingIndustryGrowth => "主导产业产值增速",
            Figure::Workshops => "共富工坊数量",
            Figure::ElementJobs => "共富元素吸纳就业人数",
            Figure::SharedFacilities => "跨村共建共享设施数量",
            Figure::ElderlyChildCoverage => "一老一小服务覆盖的成员村占比",
            Figure::TalentNew => "新引进培育人才人数",
            Figure::TrainingShare => "培训人次占劳动力比例",
            Figure::CollectiveIncomeGrowth => "村级集体经济年经营性收入增速",
            Figure::IncomeThresholdCoverage => "年经营性收入达标村占比",
            Figure::RuralIncomeGrowthVsDistrict => "农村居民人均可支配收入增速（对标全区平均）",
            Figure::LowIncomeGrowth => "低收入农户人均可支配收入增速",
            Figure::DividendYield => "分红占实缴资本比例",
            Figure::TeamRevenue => "运营收入",
            Figure::TeamCollectiveIncome => "运营带动村集体增收",
            Figure::TeamVisitors => "接待游客人次",
            Figure::TeamJobs => "运营带动就业人数",
        }
    }

    /// The existing `ops::indicators` figure with the same meaning, if there is one.
    pub fn ops_figure(self) -> Option<OpsFigure> {
        Some(match self {
            Figure::Workshops => OpsFigure::Workshops,
            Figure::ElementJobs => OpsFigure::ElementJobs,
            Figure::TeamRevenue => OpsFigure::TeamRevenue,
            Figure::TeamCollectiveIncome => OpsFigure::TeamCollectiveIncome,
            Figure::TeamVisitors => OpsFigure::TeamVisitors,
            Figure::TeamJobs => OpsFigure::TeamJobs,
            Figure::DividendYield => OpsFigure::DividendYield,
            _ => return None,
        })
    }
}

/// The unit of a rule's numeric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Basis points: 7,200 = 72 %.
    Percent,
    /// Fen, shown in 万元.
    Fen,
    /// 个 / 次.
    Count,
    /// 人.
    Persons,
    /// 人次.
    PersonTimes,
    /// 项.
    Items,
    /// 平方米.
    SquareMetres,
}

impl Unit {
    /// A value with its unit, as explanations show it: `72%`, `1,000 万元`, `4 个`.
    pub fn show(self, v: i64) -> String {
        let n = crate::money::count_string(v);
        match self {
            Unit::Percent => pct(v),
            Unit::Fen => format!("{} 万元", wan(v)),
            Unit::Count => format!("{n} 个"),
            Unit::Persons => format!("{n} 人"),
            Unit::PersonTimes => format!("{n} 人次"),
            Unit::Items => format!("{n} 项"),
            Unit::SquareMetres => format!("{n} 平方米"),
        }
    }
}

/// A mark a GRADE rule allows, its share of the maximum and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkLevel {
    pub mark: Mark,
    /// Share of the maximum in basis points (A 10,000 = 100 %).
    pub share_bp: i64,
    /// The assessor's description of the level (e.g. 「已批复且含运营方案」).
    pub meaning: String,
}

/// A bonus item (加分项): `points_each` per occurrence up to `cap`; items sharing a `group`
/// do not stack — the highest counts (B1/B2 「取高者」).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BonusItem {
    pub id: String,
    pub label: String,
    pub points_each: Points,
    pub cap: Points,
    #[serde(default)]
    pub group: Option<String>,
}

/// A penalty item (扣分项): `points_each` per occurrence, up to `cap` when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyItem {
    pub id: String,
    pub label: String,
    pub points_each: Points,
    #[serde(default)]
    pub cap: Option<Points>,
}

/// A veto item (一票否决项): any one makes the grade 不合格, with no award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoItem {
    pub id: String,
    pub label: String,
}

/// A grade band: a total of at least `min` earns `rating` (bands are checked best first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub rating: Rating,
    pub min: Points,
}

impl Rubric {
    /// Every rule, with its dimension and indicator, in rubric order.
    pub fn rules(&self) -> impl Iterator<Item = (&Dimension, &Indicator, &Rule)> {
        self.dimensions.iter().flat_map(|d| {
            d.indicators
                .iter()
                .flat_map(move |i| i.rules.iter().map(move |r| (d, i, r)))
        })
    }

    /// The rating of a total that is not vetoed: the first band whose minimum it reaches.
    pub fn rating_of(&self, total: Points) -> Rating {
        self.bands
            .iter()
            .find(|b| total >= b.min)
            .map(|b| b.rating)
            .unwrap_or(Rating::Fail)
    }

    /// Refuses an inconsistent rubric. Every error names the indicator (or item) and field.
    pub fn validate(&self) -> Result<(), Vec<DomainError>> {
        let mut errs = Vec::new();
        let mut e = |code: &'static str, field: String, msg: String| {
            errs.push(DomainError::new(code, field, msg));
        };
        if !(2000..=2100).contains(&self.year) {
            e(
                "invalid_year",
                "year".into(),
                format!("年度 {} 应在 2000 到 2100 之间", self.year),
            );
        }
        if self.version == 0 {
            e(
                "invalid_version",
                "version".into(),
                "版本号应从 1 开始".into(),
            );
        }
        if self.name.trim().is_empty() {
            e("required", "name".into(), "评分细则名称不能为空".into());
        }
        if self.dimensions.is_empty() {
            e(
                "required",
                "dimensions".into(),
                "至少需要一个一级指标".into(),
            );
        }
        let dim_sum: Points = self.dimensions.iter().map(|d| d.max).sum();
        if dim_sum != self.total {
            e(
                "points_mismatch",
                "total".into(),
                format!(
                    "各一级指标分值合计 {} 分，与总分 {} 分不符",
                    dim_sum.short_string(),
                    self.total.short_string()
                ),
            );
        }
        let mut ids = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for (di, d) in self.dimensions.iter().enumerate() {
            let f = format!("dimensions[{di}]");
            if d.name.trim().is_empty() {
                e(
                    "required",
                    format!("{f}.name"),
                    format!("一级指标 {} 缺少名称", d.id),
                );
            }
            if !ids.insert(d.id.clone()) {
                e(
                    "duplicate_id",
                    format!("{f}.id"),
                    format!("编号 {} 重复", d.id),
                );
            }
            if d.indicators.is_empty() {
                e(
                    "required",
                    format!("{f}.indicators"),
                    format!("一级指标 {} {} 没有二级指标", d.id, d.name),
                );
            }
            let sum: Points = d.indicators.iter().map(|i| i.max).sum();
            if sum != d.max {
                e(
                    "points_mismatch",
                    format!("{f}.max"),
                    format!(
                        "一级指标 {} {} 的二级指标分值合计 {} 分，与其分值 {} 分不符",
                        d.id,
                        d.name,
                        sum.short_string(),
                        d.max.short_string()
                    ),
                );
            }
            for (ii, ind) in d.indicators.iter().enumerate() {
                let f = format!("{f}.indicators[{ii}]");
                let who = format!("指标 {}", ind.id);
                if !ids.insert(ind.id.clone()) {
                    e(
                        "duplicate_id",
                        format!("{f}.id"),
                        format!("{who}：编号重复"),
                    );
                }
                if ind.name.trim().is_empty() {
                    e("required", format!("{f}.name"), format!("{who}：缺少名称"));
                }
                if ind.department.trim().is_empty() {
                    e(
                        "required",
                        format!("{f}.department"),
                        format!("{who}：缺少评分责任部门"),
                    );
                }
                if ind.max <= Points::ZERO {
                    e(
                        "invalid_points",
                        format!("{f}.max"),
                        format!("{who}：分值应大于 0"),
                    );
                }
                if ind.rules.is_empty() {
                    e(
                        "required",
                        format!("{f}.rules"),
                        format!("{who}：至少需要一条评分规则"),
                    );
                    continue;
                }
                let combined = match ind.combine {
                    Combine::Sum => ind.rules.iter().map(|r| r.max).sum(),
                    Combine::Max => ind.rules.iter().map(|r| r.max).max().unwrap_or_default(),
                };
                if combined != ind.max {
                    e(
                        "points_mismatch",
                        format!("{f}.max"),
                        format!(
                            "{who}：评分规则{}满分 {} 分，与指标分值 {} 分不符",
                            if ind.combine == Combine::Sum {
                                "合计"
                            } else {
                                "最高"
                            },
                            combined.short_string(),
                            ind.max.short_string()
                        ),
                    );
                }
                for (ri, r) in ind.rules.iter().enumerate() {
                    let f = format!("{f}.rules[{ri}]");
                    if !keys.insert(r.key.clone()) {
                        e(
                            "duplicate_key",
                            format!("{f}.key"),
                            format!("{who}：规则键 {} 重复", r.key),
                        );
                    }
                    if r.max <= Points::ZERO {
                        e(
                            "invalid_points",
                            format!("{f}.max"),
                            format!("{who}：规则「{}」分值应大于 0", r.label),
                        );
                    }
                    check_method(&who, &f, r, &mut e);
                }
            }
        }
        self.check_items(&mut ids, &mut e);
        self.check_bands(&mut e);
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    fn check_items(
        &self,
        ids: &mut BTreeSet<String>,
        e: &mut impl FnMut(&'static str, String, String),
    ) {
        if self.bonus_cap < Points::ZERO {
            e(
                "invalid_points",
                "bonus_cap".into(),
                "加分上限不能为负".into(),
            );
        }
        for (i, b) in self.bonus.iter().enumerate() {
            let f = format!("bonus[{i}]");
            if !ids.insert(b.id.clone()) {
                e(
                    "duplicate_id",
                    format!("{f}.id"),
                    format!("加分项 {}：编号重复", b.id),
                );
            }
            if b.points_each <= Points::ZERO {
                e(
                    "invalid_points",
                    format!("{f}.points_each"),
                    format!("加分项 {}：每项分值应大于 0", b.id),
                );
            }
            if b.cap < b.points_each {
                e(
                    "invalid_points",
                    format!("{f}.cap"),
                    format!("加分项 {}：上限应不低于每项分值", b.id),
                );
            }
        }
        for (i, p) in self.penalties.iter().enumerate() {
            let f = format!("penalties[{i}]");
            if !ids.insert(p.id.clone()) {
                e(
                    "duplicate_id",
                    format!("{f}.id"),
                    format!("扣分项 {}：编号重复", p.id),
                );
            }
            if p.points_each <= Points::ZERO {
                e(
                    "invalid_points",
                    format!("{f}.points_each"),
                    format!("扣分项 {}：每项分值应大于 0", p.id),
                );
            }
            if p.cap.is_some_and(|c| c < p.points_each) {
                e(
                    "invalid_points",
                    format!("{f}.cap"),
                    format!("扣分项 {}：上限应不低于每项分值", p.id),
                );
            }
        }
        for (i, v) in self.vetoes.iter().enumerate() {
            if !ids.insert(v.id.clone()) {
                e(
                    "duplicate_id",
                    format!("vetoes[{i}].id"),
                    format!("否决项 {}：编号重复", v.id),
                );
            }
        }
    }

    fn check_bands(&self, e: &mut impl FnMut(&'static str, String, String)) {
        let Some(last) = self.bands.last() else {
            e("required", "bands".into(), "至少需要等次「不合格」".into());
            return;
        };
        if last.rating != Rating::Fail || last.min != Points::ZERO {
            e(
                "bands_not_covering",
                format!("bands[{}]", self.bands.len() - 1),
                "最后一个等次应为「不合格」且下限为 0 分，才能覆盖所有得分".into(),
            );
        }
        for (i, w) in self.bands.windows(2).enumerate() {
            if w[0].rating >= w[1].rating || w[0].min <= w[1].min {
                e(
                    "bands_unordered",
                    format!("bands[{}]", i + 1),
                    format!(
                        "等次应从高到低排列、下限递减：「{}」{} 分之后是「{}」{} 分",
                        w[0].rating.label(),
                        w[0].min.short_string(),
                        w[1].rating.label(),
                        w[1].min.short_string()
                    ),
                );
            }
        }
        if let Some(first) = self.bands.first()
            && first.min > self.total
        {
            e(
                "bands_unreachable",
                "bands[0].min".into(),
                format!(
                    "等次「{}」下限 {} 分高于总分 {} 分",
                    first.rating.label(),
                    first.min.short_string(),
                    self.total.short_string()
                ),
            );
        }
    }
}

fn check_method(who: &str, f: &str, r: &Rule, e: &mut impl FnMut(&'static str, String, String)) {
    let label = &r.label;
    match &r.method {
        Method::Step { steps } => check_steps(who, f, r, steps, e),
        Method::Lin {
            target,
            floor,
            cutoff,
        } => {
            let x0 = floor.unwrap_or(0);
            if *target <= x0 {
                e(
                    "invalid_target",
                    format!("{f}.method.target"),
                    format!(
                        "{who}：规则「{label}」目标值 {} 应大于起点 {}",
                        r.unit.show(*target),
                        r.unit.show(x0)
                    ),
                );
            }
            if cutoff.is_some_and(|c| c > *target) {
                e(
                    "invalid_target",
                    format!("{f}.method.cutoff"),
                    format!("{who}：规则「{label}」不计分线不应高于目标值"),
                );
            }
        }
        Method::Cov { .. } | Method::Bin => {}
        Method::Rel { tiers } => check_tiers(who, f, r, tiers, e),
        Method::Grade { levels } => {
            if levels.is_empty() {
                e(
                    "required",
                    format!("{f}.method.levels"),
                    format!("{who}：规则「{label}」至少需要一个等级"),
                );
            }
            let mut seen = BTreeSet::new();
            for (i, l) in levels.iter().enumerate() {
                if !(0..=10_000).contains(&l.share_bp) {
                    e(
                        "invalid_share",
                        format!("{f}.method.levels[{i}].share_bp"),
                        format!(
                            "{who}：等级 {} 的得分比例 {} 应在 0% 到 100% 之间",
                            l.mark.label(),
                            pct(l.share_bp)
                        ),
                    );
                }
                if !seen.insert(l.mark) {
                    e(
                        "duplicate_mark",
                        format!("{f}.method.levels[{i}].mark"),
                        format!("{who}：等级 {} 重复", l.mark.label()),
                    );
                }
            }
            for (i, w) in levels.windows(2).enumerate() {
                if w[0].mark >= w[1].mark || w[0].share_bp < w[1].share_bp {
                    e(
                        "levels_unordered",
                        format!("{f}.method.levels[{}]", i + 1),
                        format!(
                            "{who}：等级应按 A→D 排列且得分比例不升高（{} {} 之后是 {} {}）",
                            w[0].mark.label(),
                            pct(w[0].share_bp),
                            w[1].mark.label(),
                            pct(w[1].share_bp)
                        ),
                    );
                }
            }
            if levels.first().is_some_and(|l| l.share_bp != 10_000) {
                e(
                    "max_unreachable",
                    format!("{f}.method.levels[0].share_bp"),
                    format!("{who}：最高等级应得满分（100%），否则指标达不到满分"),
                );
            }
        }
    }
}

fn check_steps(
    who: &str,
    f: &str,
    r: &Rule,
    steps: &[Step],
    e: &mut impl FnMut(&'static str, String, String),
) {
    if steps.is_empty() {
        e(
            "required",
            format!("{f}.method.steps"),
            format!("{who}：规则「{}」至少需要一档", r.label),
        );
        return;
    }
    for (i, s) in steps.iter().enumerate() {
        if s.points < Points::ZERO || s.points > r.max {
            e(
                "invalid_points",
                format!("{f}.method.steps[{i}].points"),
                format!(
                    "{who}：第 {} 档分值 {} 应在 0 到满分 {} 之间",
                    i + 1,
                    s.points.short_string(),
                    r.max.short_string()
                ),
            );
        }
    }
    for (i, w) in steps.windows(2).enumerate() {
        if w[0].at_least >= w[1].at_least || w[0].points > w[1].points {
            e(
                "steps_unordered",
                format!("{f}.method.steps[{}]", i + 1),
                format!(
                    "{who}：各档门槛应递增、分值不降低（{} → {} 之后是 {} → {}）",
                    r.unit.show(w[0].at_least),
                    w[0].points.short_string(),
                    r.unit.show(w[1].at_least),
                    w[1].points.short_string()
                ),
            );
        }
    }
    if steps.last().is_some_and(|s| s.points != r.max) {
        e(
            "max_unreachable",
            format!("{f}.method.steps"),
            format!("{who}：最高档应得满分 {} 分", r.max.short_string()),
        );
    }
}

fn check_tiers(
    who: &str,
    f: &str,
    r: &Rule,
    tiers: &[RelTier],
    e: &mut impl FnMut(&'static str, String, String),
) {
    if tiers.is_empty() {
        e(
            "required",
            format!("{f}.method.tiers"),
            format!("{who}：规则「{}」至少需要一档", r.label),
        );
        return;
    }
    for (i, t) in tiers.iter().enumerate() {
        if t.points < Points::ZERO || t.points > r.max {
            e(
                "invalid_points",
                format!("{f}.method.tiers[{i}].points"),
                format!("{who}：第 {} 档分值应在 0 到满分之间", i + 1),
            );
        }
    }
    for (i, w) in tiers.windows(2).enumerate() {
        if w[0].margin_bp <= w[1].margin_bp || w[0].points < w[1].points {
            e(
                "tiers_unordered",
                format!("{f}.method.tiers[{}]", i + 1),
                format!("{who}：对标各档应按高出幅度从高到低排列，分值不升高"),
            );
        }
    }
    if tiers.first().is_some_and(|t| t.points != r.max) {
        e(
            "max_unreachable",
            format!("{f}.method.tiers[0].points"),
            format!("{who}：最高档应得满分 {} 分", r.max.short_string()),
        );
    }
}
