//! Times the scoring and award engine (`gongfu_core::scoring`) on a province-scale year:
//! 1,000 zones × 40 indicators scored, ranked, and their awards allocated (with 200 operating
//! teams), beside a plain reference computation of the same totals. Results and their reading
//! live in `docs/benchmarks.md` ("Scoring a province-scale year").
//!
//! ```text
//! cargo run --release -p gongfu-core --example scoring_bench
//! cargo run --release -p gongfu-core --example scoring_bench -- --zones 1000 --runs 11
//! ```
//!
//! The rubric: 8 dimensions × 5 indicators of 2.5 points (100 in all), cycling through the six
//! methods (STEP, LIN, COV, REL, GRADE, BIN), with the default zone rubric's bonus, penalty and
//! veto items and grade bands; it passes `Rubric::validate`. Inputs come from a seeded
//! splitmix64, so every run scores the same year; about 2 % of the zones carry a veto and a
//! fifth of the values are missing (scored 0, marked).
//!
//! Stages, each with one untimed warm-up run, then `--runs` timed runs (min / median / max):
//!
//! * `score`: `score(rubric, inputs)` for every zone — scorecards with a Chinese explanation
//!   per rule;
//! * `rank`: `rank(this year, last year)` with year-on-year change;
//! * `allocate`: `allocate(...)` — eligibility, grade-mode claims, five teams, a budget that
//!   runs short, pro rata through `money::largest_remainder`, and again in rank order;
//! * `whole year`: the three in a row;
//! * `reference`: **the comparison** — the same points from flat arrays of integers, one
//!   `match` per rule, no strings, no scorecard structure, then a sort of the totals. Its totals
//!   must equal the engine's, zone by zone (the run panics otherwise).
//!
//! This is a measuring tool, not a test: it asserts nothing about speed.

use gongfu_core::Fen;
use gongfu_core::scoring::method::Step;
use gongfu_core::scoring::{
    AwardInput, Combine, Dimension, Indicator, Input, Inputs, Mark, MarkLevel, Method, Points,
    Ratio, RelTier, Rule, Scorecard, Shortfall, Source, TeamAwardRules, TeamCandidate, Unit,
    ZoneAwardRules, ZoneCandidate, allocate, default_zone_rubric, rank, score,
};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: scoring_bench [--zones N] [--runs R] [--seed S]

  --zones  zones scored (1000); teams are a fifth of that
  --runs   timed runs per stage, after one untimed warm-up run (11)
  --seed   generator seed (20250101)
";

/// splitmix64: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

fn rubric() -> gongfu_core::scoring::Rubric {
    let mut r = default_zone_rubric(2025);
    r.name = "基准测试评分细则（40 项）".into();
    let max = Points(250);
    r.dimensions = (0..8)
        .map(|d| Dimension {
            id: format!("D{}", d + 1),
            name: format!("维度 {}", d + 1),
            max: Points(1_250),
            indicators: (0..5)
                .map(|i| {
                    let n = d * 5 + i;
                    let (unit, method) = match n % 6 {
                        0 => (
                            Unit::Count,
                            Method::Step {
                                steps: vec![
                                    Step {
                                        at_least: 1,
                                        points: Points(50),
                                    },
                                    Step {
                                        at_least: 3,
                                        points: Points(150),
                                    },
                                    Step {
                                        at_least: 6,
                                        points: max,
                                    },
                                ],
                            },
                        ),
                        1 => (
                            Unit::Percent,
                            Method::Lin {
                                target: 2_000,
                                floor: Some(0),
                                cutoff: None,
                            },
                        ),
                        2 => (
                            Unit::Count,
                            Method::Cov {
                                full_if_empty: true,
                            },
                        ),
                        3 => (
                            Unit::Percent,
                            Method::Rel {
                                tiers: vec![
                                    RelTier {
                                        margin_bp: 100,
                                        points: max,
                                    },
                                    RelTier {
                                        margin_bp: 0,
                                        points: Points(166),
                                    },
                                ],
                            },
                        ),
                        4 => (
                            Unit::Count,
                            Method::Grade {
                                levels: [
                                    (Mark::A, 10_000),
                                    (Mark::B, 7_000),
                                    (Mark::C, 4_000),
                                    (Mark::D, 0),
                                ]
                                .iter()
                                .map(|(m, s)| MarkLevel {
                                    mark: *m,
                                    share_bp: *s,
                                    meaning: String::new(),
                                })
                                .collect(),
                            },
                        ),
                        _ => (Unit::Count, Method::Bin),
                    };
                    let id = format!("{}.{}", d + 1, i + 1);
                    Indicator {
                        id: id.clone(),
                        name: format!("指标 {id}"),
                        max,
                        department: "区农业农村局".into(),
                        evidence_required: false,
                        combine: Combine::Sum,
                        rules: vec![Rule {
                            key: id,
                            label: "值".into(),
                            max,
                            unit,
                            method,
                            source: Source::Manual,
                        }],
                    }
                })
                .collect(),
        })
        .collect();
    r.validate().expect("the bench rubric is valid");
    r
}

/// The same values as flat integers for the reference: per rule `(present, a, b)`.
type Flat = Vec<(bool, i64, i64)>;

/// One zone's inputs, and the same values as [`Flat`] integers for the reference.
fn zone_inputs(r: &gongfu_core::scoring::Rubric, rng: &mut Rng) -> (Inputs, Vec<(bool, i64, i64)>) {
    let mut inputs = Inputs::default();
    let mut flat = Vec::with_capacity(40);
    for (_, _, rule) in r.rules() {
        let present = rng.below(50) != 0;
        let (input, a, b) = match &rule.method {
            Method::Step { .. } => {
                let a = 2 + rng.below(8);
                (Input::Number(a), a, 0)
            }
            Method::Lin { .. } => {
                let a = rng.below(3_000);
                (Input::Number(a), a, 0)
            }
            Method::Cov { .. } => {
                let t = rng.below(12);
                let c = t - rng.below(t.min(3) as u64 + 1);
                (
                    Input::Ratio(Ratio::new(c, t).expect("covered ≤ total")),
                    c,
                    t,
                )
            }
            Method::Rel { .. } => {
                let v = 650 + rng.below(800);
                (
                    Input::Compared {
                        value: v,
                        benchmark: 700,
                    },
                    v,
                    700,
                )
            }
            Method::Grade { .. } => {
                let m = [0, 0, 0, 0, 0, 1, 1, 2][rng.below(8) as usize];
                (Input::Mark(Mark::ALL[m as usize]), m, 0)
            }
            Method::Bin => {
                let y = i64::from(rng.below(8) != 0);
                (Input::Yes(y == 1), y, 0)
            }
        };
        if present {
            inputs.values.insert(rule.key.clone(), input);
        }
        flat.push((present, a, b));
    }
    for id in ["B1", "B2", "B3", "B4", "B5"] {
        let n = rng.below(4) as u32;
        if rng.below(3) == 0 && n > 0 {
            inputs.bonus.insert(id.into(), n);
        }
    }
    for id in ["P1", "P2", "P3", "P4"] {
        if rng.below(6) == 0 {
            inputs.penalties.insert(id.into(), 1 + rng.below(3) as u32);
        }
    }
    if rng.below(50) == 0 {
        inputs.vetoes.insert("V1".into());
    }
    (inputs, flat)
}

/// The comparison: the same points with one `match` per rule over flat integers.
fn reference_total(
    r: &gongfu_core::scoring::Rubric,
    flat: &[(bool, i64, i64)],
    inputs: &Inputs,
) -> i64 {
    let share = |max: i64, num: i64, den: i64| -> i64 {
        if den <= 0 || num <= 0 {
            0
        } else if num >= den {
            max
        } else {
            max * num / den
        }
    };
    let mut base = 0i64;
    for ((_, _, rule), &(present, a, b)) in r.rules().zip(flat) {
        if !present {
            continue;
        }
        let m = rule.max.0;
        base += match &rule.method {
            Method::Step { steps } => steps
                .iter()
                .rev()
                .find(|s| a >= s.at_least)
                .map_or(0, |s| s.points.0),
            Method::Lin { target, floor, .. } => {
                let x0 = floor.unwrap_or(0);
                share(m, a - x0, target - x0)
            }
            Method::Cov { .. } => {
                if b == 0 {
                    m
                } else {
                    share(m, a, b)
                }
            }
            Method::Rel { tiers } => tiers
                .iter()
                .find(|t| a >= b + t.margin_bp)
                .map_or(0, |t| t.points.0),
            Method::Grade { levels } => share(m, levels[a as usize].share_bp, 10_000),
            Method::Bin => m * a,
        };
    }
    let get = |k: &str, map: &std::collections::BTreeMap<String, u32>| {
        i64::from(map.get(k).copied().unwrap_or(0))
    };
    let b1 = (500 * get("B1", &inputs.bonus)).min(500);
    let b2 = (300 * get("B2", &inputs.bonus)).min(300);
    let bonus = (b1.max(b2)
        + (200 * get("B3", &inputs.bonus)).min(400)
        + (100 * get("B4", &inputs.bonus)).min(200)
        + (100 * get("B5", &inputs.bonus)).min(100))
    .min(1_000);
    let pen = (200 * get("P1", &inputs.penalties)).min(600)
        + (100 * get("P2", &inputs.penalties)).min(300)
        + (100 * get("P3", &inputs.penalties)).min(100)
        + 200 * get("P4", &inputs.penalties);
    (base + bonus - pen).max(0)
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut out = f();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times, out)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1_000.0)
}

fn main() {
    let mut zones = 1_000usize;
    let mut runs = 11usize;
    let mut seed = 20_250_101u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1);
        match (args[i].as_str(), v) {
            ("--zones", Some(v)) => zones = v.parse().expect("--zones N"),
            ("--runs", Some(v)) => runs = v.parse().expect("--runs R"),
            ("--seed", Some(v)) => seed = v.parse().expect("--seed S"),
            _ => {
                eprint!("{USAGE}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let r = rubric();
    let mut rng = Rng(seed);
    let data: Vec<(Inputs, Flat)> = (0..zones).map(|_| zone_inputs(&r, &mut rng)).collect();
    let last_year: Vec<(i64, Scorecard)> = data
        .iter()
        .enumerate()
        .map(|(k, (inp, _))| (k as i64 + 1, score(&r, inp)))
        .rev()
        .collect();
    let last_refs: Vec<(i64, &Scorecard)> = last_year.iter().map(|(k, c)| (*k, c)).collect();
    let teams: Vec<TeamCandidate> = (0..zones / 5)
        .map(|t| TeamCandidate {
            team: t as i64 + 1,
            total: Points(rng.below(10_001)),
            max: Points(10_000),
            vetoed: rng.below(50) == 0,
            collective_income_increase: Fen(rng.below(100) * 1_000_000),
            revenue: Fen(rng.below(500) * 1_000_000),
            contract_start: None,
            last_total: None,
        })
        .collect();
    let award_input = |cards: &[(i64, Scorecard)]| AwardInput {
        year: 2025,
        zone_rubric_version: 1,
        team_rubric_version: 1,
        zone_rules: ZoneAwardRules::default(),
        team_rules: TeamAwardRules::default(),
        budget: Some(Fen(zones as i64 * 30_000_000 + 7)),
        shortfall: Shortfall::ProRata,
        zones: cards
            .iter()
            .map(|(k, c)| ZoneCandidate::from_card(*k, k % 3 != 0, c, None))
            .collect(),
        teams: teams.clone(),
    };

    let (t_score, cards) = time(runs, || {
        data.iter()
            .enumerate()
            .map(|(k, (inp, _))| (k as i64 + 1, score(&r, inp)))
            .collect::<Vec<_>>()
    });
    let refs: Vec<(i64, &Scorecard)> = cards.iter().map(|(k, c)| (*k, c)).collect();
    let (t_rank, ranked) = time(runs, || rank(&refs, &last_refs));
    let input = award_input(&cards);
    let (t_alloc, awards) = time(runs, || allocate(&input).expect("valid award rules"));
    let mut input_rank = input.clone();
    input_rank.shortfall = Shortfall::RankOrder;
    let (t_alloc_rank, awards_rank) =
        time(runs, || allocate(&input_rank).expect("valid award rules"));
    assert_eq!(
        Some(awards_rank.paid_total),
        input.budget.map(|b| b.min(awards_rank.claims_total))
    );
    let (t_year, _) = time(runs, || {
        let cards: Vec<(i64, Scorecard)> = data
            .iter()
            .enumerate()
            .map(|(k, (inp, _))| (k as i64 + 1, score(&r, inp)))
            .collect();
        let refs: Vec<(i64, &Scorecard)> = cards.iter().map(|(k, c)| (*k, c)).collect();
        let ranked = rank(&refs, &last_refs);
        let a = allocate(&award_input(&cards)).expect("valid award rules");
        (ranked.len(), a.paid_total)
    });
    let (t_ref, ref_totals) = time(runs, || {
        let mut totals: Vec<(i64, i64)> = data
            .iter()
            .enumerate()
            .map(|(k, (inp, flat))| (reference_total(&r, flat, inp), k as i64 + 1))
            .collect();
        totals.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        totals
    });

    // The checks: the reference gives the same totals, zone by zone; the money adds up.
    for (total, id) in &ref_totals {
        let c = &cards[(*id - 1) as usize].1;
        assert_eq!(
            c.total.0, *total,
            "zone {id}: engine and reference disagree"
        );
    }
    let paid: i64 = awards.zones.iter().map(|z| z.amount.0).sum::<i64>()
        + awards.teams.iter().map(|t| t.amount.0).sum::<i64>();
    assert_eq!(paid, awards.paid_total.0);
    assert_eq!(
        Some(awards.paid_total),
        input.budget.map(|b| b.min(awards.claims_total))
    );
    let awarded_teams = awards.teams.iter().filter(|t| t.amount.0 > 0).count();
    assert!(awarded_teams <= 5);

    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for v in cards
        .iter()
        .map(|(_, c)| c.total.0)
        .chain(awards.zones.iter().map(|z| z.amount.0))
        .chain(awards.teams.iter().map(|t| t.amount.0))
    {
        digest = (digest ^ v as u64).wrapping_mul(0x100_0000_01b3);
    }
    let rules = r.rules().count();
    println!(
        "{zones} zones × {rules} indicators, {} teams, {runs} timed runs per stage",
        teams.len()
    );
    println!("stage | min ms | median ms | max ms");
    for (name, t) in [
        ("score", &t_score),
        ("rank", &t_rank),
        ("allocate (pro rata)", &t_alloc),
        ("allocate (rank order)", &t_alloc_rank),
        ("whole year (score + rank + allocate)", &t_year),
        ("reference (flat arrays, totals + sort)", &t_ref),
    ] {
        println!(
            "{name} | {} | {} | {}",
            ms(t[0]),
            ms(t[t.len() / 2]),
            ms(t[t.len() - 1])
        );
    }
    use gongfu_core::scoring::Rating;
    let count = |r: Rating| ranked.iter().filter(|x| x.rating == r).count();
    println!(
        "ranked {} (优秀 {}, 良好 {}, 合格 {}, 不合格 {}, of which vetoed {}); claims {} 元, budget {} 元, paid {} 元, scale {:?}; awarded zones {}, teams {awarded_teams}; digest {digest:016x}",
        ranked.len(),
        count(Rating::Excellent),
        count(Rating::Good),
        count(Rating::Pass),
        count(Rating::Fail),
        ranked.iter().filter(|x| x.vetoed).count(),
        awards.claims_total.yuan_string(),
        input.budget.unwrap_or_default().yuan_string(),
        awards.paid_total.yuan_string(),
        awards.scale.map(|f| (f.num, f.den)),
        awards.zones.iter().filter(|z| z.amount.0 > 0).count(),
    );
}
