//! Awards (奖补, rules.md "Awards"): district key-zone awards by grade or linear rule up to a
//! cap, operating-team awards (pass line, ranking with tie-breakers, at most five distinct
//! teams, a fixed amount each), and one annual budget with a stated shortfall rule. All money
//! is `Fen`; the pro-rata scale-down goes through `money::largest_remainder`, so the amounts
//! add up to the budget exactly. The result records every input that produced it.

use super::score::Scorecard;
use super::{Points, Rating, pct};
use crate::money::largest_remainder;
use crate::{DomainError, Fen};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use time::Date;

/// How a zone's award follows from its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ZoneAwardMode {
    /// A share of the cap by grade (basis points): 优秀 100 %, 良好 80 %, 合格 50 % by default.
    Grade {
        excellent_bp: i64,
        good_bp: i64,
        pass_bp: i64,
    },
    /// `cap × clamp((score − low) / (high − low), 0, 1)`, 70 → 90 by default; floored to the fen.
    Linear { low: Points, high: Points },
}

impl ZoneAwardMode {
    pub const DEFAULT_GRADE: ZoneAwardMode = ZoneAwardMode::Grade {
        excellent_bp: 10_000,
        good_bp: 8_000,
        pass_bp: 5_000,
    };
    pub const DEFAULT_LINEAR: ZoneAwardMode = ZoneAwardMode::Linear {
        low: Points::whole(70),
        high: Points::whole(90),
    };
    pub fn label(self) -> &'static str {
        match self {
            ZoneAwardMode::Grade { .. } => "按等次",
            ZoneAwardMode::Linear { .. } => "按分数线性",
        }
    }
}

/// The zone award's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneAwardRules {
    /// Per zone; the policy's 1,000,000 元 = 100,000,000 fen.
    pub cap: Fen,
    pub mode: ZoneAwardMode,
    /// 以奖代补 cap `r × audited eligible investment`, in basis points; off (`None`) by default.
    pub investment_share_bp: Option<i64>,
}

impl Default for ZoneAwardRules {
    fn default() -> Self {
        ZoneAwardRules {
            cap: Fen(100_000_000),
            mode: ZoneAwardMode::DEFAULT_GRADE,
            investment_share_bp: None,
        }
    }
}

/// The team award's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAwardRules {
    /// Per team; the policy's 200,000 元 = 20,000,000 fen.
    pub amount: Fen,
    /// Distinct teams a year; the policy's 5.
    pub max_teams: u32,
    /// Pass line as a share of the rubric maximum (6,000 bp = 60 %, Lin'an's 120/200).
    pub pass_share_bp: i64,
}

impl Default for TeamAwardRules {
    fn default() -> Self {
        TeamAwardRules {
            amount: Fen(20_000_000),
            max_teams: 5,
            pass_share_bp: 6_000,
        }
    }
}

/// What happens when the awards claimed exceed the budget (预算不足时).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    /// Every award scaled by budget ÷ claims, split by the largest-remainder rule.
    ProRata,
    /// Higher score (as a share of its rubric's maximum) first, in full, until the budget runs
    /// out; the first one that does not fit gets what is left (a partial award, marked), the
    /// ones after it nothing.
    RankOrder,
}

impl Shortfall {
    pub fn label(self) -> &'static str {
        match self {
            Shortfall::ProRata => "按比例压减",
            Shortfall::RankOrder => "按名次顺序拨付",
        }
    }
}

/// A zone put forward for the award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneCandidate {
    pub zone: i64,
    /// Designated 区级重点片区 in the assessment year.
    pub district_key: bool,
    pub total: Points,
    pub max: Points,
    pub rating: Rating,
    pub vetoed: bool,
    /// Audited eligible investment, for the optional investment cap.
    pub eligible_investment: Option<Fen>,
}

impl ZoneCandidate {
    pub fn from_card(
        zone: i64,
        district_key: bool,
        card: &Scorecard,
        eligible_investment: Option<Fen>,
    ) -> ZoneCandidate {
        ZoneCandidate {
            zone,
            district_key,
            total: card.total,
            max: card.max,
            rating: card.rating,
            vetoed: card.vetoed(),
            eligible_investment,
        }
    }
}

/// An operating team put forward for the award (a team serving several zones may appear more
/// than once; it is awarded at most once, on its best entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCandidate {
    pub team: i64,
    pub total: Points,
    /// The team rubric's maximum, for the pass line.
    pub max: Points,
    pub vetoed: bool,
    /// Tie-breaker 1: increase in 村集体经营性收入 attributable to the team.
    pub collective_income_increase: Fen,
    /// Tie-breaker 2: operating revenue.
    pub revenue: Fen,
    /// Tie-breaker 3: the earlier contract wins; unknown sorts last.
    pub contract_start: Option<Date>,
    /// Last year's total on the same rubric maximum, for the exit flag (Lin'an rule: below the
    /// pass line two years running).
    #[serde(default)]
    pub last_total: Option<Points>,
}

impl TeamCandidate {
    pub fn from_card(
        team: i64,
        card: &Scorecard,
        collective_income_increase: Fen,
        revenue: Fen,
        contract_start: Option<Date>,
        last_year: Option<&Scorecard>,
    ) -> TeamCandidate {
        TeamCandidate {
            team,
            total: card.total,
            max: card.max,
            vetoed: card.vetoed(),
            collective_income_increase,
            revenue,
            contract_start,
            last_total: last_year.map(|c| c.total),
        }
    }
}

/// Everything the allocation reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardInput {
    pub year: i32,
    pub zone_rubric_version: u32,
    pub team_rubric_version: u32,
    pub zone_rules: ZoneAwardRules,
    pub team_rules: TeamAwardRules,
    /// The year's budget for zone and team awards together; `None`: no limit.
    pub budget: Option<Fen>,
    pub shortfall: Shortfall,
    pub zones: Vec<ZoneCandidate>,
    pub teams: Vec<TeamCandidate>,
}

/// An exact fraction `num / den` (the budget scale factor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fraction {
    pub num: i64,
    pub den: i64,
}

impl Fraction {
    fn reduced(num: i64, den: i64) -> Fraction {
        let (mut a, mut b) = (num.unsigned_abs(), den.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1) as i64;
        Fraction {
            num: num / g,
            den: den / g,
        }
    }
}

/// One zone's award line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneAward {
    pub zone: i64,
    pub total: Points,
    /// The rubric maximum the total is out of.
    pub max: Points,
    pub rating: Rating,
    pub eligible: bool,
    /// Why not eligible, or why less than the claim, in Chinese.
    pub reasons: Vec<String>,
    /// E.g. 「良好：1,000,000.00 × 80% = 800,000.00」.
    pub formula: String,
    /// Before the budget (应奖).
    pub claim: Fen,
    /// After the budget (实奖).
    pub amount: Fen,
    /// Rank-order mode: the award the budget ran out on.
    pub partial: bool,
}

/// One team's award line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAward {
    pub team: i64,
    pub total: Points,
    pub max: Points,
    pub eligible: bool,
    /// Place among the eligible distinct teams.
    pub position: Option<usize>,
    pub reasons: Vec<String>,
    pub claim: Fen,
    pub amount: Fen,
    pub partial: bool,
    /// Below the pass line this year and last year: flagged for exit (退出预警).
    pub exit_flag: bool,
}

/// The year's award list with every input that produced it (审计留痕).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardResult {
    pub input: AwardInput,
    /// Σ claims of zones and teams.
    pub claims_total: Fen,
    pub paid_total: Fen,
    /// `paid ÷ claims` when the budget ran short (pro rata: every award's factor); `None`
    /// when every claim is paid in full.
    pub scale: Option<Fraction>,
    pub zones: Vec<ZoneAward>,
    pub teams: Vec<TeamAward>,
    /// How the budget was applied, in Chinese.
    pub note: String,
}

fn check_rules(input: &AwardInput) -> Result<(), Vec<DomainError>> {
    let mut errs = Vec::new();
    let mut e = |field: &str, msg: &str| {
        errs.push(DomainError::new("invalid_award_rule", field, msg));
    };
    let z = &input.zone_rules;
    if z.cap.0 < 0 {
        e("zone_rules.cap", "片区奖补上限不能为负");
    }
    match z.mode {
        ZoneAwardMode::Grade {
            excellent_bp,
            good_bp,
            pass_bp,
        } => {
            let ok = |v: i64| (0..=10_000).contains(&v);
            if !(ok(excellent_bp) && ok(good_bp) && ok(pass_bp))
                || excellent_bp < good_bp
                || good_bp < pass_bp
            {
                e(
                    "zone_rules.mode",
                    "按等次奖补的比例应在 0% 到 100% 之间，且优秀 ≥ 良好 ≥ 合格",
                );
            }
        }
        ZoneAwardMode::Linear { low, high } => {
            if high <= low || low < Points::ZERO {
                e("zone_rules.mode", "线性奖补的满额分数线应高于起点分数线");
            }
        }
    }
    if z.investment_share_bp
        .is_some_and(|r| !(0..=10_000).contains(&r))
    {
        e(
            "zone_rules.investment_share_bp",
            "投资额比例上限应在 0% 到 100% 之间",
        );
    }
    let t = &input.team_rules;
    if t.amount.0 < 0 {
        e("team_rules.amount", "运营团队奖补金额不能为负");
    }
    if !(0..=10_000).contains(&t.pass_share_bp) {
        e("team_rules.pass_share_bp", "合格线应在 0% 到 100% 之间");
    }
    if input.budget.is_some_and(|b| b.0 < 0) {
        e("budget", "年度预算不能为负");
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// `a.total / a.max` against `b.total / b.max`, exactly (cross-multiplied); a zero maximum
/// counts as a zero score.
fn cmp_share(a: (Points, Points), b: (Points, Points)) -> Ordering {
    let lhs = i128::from(a.0.0) * i128::from(b.1.0.max(1));
    let rhs = i128::from(b.0.0) * i128::from(a.1.0.max(1));
    lhs.cmp(&rhs)
}

fn zone_claim(rules: &ZoneAwardRules, c: &ZoneCandidate) -> (Fen, String, Vec<String>) {
    let cap = rules.cap;
    let mut reasons = Vec::new();
    let (mut claim, formula) = match rules.mode {
        ZoneAwardMode::Grade {
            excellent_bp,
            good_bp,
            pass_bp,
        } => {
            let share = match c.rating {
                Rating::Excellent => excellent_bp,
                Rating::Good => good_bp,
                Rating::Pass => pass_bp,
                Rating::Fail => 0,
            };
            let v = Fen((i128::from(cap.0) * i128::from(share) / 10_000) as i64);
            (
                v,
                format!(
                    "{}：{} × {} = {}",
                    c.rating.label(),
                    cap.yuan_string(),
                    pct(share),
                    v.yuan_string()
                ),
            )
        }
        ZoneAwardMode::Linear { low, high } => {
            let num = (c.total.0 - low.0).clamp(0, high.0 - low.0);
            let v = Fen((i128::from(cap.0) * i128::from(num) / i128::from(high.0 - low.0)) as i64);
            (
                v,
                format!(
                    "{} × clamp(({} − {}) ÷ ({} − {}), 0, 1) = {}",
                    cap.yuan_string(),
                    c.total,
                    low.short_string(),
                    high.short_string(),
                    low.short_string(),
                    v.yuan_string()
                ),
            )
        }
    };
    if let Some(r) = rules.investment_share_bp {
        match c.eligible_investment {
            None => {
                claim = Fen::ZERO;
                reasons.push("启用了投资额上限，但未提供经审计的合格投资额".to_string());
            }
            Some(inv) => {
                let limit = Fen((i128::from(inv.0.max(0)) * i128::from(r) / 10_000) as i64);
                if limit < claim {
                    reasons.push(format!(
                        "不超过合格投资额 {} 的 {} = {}",
                        inv.yuan_string(),
                        pct(r),
                        limit.yuan_string()
                    ));
                    claim = limit;
                }
            }
        }
    }
    (claim, formula, reasons)
}

/// Allocates the year's zone and team awards within the budget. Pure; the same input gives
/// the same output. Refuses inconsistent parameters with Chinese messages.
pub fn allocate(input: &AwardInput) -> Result<AwardResult, Vec<DomainError>> {
    check_rules(input)?;
    // ---- zones: eligibility and claims, in zone-id order
    let mut zones: Vec<ZoneAward> = input
        .zones
        .iter()
        .map(|c| {
            let mut reasons = Vec::new();
            if !c.district_key {
                reasons.push("不是本年度区级重点片区".to_string());
            }
            if c.vetoed {
                reasons.push("触发一票否决项".to_string());
            } else if c.rating == Rating::Fail {
                reasons.push(format!(
                    "等次为不合格（{} 分）",
                    c.total.one_decimal_string()
                ));
            }
            let eligible = reasons.is_empty();
            let (claim, formula) = if eligible {
                let (claim, formula, more) = zone_claim(&input.zone_rules, c);
                reasons.extend(more);
                (claim, formula)
            } else {
                (Fen::ZERO, String::new())
            };
            ZoneAward {
                zone: c.zone,
                total: c.total,
                max: c.max,
                rating: c.rating,
                eligible,
                reasons,
                formula,
                claim,
                amount: claim,
                partial: false,
            }
        })
        .collect();
    zones.sort_by_key(|z| z.zone);

    // ---- teams: pass line, one entry per team, ranking, the five places
    let tr = &input.team_rules;
    let order = |a: &TeamCandidate, b: &TeamCandidate| {
        cmp_share((b.total, b.max), (a.total, a.max))
            .then(
                b.collective_income_increase
                    .cmp(&a.collective_income_increase),
            )
            .then(b.revenue.cmp(&a.revenue))
            .then(match (a.contract_start, b.contract_start) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then(a.team.cmp(&b.team))
    };
    let mut cands: Vec<&TeamCandidate> = input.teams.iter().collect();
    cands.sort_by(|a, b| order(a, b));
    let mut teams: Vec<TeamAward> = Vec::with_capacity(cands.len());
    let mut seen = std::collections::BTreeSet::new();
    let mut placed: Vec<&TeamCandidate> = Vec::new();
    for c in &cands {
        let mut reasons = Vec::new();
        let passes_with = |total: Points| {
            i128::from(total.0) * 10_000 >= i128::from(c.max.0) * i128::from(tr.pass_share_bp)
        };
        let passes = passes_with(c.total);
        let exit_flag = !passes && c.last_total.is_some_and(|l| !passes_with(l));
        // The five places are distinct teams: a team is judged on its best entry only.
        if !seen.insert(c.team) {
            reasons.push("同一团队只按其最好成绩参评一次".to_string());
        } else {
            if c.vetoed {
                reasons.push("触发一票否决项".to_string());
            }
            if !passes {
                reasons.push(format!(
                    "{} 分未达合格线（满分 {} 的 {}）",
                    c.total.one_decimal_string(),
                    c.max.short_string(),
                    pct(tr.pass_share_bp)
                ));
            }
        }
        let eligible = reasons.is_empty();
        let mut position = None;
        let mut claim = Fen::ZERO;
        if eligible {
            let place = placed.len() + 1;
            position = Some(place);
            if let Some(prev) = placed.last()
                && cmp_share((prev.total, prev.max), (c.total, c.max)) == Ordering::Equal
            {
                reasons.push(tie_note(prev, c));
            }
            if place as u64 <= u64::from(tr.max_teams) {
                claim = tr.amount;
            } else {
                reasons.push(format!(
                    "名次第 {place} 名，超出每年 {} 个团队的名额",
                    tr.max_teams
                ));
            }
            placed.push(c);
        }
        teams.push(TeamAward {
            team: c.team,
            total: c.total,
            max: c.max,
            eligible,
            position,
            reasons,
            claim,
            amount: claim,
            partial: false,
            exit_flag,
        });
        if exit_flag && let Some(t) = teams.last_mut() {
            t.reasons.push("连续两年低于合格线，建议退出".to_string());
        }
    }

    // ---- the budget
    let claims_total: Fen = zones
        .iter()
        .map(|z| z.claim)
        .chain(teams.iter().map(|t| t.claim))
        .sum();
    let mut scale = None;
    let mut note = "预算充足，按应奖金额全额拨付".to_string();
    if let Some(budget) = input.budget
        && budget < claims_total
    {
        scale = Some(Fraction::reduced(budget.0, claims_total.0));
        match input.shortfall {
            Shortfall::ProRata => {
                // Zones by id, then teams by place: the largest-remainder tie order.
                let weights: Vec<i64> = zones
                    .iter()
                    .map(|z| z.claim.0)
                    .chain(teams.iter().map(|t| t.claim.0))
                    .collect();
                let parts = largest_remainder(budget.0, &weights);
                let (zp, tp) = parts.split_at(zones.len());
                for (z, p) in zones.iter_mut().zip(zp) {
                    z.amount = Fen(*p);
                }
                for (t, p) in teams.iter_mut().zip(tp) {
                    t.amount = Fen(*p);
                }
                note = format!(
                    "应奖合计 {} 元超出预算 {} 元，各项按 {} ÷ {} 等比例压减（最大余数法取整到分）",
                    claims_total.yuan_string(),
                    budget.yuan_string(),
                    budget.yuan_string(),
                    claims_total.yuan_string()
                );
            }
            Shortfall::RankOrder => {
                // Higher share of the rubric maximum first; zones before teams on a tie (the
                // policy names them first), then the lower id.
                let mut claims: Vec<(Points, Points, u8, i64, usize)> = zones
                    .iter()
                    .enumerate()
                    .filter(|(_, z)| z.claim > Fen::ZERO)
                    .map(|(i, z)| (z.total, z.max, 0u8, z.zone, i))
                    .chain(
                        teams
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.claim > Fen::ZERO)
                            .map(|(i, t)| (t.total, t.max, 1u8, t.team, i)),
                    )
                    .collect();
                claims.sort_by(|a, b| {
                    cmp_share((b.0, b.1), (a.0, a.1))
                        .then(a.2.cmp(&b.2))
                        .then(a.3.cmp(&b.3))
                });
                let mut left = budget;
                for (_, _, kind, _, i) in claims {
                    let (claim, amount, partial, reasons) = if kind == 0 {
                        let z = &mut zones[i];
                        (z.claim, &mut z.amount, &mut z.partial, &mut z.reasons)
                    } else {
                        let t = &mut teams[i];
                        (t.claim, &mut t.amount, &mut t.partial, &mut t.reasons)
                    };
                    let pay = claim.min(left);
                    *amount = pay;
                    left = left - pay;
                    if pay < claim {
                        if pay > Fen::ZERO {
                            *partial = true;
                            reasons.push(format!(
                                "预算余额不足，仅拨付剩余的 {} 元",
                                pay.yuan_string()
                            ));
                        } else {
                            reasons.push("预算已用完，本年度不予拨付".to_string());
                        }
                    }
                }
                note = format!(
                    "应奖合计 {} 元超出预算 {} 元，按得分率从高到低全额拨付，预算不足的一项拨付余额（标注为部分拨付），其后各项不予拨付",
                    claims_total.yuan_string(),
                    budget.yuan_string()
                );
            }
        }
    }
    let paid_total: Fen = zones
        .iter()
        .map(|z| z.amount)
        .chain(teams.iter().map(|t| t.amount))
        .sum();
    Ok(AwardResult {
        input: input.clone(),
        claims_total,
        paid_total,
        scale,
        zones,
        teams,
        note,
    })
}

/// Which tie-breaker put `b` after `a` (equal scores), in Chinese.
fn tie_note(a: &TeamCandidate, b: &TeamCandidate) -> String {
    let why = if a.collective_income_increase != b.collective_income_increase {
        format!(
            "带动村集体经营性收入增加 {} 元少于团队 {} 的 {} 元",
            b.collective_income_increase.yuan_string(),
            a.team,
            a.collective_income_increase.yuan_string()
        )
    } else if a.revenue != b.revenue {
        format!(
            "运营收入 {} 元少于团队 {} 的 {} 元",
            b.revenue.yuan_string(),
            a.team,
            a.revenue.yuan_string()
        )
    } else if a.contract_start != b.contract_start {
        "签约日期晚于前一名".to_string()
    } else {
        "各项并列，按团队编号".to_string()
    };
    format!("与团队 {} 同分，{why}，排在其后", a.team)
}
