//! Times the yearly distribution (`gongfu_core::equity`) on a synthetic 股份经济合作社 with
//! 10,000 to 1,000,000 member holders, in three separately timed stages, beside a plain
//! reference allocation of the same amounts. Results and their reading live in
//! `docs/benchmarks.md` ("Yearly distribution to 100,000 members").
//!
//! ```text
//! cargo run --release -p gongfu-core --example distribution_bench
//! cargo run --release -p gongfu-core --example distribution_bench -- --members 100000 --runs 11
//! ```
//!
//! The entity: three share classes with three different bases — 人口股 (persons, 40 %),
//! 出资股 (fen of capital, 35 %, with a 6 % 保底 that may draw on reserves) and 户均股 (one unit
//! per household, 25 %). Every member holds 人口股 and 户均股, about half also hold 出资股.
//! All subscribe on 2024-12-01; in 2025, 1 % of the members (the last ids) join on a date
//! spread over the year and 1 % of the others redeem everything mid-year, so time-weighting
//! (units × days) has real work. Waterfall: 10 % 公积金, 5 % 公益金, 保底, a capped operator
//! incentive, 70 % of the residual distributed.
//!
//! Stages, each timed on its own over `--runs` runs (min / median / max):
//!
//! * `replay`: `register::replay(lines, Date::MAX)`, the check of the whole register;
//! * `year_holdings`: units × days of every (holder, class) over 2025;
//! * `distribute`: the whole waterfall, which calls `year_holdings` itself;
//! * `distribute, units at year end`: the same waterfall without time-weighting;
//! * `reference allocation`: the comparison. It takes the same class pools and 保底 amount
//!   the engine computed and the same `year_holdings` weights, and splits each over flat arrays
//!   indexed by holder id, one `money::largest_remainder` call per class over *all* member
//!   slots at once (zero weight for non-holders), summing into one `Vec<i64>` of totals. No
//!   per-holder `BTreeMap`, no audit parts: the least work that gives the same fen. Its
//!   totals must equal the engine's, holder by holder.
//!
//! Every run checks `retained + Σ payouts == net income` exactly and panics otherwise. This is
//! a measuring tool, not a test: it asserts nothing about speed.

use gongfu_core::Fen;
use gongfu_core::equity::register::YearHolding;
use gongfu_core::equity::{
    Basis, Bp, Change, ClassId, ClassKind, Distribution, DistributionInput, EntityKind, EntitySpec,
    Guarantee, HolderId, Incentive, IncentiveBase, RegisterLine, ShareClass, Waterfall,
    WaterfallParts, distribute, replay, year_holdings,
};
use gongfu_core::money::largest_remainder;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use time::{Date, Month};

const USAGE: &str = "\
usage: distribution_bench [--members N[,N...]] [--runs R] [--seed S]

  --members  member holders, comma-separated sizes (10000,100000,1000000)
  --runs     timed runs per stage and size, after one untimed warm-up run (7)
  --seed     generator seed (20250101)
";

const YEAR: i32 = 2025;
const POP: ClassId = ClassId(1);
const CAP: ClassId = ClassId(2);
const EQ: ClassId = ClassId(3);
/// The operator paid the incentive: not a member.
const OPERATOR: HolderId = HolderId(0);

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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn day(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).expect("valid date")
}

fn entity() -> EntitySpec {
    let class = |id, name: &str, basis, split| ShareClass {
        id,
        name: name.into(),
        kind: ClassKind::Individual,
        basis,
        split: Bp::new(split).expect("bp"),
    };
    EntitySpec::new(
        "压测股份经济合作社",
        EntityKind::JointStockCooperative,
        vec![
            class(POP, "人口股", Basis::Population, 4000),
            class(CAP, "出资股", Basis::Capital, 3500),
            class(EQ, "户均股", Basis::Equal, 2500),
        ],
    )
    .expect("entity")
}

fn waterfall(entity: &EntitySpec, time_weighted: bool) -> Waterfall {
    let bp = |v| Bp::new(v).expect("bp");
    Waterfall::new(
        entity,
        WaterfallParts {
            year: YEAR,
            cover_prior_losses: true,
            reserve: bp(1000),
            welfare: bp(500),
            guarantee: Some(Guarantee::PercentOfCapital {
                class: CAP,
                rate: bp(600),
            }),
            guarantee_from_reserves: true,
            incentive: Some(Incentive {
                operator: OPERATOR,
                rate: bp(300),
                base: IncentiveBase::Profit,
                cap: Some(Fen::from_yuan(500_000)),
            }),
            distribute: bp(7000),
            class_split: vec![(POP, bp(4000)), (CAP, bp(3500)), (EQ, bp(2500))],
            time_weighted,
        },
    )
    .expect("waterfall")
}

/// The register: opening subscriptions, then the year's joiners and leavers in date order.
fn register(members: i64, seed: u64) -> Vec<RegisterLine> {
    let mut rng = Rng(seed ^ members as u64);
    let opening = day(YEAR - 1, Month::December, 1);
    let joiners = members / 100;
    let mut changes: Vec<(Date, Change)> = Vec::new();
    let sub = |holder: i64, class: ClassId, units: i64, paid: i64| Change::Subscription {
        holder: HolderId(holder),
        class,
        units,
        paid: Fen(paid),
    };
    // (holder, class, units) held at the opening, for the leavers' redemptions.
    let mut held: Vec<Vec<(ClassId, i64)>> = vec![Vec::new(); members as usize + 1];
    let mut in_year: Vec<(Date, i64, Change)> = Vec::new();
    let jan1 = day(YEAR, Month::January, 1);
    for h in 1..=members {
        let persons = 1 + rng.below(6) as i64;
        // 1,000 – 10,000 元 in steps of 100 元, for about half the members.
        let capital = (rng.below(2) == 0).then(|| (10 + rng.below(91) as i64) * 10_000);
        let mut mine = vec![sub(h, POP, persons, 0), sub(h, EQ, 1, 0)];
        if let Some(c) = capital {
            mine.push(sub(h, CAP, c, c));
        }
        if h > members - joiners {
            // A mid-year joiner: some day of 2025 after 1 January.
            let d = jan1 + time::Duration::days(1 + rng.below(363) as i64);
            for c in mine {
                in_year.push((d, h, c));
            }
            continue;
        }
        for c in mine {
            if let Change::Subscription { class, units, .. } = &c {
                held[h as usize].push((*class, *units));
            }
            changes.push((opening, c));
        }
    }
    // 1 % of the opening members leave mid-year, redeeming every unit (天台 rule: no dividend).
    let mut left = 0;
    while left < members / 100 {
        let h = 1 + rng.below((members - joiners) as u64) as i64;
        let units = std::mem::take(&mut held[h as usize]);
        if units.is_empty() {
            continue;
        }
        let d = jan1 + time::Duration::days(rng.below(364) as i64);
        for (class, u) in units {
            in_year.push((
                d,
                h,
                Change::Redemption {
                    holder: HolderId(h),
                    class,
                    units: u,
                    refund: Fen(if class == CAP { u } else { 0 }),
                },
            ));
        }
        left += 1;
    }
    in_year.sort_by_key(|(d, h, _)| (*d, *h));
    changes.extend(in_year.into_iter().map(|(d, _, c)| (d, c)));
    changes
        .into_iter()
        .enumerate()
        .map(|(i, (d, c))| RegisterLine::restore(i as u64 + 1, d, d, c))
        .collect()
}

/// The comparison: the same per-holder split over flat arrays (see the module comment).
fn reference(
    members: i64,
    year: &BTreeMap<(HolderId, ClassId), YearHolding>,
    d: &Distribution,
    entity: &EntitySpec,
    time_weighted: bool,
) -> Vec<i64> {
    let n = members as usize + 1;
    let mut w: Vec<Vec<i64>> = vec![vec![0; n]; 4];
    for (&(h, c), y) in year {
        if y.units_at_end <= 0 {
            continue;
        }
        let basis = entity.class(c).expect("class").basis;
        w[c.0 as usize][h.0 as usize] = match (time_weighted, basis) {
            (false, Basis::Equal) => 1,
            (false, _) => y.units_at_end,
            (true, Basis::Equal) => y.days_held,
            (true, _) => y.unit_days as i64,
        };
    }
    let mut total = vec![0i64; n];
    let guarantee = d.guarantee_from_profit.0 + d.guarantee_from_reserves.0;
    let mut splits: Vec<(ClassId, i64)> = vec![(CAP, guarantee)];
    splits.extend(d.class_pools.iter().map(|p| (p.class, p.pool.0)));
    for (c, amount) in splits {
        for (t, a) in total
            .iter_mut()
            .zip(largest_remainder(amount, &w[c.0 as usize]))
        {
            *t += a;
        }
    }
    total[OPERATOR.0 as usize] += d.incentive.0;
    total
}

fn time_runs<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut out = f(); // warm-up, untimed
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        out = std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times, out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// FNV-1a over every payout and part, so runs of two builds can be compared to the fen.
fn digest(d: &Distribution) -> u64 {
    let mut x = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |v: i64| {
        for b in v.to_le_bytes() {
            x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in &d.payouts {
        eat(p.holder.0);
        eat(p.amount.0);
        for part in &p.parts {
            eat(part.class.map_or(-1, |c| c.0));
            eat(part.weight);
            eat(part.amount.0);
            eat(part.remainder_fen);
        }
    }
    for p in &d.class_pools {
        eat(p.pool.0);
        eat(p.total_weight);
        eat(p.leftover_fen);
    }
    x
}

/// Asserts the invariant and returns Σ payouts.
fn check(d: &Distribution, net: i64) -> i64 {
    let paid: i64 = d.payouts.iter().map(|p| p.amount.0).sum();
    assert_eq!(
        d.retained.0 + paid,
        net,
        "retained + Σ payouts != net income"
    );
    paid
}

fn main() {
    let mut sizes: Vec<i64> = vec![10_000, 100_000, 1_000_000];
    let mut runs = 7usize;
    let mut seed = 20250101u64;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            return;
        }
        let val = it
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value\n\n{USAGE}"));
        match flag.as_str() {
            "--members" => {
                sizes = val
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse()
                            .expect("--members: a number")
                    })
                    .collect()
            }
            "--runs" => runs = val.parse::<usize>().expect("--runs: a number").max(1),
            "--seed" => seed = val.parse().expect("--seed: a number"),
            _ => panic!("unknown option {flag}\n\n{USAGE}"),
        }
    }
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    eprintln!("nproc {nproc}, load average before: {}", loadavg());

    let entity = entity();
    let w_time = waterfall(&entity, true);
    let w_end = waterfall(&entity, false);
    println!(
        "| members | register lines | year-end holders | stage | min ms | median ms | max ms | runs |"
    );
    println!("|---:|---:|---:|---|---:|---:|---:|---:|");
    for &members in &sizes {
        let t = Instant::now();
        let lines = register(members, seed);
        let generate = t.elapsed();
        // 800 元 per member and an odd tail, so every split has fen left over to place.
        let net = 80_000 * members + 12_345;
        let input = |w| DistributionInput {
            entity: &entity,
            waterfall: w,
            lines: &lines,
            net_income: Fen(net),
            prior_loss: Fen(0),
            reserves_available: Fen(2_000_000_000),
        };

        let (t_replay, holdings) = time_runs(runs, || replay(&lines, Date::MAX).expect("replay"));
        let (t_year, year) = time_runs(runs, || year_holdings(&lines, YEAR).expect("year"));
        let (t_dist, d) = time_runs(runs, || {
            let d = distribute(&input(&w_time)).expect("distribute");
            check(&d, net);
            d
        });
        let (t_end, d_end) = time_runs(runs, || {
            let d = distribute(&input(&w_end)).expect("distribute");
            check(&d, net);
            d
        });
        let (t_ref, ref_totals) = time_runs(runs, || reference(members, &year, &d, &entity, true));

        // The comparison gives the same fen, holder by holder.
        let engine: BTreeMap<i64, i64> =
            d.payouts.iter().map(|p| (p.holder.0, p.amount.0)).collect();
        for (h, &t) in ref_totals.iter().enumerate() {
            assert_eq!(
                engine.get(&(h as i64)).copied().unwrap_or(0),
                t,
                "holder {h}: reference and engine differ"
            );
        }
        let paid = check(&d, net);
        let holders_end = holdings
            .iter()
            .map(|(h, _, _)| h)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let row = |stage: &str, t: &[Duration]| {
            println!(
                "| {members} | {} | {holders_end} | {stage} | {:.1} | {:.1} | {:.1} | {} |",
                lines.len(),
                ms(t[0]),
                ms(t[t.len() / 2]),
                ms(t[t.len() - 1]),
                t.len()
            );
        };
        row("replay (whole register)", &t_replay);
        row("year_holdings (2025)", &t_year);
        row("**distribute**, time-weighted", &t_dist);
        row("distribute, units at year end", &t_end);
        row("reference allocation (flat arrays)", &t_ref);
        eprintln!(
            "{members} members: generated {} lines in {:.0} ms; net {} 元, paid {} 元 to {} payees, retained {} 元 (exact); 保底 {} 元, undistributed {} 元; units-at-year-end paid {} 元; reference equal holder by holder; digest {:016x} / {:016x}",
            lines.len(),
            ms(generate),
            Fen(net).yuan_string(),
            Fen(paid).yuan_string(),
            d.payouts.len(),
            d.retained.yuan_string(),
            d.guarantee_due.yuan_string(),
            d.undistributed.yuan_string(),
            d_end.total_paid().yuan_string(),
            digest(&d),
            digest(&d_end),
        );
    }
    eprintln!("load average after: {}", loadavg());
}
