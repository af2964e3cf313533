//! Scoring, ranking and award rules; property tests; the worked example of
//! `docs/scoring-example.md`.

use super::method::DEFAULT_MARK_SHARES;
use super::*;
use crate::Fen;
use proptest::prelude::*;
use time::macros::date;

fn zone_rubric() -> Rubric {
    default_zone_rubric(2025)
}

fn with_values(pairs: &[(&str, Input)]) -> Inputs {
    Inputs {
        values: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ..Inputs::default()
    }
}

fn ratio(c: i64, t: i64) -> Input {
    Input::Ratio(Ratio::new(c, t).unwrap())
}

// ---- validation -------------------------------------------------------------------------

#[test]
fn validate_names_the_indicator_and_field() {
    let mut r = zone_rubric();
    r.dimensions[0].indicators[1].rules[0].max = Points::whole(5);
    let errs = r.validate().unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.field == "dimensions[0].indicators[1].max"
                && e.message.contains("指标 1.2")
                && e.message.contains("5 分")),
        "{errs:?}"
    );

    let mut r = zone_rubric();
    if let Method::Step { steps } = &mut r.dimensions[1].indicators[1].rules[0].method {
        steps.swap(0, 1);
    }
    let errs = r.validate().unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.code == "steps_unordered" && e.message.starts_with("指标 2.2")),
        "{errs:?}"
    );

    let mut r = zone_rubric();
    if let Method::Grade { levels } = &mut r.dimensions[0].indicators[0].rules[0].method {
        levels[1].share_bp = 12_000;
    }
    let errs = r.validate().unwrap_err();
    assert!(errs.iter().any(|e| e.code == "invalid_share"
        && e.field == "dimensions[0].indicators[0].rules[0].method.levels[1].share_bp"));

    let mut r = zone_rubric();
    r.dimensions[7].max = Points::whole(21);
    let errs = r.validate().unwrap_err();
    assert!(errs.iter().any(|e| e.field == "total"));
    assert!(errs.iter().any(|e| e.field == "dimensions[7].max"));

    let mut r = zone_rubric();
    r.bands.swap(1, 2);
    assert!(
        r.validate()
            .unwrap_err()
            .iter()
            .any(|e| e.code == "bands_unordered")
    );
    let mut r = zone_rubric();
    r.bands.pop();
    assert!(
        r.validate()
            .unwrap_err()
            .iter()
            .any(|e| e.code == "bands_not_covering")
    );

    let mut r = zone_rubric();
    r.dimensions[0].indicators[2].department = " ".into();
    r.dimensions[0].indicators[2].rules[0].key = "1.2".into();
    let errs = r.validate().unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.message == "指标 1.3：缺少评分责任部门")
    );
    assert!(errs.iter().any(|e| e.code == "duplicate_key"));
}

#[test]
fn inputs_are_checked_against_the_rubric() {
    let r = zone_rubric();
    let mut i = with_values(&[("1.2", Input::Mark(Mark::A)), ("9.9", Input::Number(1))]);
    i.bonus.insert("B9".into(), 1);
    i.vetoes.insert("V1".into());
    let errs = i.check(&r).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs[0].message.contains("应填数值") || errs[1].message.contains("应填数值"));
}

// ---- scoring -----------------------------------------------------------------------------

#[test]
fn missing_values_score_zero_and_are_marked() {
    let c = score(&zone_rubric(), &Inputs::default());
    assert_eq!(c.base, Points::ZERO);
    // 2.4 is full when there are no 薄弱村, but a missing value is still missing.
    assert!(
        c.dimensions
            .iter()
            .flat_map(|d| &d.indicators)
            .all(|i| i.missing)
    );
    assert_eq!(c.rating, Rating::Fail);
}

#[test]
fn bonus_groups_item_caps_and_the_overall_cap() {
    let r = zone_rubric();
    let mut i = Inputs::default();
    for (k, n) in [("B1", 1), ("B2", 1), ("B3", 3), ("B4", 2), ("B5", 1)] {
        i.bonus.insert(k.into(), n);
    }
    let c = score(&r, &i);
    let pts: Vec<i64> = c.bonus.iter().map(|b| b.points.0).collect();
    assert_eq!(pts, [500, 0, 400, 200, 100]);
    assert_eq!(c.bonus[1].note, "与 B1 不叠加，取高者");
    assert!(c.bonus[2].note.contains("本项上限 4.00"));
    assert_eq!(c.bonus_before_cap, Points::whole(12));
    assert_eq!(c.bonus_total, Points::whole(10));
    // Only B2: it counts (3), the group has nothing higher.
    let mut i = Inputs::default();
    i.bonus.insert("B2".into(), 1);
    assert_eq!(score(&r, &i).bonus_total, Points::whole(3));
}

#[test]
fn penalties_are_capped_and_the_total_is_floored_at_zero() {
    let r = zone_rubric();
    let mut i = with_values(&[("1.1", Input::Mark(Mark::A))]);
    i.penalties.insert("P1".into(), 5);
    i.penalties.insert("P4".into(), 3);
    let c = score(&r, &i);
    assert_eq!(c.penalties[0].points, Points::whole(6));
    assert_eq!(c.penalties[3].points, Points::whole(6));
    assert_eq!(c.penalty_total, Points::whole(12));
    assert_eq!(c.base, Points::whole(4));
    assert_eq!(c.total, Points::ZERO);
}

fn full_inputs() -> Inputs {
    let r = zone_rubric();
    let mut i = Inputs::default();
    for (_, _, rule) in r.rules() {
        let v = match &rule.method {
            Method::Step { steps } => Input::Number(steps.last().unwrap().at_least),
            Method::Lin { target, .. } => Input::Number(*target),
            Method::Cov { .. } => ratio(3, 3),
            Method::Rel { .. } => Input::Compared {
                value: 900,
                benchmark: 700,
            },
            Method::Grade { .. } => Input::Mark(Mark::A),
            Method::Bin => Input::Yes(true),
        };
        i.values.insert(rule.key.clone(), v);
    }
    i
}

#[test]
fn full_marks_make_100_and_a_veto_makes_fail() {
    let r = zone_rubric();
    let mut i = full_inputs();
    let c = score(&r, &i);
    assert_eq!(c.base, Points::whole(100));
    assert_eq!(c.rating, Rating::Excellent);
    for d in &c.dimensions {
        assert_eq!(d.points, d.max, "{}", d.id);
    }
    i.vetoes.insert("V5".into());
    let c = score(&r, &i);
    assert_eq!(c.total, Points::whole(100));
    assert_eq!(c.rating, Rating::Fail);
    assert!(c.vetoed());
}

#[test]
fn combine_max_takes_the_better_rule_and_sum_adds() {
    let r = zone_rubric();
    let i = with_values(&[
        ("4.2.items", Input::Number(3)),
        ("4.2.area", Input::Number(6_000)),
        ("4.4.ip", Input::Yes(true)),
        ("4.4.brand", Input::Yes(false)),
    ]);
    let c = score(&r, &i);
    let d4 = &c.dimensions[3];
    assert_eq!(d4.indicators[1].points, Points::whole(3));
    assert_eq!(d4.indicators[3].points, Points::whole(1));
}

#[test]
fn grades_follow_the_bands_at_their_edges() {
    let r = zone_rubric();
    for (t, want) in [
        (9_000, Rating::Excellent),
        (8_999, Rating::Good),
        (8_000, Rating::Good),
        (7_999, Rating::Pass),
        (7_000, Rating::Pass),
        (6_999, Rating::Fail),
        (0, Rating::Fail),
    ] {
        assert_eq!(r.rating_of(Points(t)), want, "{t}");
    }
    assert_eq!(Points(8_996).one_decimal_string(), "89.9");
    assert_eq!(Points(320).hundredths_string(), "3.20");
}

#[test]
fn ranking_ties_and_year_on_year() {
    let r = zone_rubric();
    let mk = |grade: Mark, veto: bool, bonus: u32| {
        let mut i = with_values(&[("1.1", Input::Mark(grade))]);
        if veto {
            i.vetoes.insert("V1".into());
        }
        if bonus > 0 {
            i.bonus.insert("B5".into(), bonus);
        }
        score(&r, &i)
    };
    let a = mk(Mark::A, false, 0); // 4.00
    let b = mk(Mark::A, false, 0); // 4.00, same as a
    let c = mk(Mark::B, false, 1); // 2.80 + 1 = 3.80
    let d = mk(Mark::A, true, 0); // vetoed: last whatever its score
    let e = mk(Mark::C, false, 1); // 1.60 + 1 = 2.60 total, base 1.60
    let last = mk(Mark::B, false, 0); // 2.80
    let ranked = rank(
        &[(9, &d), (5, &b), (3, &a), (7, &c), (8, &e)],
        &[(3, &last)],
    );
    let order: Vec<(i64, usize)> = ranked.iter().map(|x| (x.subject, x.position)).collect();
    assert_eq!(order, [(3, 1), (5, 1), (7, 3), (8, 4), (9, 5)]);
    assert_eq!(ranked[0].change, Some(Points(120)));
    assert_eq!(ranked[0].last_rating, Some(Rating::Fail));
    assert_eq!(ranked[1].change, None);
    assert!(ranked[4].vetoed);
}

#[test]
fn same_input_same_output() {
    let r = zone_rubric();
    let i = full_inputs();
    assert_eq!(score(&r, &i), score(&r, &i));
}

// ---- awards ------------------------------------------------------------------------------

fn zc(zone: i64, total: i64, key: bool, vetoed: bool) -> ZoneCandidate {
    let r = zone_rubric();
    ZoneCandidate {
        zone,
        district_key: key,
        total: Points(total),
        max: Points::whole(100),
        rating: if vetoed {
            Rating::Fail
        } else {
            r.rating_of(Points(total))
        },
        vetoed,
        eligible_investment: None,
    }
}

fn tc(
    team: i64,
    total: i64,
    income: i64,
    revenue: i64,
    start: Option<time::Date>,
) -> TeamCandidate {
    TeamCandidate {
        team,
        total: Points(total),
        max: Points::whole(100),
        vetoed: false,
        collective_income_increase: Fen(income),
        revenue: Fen(revenue),
        contract_start: start,
        last_total: None,
    }
}

fn award_input(zones: Vec<ZoneCandidate>, teams: Vec<TeamCandidate>) -> AwardInput {
    AwardInput {
        year: 2025,
        zone_rubric_version: 1,
        team_rubric_version: 1,
        zone_rules: ZoneAwardRules::default(),
        team_rules: TeamAwardRules::default(),
        budget: None,
        shortfall: Shortfall::ProRata,
        zones,
        teams,
    }
}

#[test]
fn zone_awards_by_grade_and_eligibility() {
    let a = allocate(&award_input(
        vec![
            zc(1, 9_200, true, false),
            zc(2, 8_500, true, false),
            zc(3, 7_000, true, false),
            zc(4, 6_999, true, false),
            zc(5, 9_900, false, false),
            zc(6, 9_900, true, true),
        ],
        vec![],
    ))
    .unwrap();
    let amounts: Vec<i64> = a.zones.iter().map(|z| z.amount.0).collect();
    assert_eq!(amounts, [100_000_000, 80_000_000, 50_000_000, 0, 0, 0]);
    assert_eq!(a.zones[1].formula, "良好：1,000,000.00 × 80% = 800,000.00");
    assert!(a.zones[3].reasons[0].starts_with("等次为不合格"));
    assert_eq!(a.zones[4].reasons, ["不是本年度区级重点片区"]);
    assert_eq!(a.zones[5].reasons, ["触发一票否决项"]);
    assert_eq!(a.paid_total, Fen(230_000_000));
    assert_eq!(a.scale, None);
}

#[test]
fn zone_awards_linear_and_investment_cap() {
    let mut input = award_input(
        vec![
            zc(1, 9_500, true, false),
            zc(2, 8_550, true, false),
            zc(3, 7_000, true, false),
        ],
        vec![],
    );
    input.zone_rules.mode = ZoneAwardMode::DEFAULT_LINEAR;
    let a = allocate(&input).unwrap();
    let amounts: Vec<i64> = a.zones.iter().map(|z| z.amount.0).collect();
    // (85.5 − 70) / 20 = 0.775 of 1,000,000 元.
    assert_eq!(amounts, [100_000_000, 77_500_000, 0]);
    assert_eq!(
        a.zones[1].formula,
        "1,000,000.00 × clamp((85.50 − 70) ÷ (90 − 70), 0, 1) = 775,000.00"
    );

    input.zone_rules.investment_share_bp = Some(3_000);
    input.zones[0].eligible_investment = Some(Fen(200_000_000));
    let a = allocate(&input).unwrap();
    assert_eq!(a.zones[0].amount, Fen(60_000_000));
    assert!(a.zones[0].reasons[0].contains("30%"));
    assert_eq!(a.zones[1].amount, Fen::ZERO);
    assert!(a.zones[1].reasons[0].contains("未提供经审计的合格投资额"));

    input.zone_rules.mode = ZoneAwardMode::Linear {
        low: Points::whole(90),
        high: Points::whole(70),
    };
    assert!(allocate(&input).is_err());
}

#[test]
fn team_awards_pass_line_tie_breakers_and_five_distinct_teams() {
    let d = Some(date!(2024 - 03 - 01));
    let later = Some(date!(2024 - 06 - 01));
    let teams = vec![
        tc(1, 9_000, 100, 100, d),
        tc(2, 8_000, 500, 100, d),
        tc(3, 8_000, 500, 900, d),
        tc(4, 8_000, 500, 900, later),
        tc(1, 8_800, 999, 999, d), // team 1 again, a weaker entry
        tc(5, 7_000, 0, 0, None),
        tc(6, 7_000, 0, 0, d),
        tc(7, 5_999, 0, 0, d), // below 60 %
    ];
    let a = allocate(&award_input(vec![], teams)).unwrap();
    let order: Vec<(i64, Option<usize>, i64)> = a
        .teams
        .iter()
        .map(|t| (t.team, t.position, t.amount.0))
        .collect();
    assert_eq!(
        order,
        [
            (1, Some(1), 20_000_000),
            (1, None, 0),
            (3, Some(2), 20_000_000),
            (4, Some(3), 20_000_000),
            (2, Some(4), 20_000_000),
            (6, Some(5), 20_000_000),
            (5, Some(6), 0),
            (7, None, 0),
        ]
    );
    assert!(a.teams[3].reasons[0].contains("签约日期晚于前一名"));
    assert!(a.teams[4].reasons[0].contains("运营收入"));
    assert!(
        a.teams[6]
            .reasons
            .iter()
            .any(|r| r.contains("超出每年 5 个团队"))
    );
    assert!(a.teams[7].reasons[0].contains("未达合格线"));
    assert_eq!(a.teams[1].reasons, ["同一团队只按其最好成绩参评一次"]);
}

#[test]
fn budget_shortfall_pro_rata_and_rank_order() {
    let mut input = award_input(
        vec![zc(1, 9_500, true, false), zc(2, 8_500, true, false)],
        vec![tc(9, 8_800, 0, 0, None)],
    );
    input.budget = Some(Fen(150_000_000));
    let a = allocate(&input).unwrap();
    // Claims 100 + 80 + 20 = 200 万; scale 150/200 = 3/4.
    assert_eq!(a.scale, Some(Fraction { num: 3, den: 4 }));
    assert_eq!(a.zones[0].amount, Fen(75_000_000));
    assert_eq!(a.zones[1].amount, Fen(60_000_000));
    assert_eq!(a.teams[0].amount, Fen(15_000_000));
    assert_eq!(a.paid_total, Fen(150_000_000));

    input.shortfall = Shortfall::RankOrder;
    let a = allocate(&input).unwrap();
    // 95 % → zone 1 in full, 88 % → team 9 in full, 85 % → zone 2 gets the last 30 万.
    assert_eq!(a.zones[0].amount, Fen(100_000_000));
    assert_eq!(a.teams[0].amount, Fen(20_000_000));
    assert_eq!(a.zones[1].amount, Fen(30_000_000));
    assert!(a.zones[1].partial);
    assert_eq!(a.paid_total, Fen(150_000_000));
}

// ---- property tests ----------------------------------------------------------------------

/// One input per rule of `r`, of the kind its method takes, from raw random numbers.
fn inputs_from(
    r: &Rubric,
    raw: &[(i64, i64, u8)],
    bonus: &[u32],
    pens: &[u32],
    vetoes: u8,
) -> Inputs {
    let mut i = Inputs::default();
    for ((_, _, rule), &(a, b, m)) in r.rules().zip(raw.iter().cycle()) {
        let v = match &rule.method {
            Method::Step { .. } | Method::Lin { .. } => Input::Number(a),
            Method::Cov { .. } => {
                let t = b.rem_euclid(50);
                ratio(a.rem_euclid(t + 1), t)
            }
            Method::Rel { .. } => Input::Compared {
                value: a % 5_000,
                benchmark: b % 5_000,
            },
            Method::Grade { .. } => Input::Mark(Mark::ALL[usize::from(m % 4)]),
            Method::Bin => Input::Yes(m % 2 == 0),
        };
        if m % 7 != 0 {
            i.values.insert(rule.key.clone(), v);
        }
    }
    for (b, n) in r.bonus.iter().zip(bonus) {
        i.bonus.insert(b.id.clone(), *n);
    }
    for (p, n) in r.penalties.iter().zip(pens) {
        i.penalties.insert(p.id.clone(), *n);
    }
    for (k, v) in r.vetoes.iter().enumerate() {
        if vetoes & (1 << k) != 0 {
            i.vetoes.insert(v.id.clone());
        }
    }
    i
}

proptest! {
    #[test]
    fn scores_stay_within_their_bounds(
        raw in proptest::collection::vec((any::<i64>(), any::<i64>(), any::<u8>()), 1..40),
        bonus in proptest::collection::vec(0u32..8, 5),
        pens in proptest::collection::vec(0u32..8, 4),
        vetoes in 0u8..64,
        team in any::<bool>(),
    ) {
        let r = if team { default_team_rubric(2025) } else { zone_rubric() };
        let i = inputs_from(&r, &raw, &bonus, &pens, if vetoes < 48 { 0 } else { vetoes });
        let c = score(&r, &i);
        for d in &c.dimensions {
            for ind in &d.indicators {
                prop_assert!(ind.points >= Points::ZERO && ind.points <= ind.max, "{}", ind.id);
                for rs in &ind.rules {
                    prop_assert!(rs.points >= Points::ZERO && rs.points <= rs.max, "{}", rs.key);
                }
            }
            prop_assert!(d.points <= d.max);
        }
        prop_assert!(c.base <= r.total);
        prop_assert!(c.bonus_total <= r.bonus_cap);
        for (b, item) in c.bonus.iter().zip(&r.bonus) {
            prop_assert!(b.points <= item.cap);
        }
        let groups_ok = c.bonus.iter().zip(&r.bonus)
            .filter(|(b, it)| it.group.is_some() && b.points > Points::ZERO)
            .count() <= 1;
        prop_assert!(groups_ok);
        prop_assert!(c.total >= Points::ZERO && c.total <= r.total + r.bonus_cap);
        prop_assert_eq!(c.total, (c.base + c.bonus_total - c.penalty_total).max(Points::ZERO));
        if c.vetoed() {
            prop_assert_eq!(c.rating, Rating::Fail);
        } else {
            let want = r.bands.iter().find(|b| c.total >= b.min).unwrap().rating;
            prop_assert_eq!(c.rating, want);
        }
        prop_assert_eq!(&c, &score(&r, &i));
    }

    #[test]
    fn awards_respect_caps_five_teams_and_the_budget(
        zones in proptest::collection::vec((0i64..11_000, any::<bool>(), 0u8..10), 0..12),
        teams in proptest::collection::vec((1i64..9, 0i64..10_000, 0i64..1_000, 0i64..1_000, 0u16..400), 0..16),
        budget in proptest::option::of(0i64..400_000_000),
        rank_order in any::<bool>(),
        linear in any::<bool>(),
        inv in proptest::option::of(0i64..1_000_000_000),
    ) {
        let zs: Vec<ZoneCandidate> = zones.iter().enumerate().map(|(k, (t, key, v))| {
            let mut z = zc(k as i64 + 1, *t, *key, *v == 0);
            z.eligible_investment = inv.map(Fen);
            z
        }).collect();
        let ts: Vec<TeamCandidate> = teams.iter().map(|(id, t, inc, rev, d)| {
            let start = (*d < 366).then(|| date!(2024 - 01 - 01) + time::Duration::days(i64::from(*d)));
            tc(*id, *t, *inc * 10_000, *rev * 10_000, start)
        }).collect();
        let mut input = award_input(zs, ts);
        input.budget = budget.map(Fen);
        input.shortfall = if rank_order { Shortfall::RankOrder } else { Shortfall::ProRata };
        if linear {
            input.zone_rules.mode = ZoneAwardMode::DEFAULT_LINEAR;
        }
        if inv.is_some() {
            input.zone_rules.investment_share_bp = Some(4_000);
        }
        let a = allocate(&input).unwrap();
        for z in &a.zones {
            prop_assert!(z.amount >= Fen::ZERO && z.amount <= z.claim && z.claim <= input.zone_rules.cap);
            if !z.eligible {
                prop_assert_eq!(z.amount, Fen::ZERO);
            }
        }
        let paid_teams: Vec<i64> = a.teams.iter().filter(|t| t.claim > Fen::ZERO).map(|t| t.team).collect();
        let mut distinct = paid_teams.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), paid_teams.len());
        prop_assert!(paid_teams.len() <= 5);
        for t in &a.teams {
            prop_assert!(t.amount >= Fen::ZERO && t.amount <= t.claim && t.claim <= input.team_rules.amount);
            if t.claim > Fen::ZERO {
                prop_assert!(t.total.0 * 10_000 >= t.max.0 * 6_000);
            }
        }
        let sum: Fen = a.zones.iter().map(|z| z.amount).chain(a.teams.iter().map(|t| t.amount)).sum();
        prop_assert_eq!(sum, a.paid_total);
        let want = match input.budget { Some(b) => b.min(a.claims_total), None => a.claims_total };
        prop_assert_eq!(a.paid_total, want);
        prop_assert_eq!(a.zones.iter().filter(|z| z.partial).count() + a.teams.iter().filter(|t| t.partial).count() <= 1, true);
        prop_assert_eq!(&a, &allocate(&input).unwrap());
    }
}

#[test]
fn default_grade_shares_are_the_rules_md_percentages() {
    assert_eq!(
        DEFAULT_MARK_SHARES.map(|(_, s)| s),
        [10_000, 7_000, 4_000, 0]
    );
}

// ---- the worked example of docs/scoring-example.md ---------------------------------------

/// The example rubric: the default zone rubric's items, bands and caps, with two short
/// dimensions of five indicators (50 + 50 points) so every line can be checked by hand.
fn example_rubric() -> Rubric {
    use super::rubric::{Dimension, Indicator, MarkLevel, Rule, Source, Unit};
    let rule = |key: &str, label: &str, max: i64, unit: Unit, method: Method| Rule {
        key: key.into(),
        label: label.into(),
        max: Points::whole(max),
        unit,
        method,
        source: Source::Manual,
    };
    let ind = |id: &str, name: &str, r: Rule| Indicator {
        id: id.into(),
        name: name.into(),
        max: r.max,
        department: "区农业农村局".into(),
        evidence_required: false,
        combine: Combine::Sum,
        rules: vec![r],
    };
    let step = |a: i64, p: i64| method::Step {
        at_least: a,
        points: Points::whole(p),
    };
    let level = |mark: Mark, share_bp: i64| MarkLevel {
        mark,
        share_bp,
        meaning: String::new(),
    };
    let mut r = default_zone_rubric(2025);
    r.name = "算例评分细则".into();
    r.dimensions = vec![
        Dimension {
            id: "D1".into(),
            name: "产业共链（算例）".into(),
            max: Points::whole(50),
            indicators: vec![
                ind(
                    "1.2",
                    "计划项目开工/完工率",
                    rule(
                        "1.2",
                        "完成率",
                        25,
                        Unit::Percent,
                        Method::Lin {
                            target: 9_000,
                            floor: None,
                            cutoff: Some(5_000),
                        },
                    ),
                ),
                ind(
                    "5.4",
                    "共富工坊数量",
                    rule(
                        "5.4",
                        "工坊数",
                        25,
                        Unit::Count,
                        Method::Step {
                            steps: vec![step(1, 10), step(3, 20), step(5, 25)],
                        },
                    ),
                ),
            ],
        },
        Dimension {
            id: "D2".into(),
            name: "利益共享（算例）".into(),
            max: Points::whole(50),
            indicators: vec![
                ind(
                    "2.4",
                    "薄弱村帮扶覆盖",
                    rule(
                        "2.4",
                        "覆盖",
                        20,
                        Unit::Count,
                        Method::Cov {
                            full_if_empty: true,
                        },
                    ),
                ),
                ind(
                    "8.3",
                    "农民收入增速对标全区",
                    rule(
                        "8.3",
                        "增速",
                        15,
                        Unit::Percent,
                        Method::Rel {
                            tiers: vec![
                                RelTier {
                                    margin_bp: 100,
                                    points: Points::whole(15),
                                },
                                RelTier {
                                    margin_bp: 0,
                                    points: Points::whole(10),
                                },
                            ],
                        },
                    ),
                ),
                ind(
                    "8.5",
                    "利益联结兑现",
                    rule(
                        "8.5",
                        "等级",
                        15,
                        Unit::Count,
                        Method::Grade {
                            levels: vec![
                                level(Mark::A, 10_000),
                                level(Mark::B, 7_000),
                                level(Mark::D, 0),
                            ],
                        },
                    ),
                ),
            ],
        },
    ];
    r
}

struct ExampleZone {
    id: i64,
    inputs: Inputs,
}

fn example_zones() -> Vec<ExampleZone> {
    let z = |id: i64,
             rate: i64,
             shops: i64,
             cov: (i64, i64),
             growth: i64,
             mark: Mark,
             bonus: &[(&str, u32)],
             pens: &[(&str, u32)],
             vetoes: &[&str]| {
        let mut inputs = with_values(&[
            ("1.2", Input::Number(rate)),
            ("5.4", Input::Number(shops)),
            ("2.4", ratio(cov.0, cov.1)),
            (
                "8.3",
                Input::Compared {
                    value: growth,
                    benchmark: 700,
                },
            ),
            ("8.5", Input::Mark(mark)),
        ]);
        inputs.bonus = bonus.iter().map(|(k, n)| (k.to_string(), *n)).collect();
        inputs.penalties = pens.iter().map(|(k, n)| (k.to_string(), *n)).collect();
        inputs.vetoes = vetoes.iter().map(|k| k.to_string()).collect();
        ExampleZone { id, inputs }
    };
    vec![
        z(
            1,
            8_100,
            4,
            (5, 6),
            820,
            Mark::A,
            &[("B1", 1), ("B2", 1), ("B3", 3), ("B4", 2), ("B5", 1)],
            &[("P3", 1)],
            &[],
        ),
        z(
            2,
            8_500,
            3,
            (2, 3),
            750,
            Mark::B,
            &[("B4", 2), ("B5", 1)],
            &[],
            &[],
        ),
        z(3, 6_000, 3, (3, 4), 700, Mark::A, &[], &[("P1", 4)], &[]),
        z(4, 9_500, 6, (0, 0), 900, Mark::A, &[], &[], &["V2"]),
    ]
}

fn example_teams() -> Vec<TeamCandidate> {
    vec![
        tc(
            11,
            8_250,
            60_000_000,
            300_000_000,
            Some(date!(2024 - 03 - 01)),
        ),
        tc(
            12,
            8_250,
            45_000_000,
            500_000_000,
            Some(date!(2023 - 09 - 01)),
        ),
        tc(
            13,
            5_500,
            90_000_000,
            100_000_000,
            Some(date!(2024 - 01 - 01)),
        ),
    ]
}

fn example_awards(cards: &[(i64, Scorecard)], shortfall: Shortfall) -> AwardResult {
    let mut input = award_input(
        cards
            .iter()
            .map(|(id, c)| ZoneCandidate::from_card(*id, true, c, None))
            .collect(),
        example_teams(),
    );
    input.budget = Some(Fen(240_000_000));
    input.shortfall = shortfall;
    allocate(&input).unwrap()
}

fn render_example() -> String {
    use std::fmt::Write;
    let r = example_rubric();
    assert_eq!(r.validate(), Ok(()));
    let cards: Vec<(i64, Scorecard)> = example_zones()
        .iter()
        .map(|z| (z.id, score(&r, &z.inputs)))
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!-- BEGIN computed by crates/gongfu-core/src/scoring/tests.rs -->"
    );
    for (id, c) in &cards {
        let _ = writeln!(s, "\n### 片区 {id}\n");
        let _ = writeln!(s, "| 指标 | 满分 | 得分 | 计算 |\n|---|---:|---:|---|");
        for ind in c.dimensions.iter().flat_map(|d| &d.indicators) {
            let _ = writeln!(
                s,
                "| {} {} | {} | {} | {} |",
                ind.id, ind.name, ind.max, ind.points, ind.rules[0].explanation
            );
        }
        let items = |list: &[ItemScore]| -> String {
            let v: Vec<String> = list
                .iter()
                .filter(|b| b.count > 0)
                .map(|b| {
                    let note = if b.note.is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", b.note)
                    };
                    format!("{} ×{} = {}{}", b.id, b.count, b.points, note)
                })
                .collect();
            if v.is_empty() {
                "无".into()
            } else {
                v.join("；")
            }
        };
        let _ = writeln!(s, "\n- 基础分 {}", c.base);
        let _ = writeln!(
            s,
            "- 加分：{}；小计 {}，封顶 {} → {}",
            items(&c.bonus),
            c.bonus_before_cap,
            r.bonus_cap,
            c.bonus_total
        );
        let _ = writeln!(
            s,
            "- 扣分：{}；合计 {}",
            items(&c.penalties),
            c.penalty_total
        );
        if c.vetoed() {
            let v: Vec<String> = c
                .vetoes
                .iter()
                .map(|v| format!("{} {}", v.id, v.label))
                .collect();
            let _ = writeln!(s, "- 一票否决：{}", v.join("；"));
        }
        let _ = writeln!(
            s,
            "- 总分 {}（显示 {}），等次 **{}**",
            c.total,
            c.total.one_decimal_string(),
            c.rating.label()
        );
    }
    let refs: Vec<(i64, &Scorecard)> = cards.iter().map(|(i, c)| (*i, c)).collect();
    let _ = writeln!(
        s,
        "\n### 排名\n\n| 名次 | 片区 | 总分 | 等次 |\n|---:|---|---:|---|"
    );
    for x in rank(&refs, &[]) {
        let _ = writeln!(
            s,
            "| {} | 片区 {} | {} | {}{} |",
            x.position,
            x.subject,
            x.total,
            x.rating.label(),
            if x.vetoed { "（否决）" } else { "" }
        );
    }
    for mode in [Shortfall::ProRata, Shortfall::RankOrder] {
        let a = example_awards(&cards, mode);
        let _ = writeln!(s, "\n### 奖补：预算不足时{}\n", mode.label());
        let _ = writeln!(s, "{}\n", a.note);
        if let Some(f) = a.scale {
            let what = match mode {
                Shortfall::ProRata => "压减系数（每项）",
                Shortfall::RankOrder => "实奖合计占应奖合计",
            };
            let _ = writeln!(s, "{what} {} / {}\n", f.num, f.den);
        }
        let _ = writeln!(
            s,
            "| 对象 | 得分 | 应奖（元） | 实奖（元） | 说明 |\n|---|---:|---:|---:|---|"
        );
        for z in &a.zones {
            let mut why = z.formula.clone();
            for r in &z.reasons {
                if !why.is_empty() {
                    why.push('；');
                }
                why.push_str(r);
            }
            let _ = writeln!(
                s,
                "| 片区 {} | {} | {} | {} | {} |",
                z.zone,
                z.total,
                z.claim.yuan_string(),
                z.amount.yuan_string(),
                why
            );
        }
        for t in &a.teams {
            let place = t.position.map(|p| format!("第 {p} 名")).unwrap_or_default();
            let mut why = vec![place];
            why.extend(t.reasons.iter().cloned());
            why.retain(|w| !w.is_empty());
            let _ = writeln!(
                s,
                "| 团队 {} | {} | {} | {} | {} |",
                t.team,
                t.total,
                t.claim.yuan_string(),
                t.amount.yuan_string(),
                why.join("；")
            );
        }
        let _ = writeln!(
            s,
            "\n实奖合计 {} 元（预算 {} 元，应奖合计 {} 元）",
            a.paid_total.yuan_string(),
            a.input.budget.unwrap_or_default().yuan_string(),
            a.claims_total.yuan_string()
        );
    }
    let _ = writeln!(s, "<!-- END computed -->");
    s
}

#[test]
fn the_worked_example_in_the_docs_is_what_the_product_computes() {
    let rendered = render_example();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scoring-example.md");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        doc.contains(&rendered),
        "docs/scoring-example.md is out of date; its computed block should be:\n{rendered}"
    );
}

#[test]
fn a_team_below_the_pass_line_two_years_running_is_flagged() {
    let mut twice = tc(1, 5_000, 0, 0, None);
    twice.last_total = Some(Points(5_999));
    let mut once = tc(2, 5_000, 0, 0, None);
    once.last_total = Some(Points(6_000));
    let mut recovered = tc(3, 6_000, 0, 0, None);
    recovered.last_total = Some(Points(1_000));
    let a = allocate(&award_input(vec![], vec![twice, once, recovered])).unwrap();
    let flags: Vec<(i64, bool)> = a.teams.iter().map(|t| (t.team, t.exit_flag)).collect();
    assert_eq!(flags, [(3, false), (1, true), (2, false)]);
    assert!(
        a.teams[1]
            .reasons
            .iter()
            .any(|r| r == "连续两年低于合格线，建议退出")
    );
}

#[test]
fn scorecards_and_award_lists_round_trip_through_json() {
    // The store freezes an approved scorecard and award list as JSON.
    let r = example_rubric();
    let cards: Vec<(i64, Scorecard)> = example_zones()
        .iter()
        .map(|z| (z.id, score(&r, &z.inputs)))
        .collect();
    for (_, c) in &cards {
        let back: Scorecard = serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap();
        assert_eq!(&back, c);
    }
    let a = example_awards(&cards, Shortfall::RankOrder);
    let back: AwardResult = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
    let inputs = &example_zones()[0].inputs;
    let back: Inputs = serde_json::from_str(&serde_json::to_string(inputs).unwrap()).unwrap();
    assert_eq!(&back, inputs);
}
