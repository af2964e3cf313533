use super::*;
use crate::equity::entity::{ClassKind, ShareClass};
use crate::equity::register::{Change, ChangeRequest, approve};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn class(id: i64, name: &str, basis: Basis, split: i64) -> ShareClass {
    ShareClass {
        id: ClassId(id),
        name: name.into(),
        kind: ClassKind::Ordinary,
        basis,
        split: Bp::new(split).unwrap(),
    }
}

fn sub(h: i64, c: i64, units: i64) -> Change {
    Change::Subscription {
        holder: HolderId(h),
        class: ClassId(c),
        units,
        paid: Fen(0),
    }
}

/// Approves changes one by one, as the service will.
fn register(entity: &EntitySpec, changes: Vec<(Date, Change)>) -> Vec<RegisterLine> {
    let mut lines = Vec::new();
    for (d, change) in changes {
        let l = approve(
            entity,
            &lines,
            ChangeRequest {
                effective: d,
                change,
            },
            d,
        )
        .unwrap();
        lines.push(l);
    }
    lines
}

fn parts(year: i32, split: Vec<(i64, i64)>) -> WaterfallParts {
    WaterfallParts {
        year,
        cover_prior_losses: true,
        reserve: Bp::ZERO,
        welfare: Bp::ZERO,
        guarantee: None,
        guarantee_from_reserves: false,
        incentive: None,
        distribute: Bp::FULL,
        class_split: split
            .into_iter()
            .map(|(c, b)| (ClassId(c), Bp::new(b).unwrap()))
            .collect(),
        time_weighted: false,
    }
}

fn run(
    entity: &EntitySpec,
    w: &Waterfall,
    lines: &[RegisterLine],
    net: i64,
    prior_loss: i64,
    reserves: i64,
) -> Result<Distribution, DomainError> {
    distribute(&DistributionInput {
        entity,
        waterfall: w,
        lines,
        net_income: Fen(net),
        prior_loss: Fen(prior_loss),
        reserves_available: Fen(reserves),
    })
}

fn paid_to(d: &Distribution, h: i64) -> i64 {
    d.payouts
        .iter()
        .find(|p| p.holder == HolderId(h))
        .map_or(0, |p| p.amount.0)
}

// ---- The worked example of rules.md ----------------------------------------------------

/// 万元 in fen.
const WAN: i64 = 1_000_000;

/// The zone company of rules.md: five shareholder villages, an equal class (40 %) and a
/// capital class (60 %); capitals 500, 400, 300, 200 and 100 万 (1,500 万 in all).
fn worked_example() -> (EntitySpec, Waterfall, Vec<RegisterLine>, Distribution) {
    let entity = EntitySpec::new(
        "示例片区强村公司",
        EntityKind::ZonePlatform,
        vec![
            class(1, "均等股（以村为基数）", Basis::Equal, 4000),
            class(2, "出资股", Basis::Capital, 6000),
        ],
    )
    .unwrap();
    let mut changes = Vec::new();
    for (v, capital_wan) in [(1, 500), (2, 400), (3, 300), (4, 200), (5, 100)] {
        changes.push((date!(2024 - 01 - 01), sub(v, 1, 1)));
        changes.push((date!(2024 - 01 - 01), sub(v, 2, capital_wan * WAN)));
    }
    let lines = register(&entity, changes);
    let w = Waterfall::new(
        &entity,
        WaterfallParts {
            reserve: Bp::new(1000).unwrap(),
            guarantee: Some(Guarantee::PercentOfCapital {
                class: ClassId(2),
                rate: Bp::new(600).unwrap(),
            }),
            distribute: Bp::new(6000).unwrap(),
            ..parts(2025, vec![(1, 4000), (2, 6000)])
        },
    )
    .unwrap();
    let d = run(&entity, &w, &lines, 300 * WAN, 0, 0).unwrap();
    (entity, w, lines, d)
}

#[test]
fn the_rules_worked_example_gives_the_hand_checked_numbers() {
    let (_, _, _, d) = worked_example();
    assert_eq!(d.net_income, Fen(300 * WAN));
    assert_eq!(d.reserve, Fen(30 * WAN)); // 10 % of 300 万
    assert_eq!(d.guarantee_due, Fen(90 * WAN)); // 6 % of 1,500 万
    assert_eq!(d.guarantee_from_profit, Fen(90 * WAN));
    assert_eq!(d.residual, Fen(180 * WAN)); // 300 − 30 − 90
    assert_eq!(d.distributed, Fen(108 * WAN)); // 60 % of 180 万
    assert_eq!(d.undistributed, Fen(72 * WAN)); // 40 % retained for development
    let pools: Vec<i64> = d.class_pools.iter().map(|p| p.pool.0).collect();
    assert_eq!(pools, vec![43_200_000, 64_800_000]); // 43.2 万 equal, 64.8 万 by capital
    // Each village: 8.64 万 equal + 6 % of its capital + its capital share of 64.8 万.
    let expected = [
        (1, 8_640_000 + 30_000_000 + 21_600_000),
        (2, 8_640_000 + 24_000_000 + 17_280_000),
        (3, 8_640_000 + 18_000_000 + 12_960_000),
        (4, 8_640_000 + 12_000_000 + 8_640_000),
        (5, 8_640_000 + 6_000_000 + 4_320_000),
    ];
    for (v, fen) in expected {
        assert_eq!(paid_to(&d, v), fen, "village {v}");
    }
    assert_eq!(d.total_paid(), Fen(198 * WAN));
    assert_eq!(d.retained, Fen(102 * WAN)); // 30 万 reserve + 72 万 undistributed
    assert_eq!(d.retained + d.total_paid(), d.net_income);
    assert_eq!(d.loss_carried_forward, Fen::ZERO);
}

/// Stage two of the example: village 1's 经合社 receives its 60.24 万, keeps 20 % as
/// 公积公益金 and pays the rest to seven households by share count (13 shares), where the
/// largest-remainder rule has fen to place.
fn village_one_stage_two(income: Fen) -> (EntitySpec, Vec<RegisterLine>, Distribution) {
    let entity = EntitySpec::new(
        "示例村股份经济合作社",
        EntityKind::JointStockCooperative,
        vec![class(1, "个人股", Basis::Shares, 10_000)],
    )
    .unwrap();
    let shares = [
        (101, 3),
        (102, 3),
        (103, 2),
        (104, 2),
        (105, 1),
        (106, 1),
        (107, 1),
    ];
    let lines = register(
        &entity,
        shares
            .iter()
            .map(|&(h, s)| (date!(2020 - 01 - 01), sub(h, 1, s)))
            .collect(),
    );
    let w = Waterfall::new(
        &entity,
        WaterfallParts {
            reserve: Bp::new(2000).unwrap(),
            ..parts(2025, vec![(1, 10_000)])
        },
    )
    .unwrap();
    let d = run(&entity, &w, &lines, income.0, 0, 0).unwrap();
    (entity, lines, d)
}

#[test]
fn stage_two_pays_members_by_share_count_to_the_fen() {
    let (_, _, _, d1) = worked_example();
    let (_, _, d) = village_one_stage_two(Fen(paid_to(&d1, 1)));
    assert_eq!(d.net_income, Fen(60_240_000));
    assert_eq!(d.reserve, Fen(12_048_000));
    assert_eq!(d.distributed, Fen(48_192_000));
    // 48,192,000 / 13 = 3,707,076 fen per share, remainder 12 fen over 13 shares:
    // 3-share holders have remainder 3×12 mod 13 = 10, 2-share 24 mod 13 = 11, 1-share 12.
    // So the 12 leftover fen go to the 1-share (12), then 2-share (11) holders first, then
    // one 3-share holder (10), ties to the lower holder id.
    let amounts: Vec<i64> = d.payouts.iter().map(|p| p.amount.0).collect();
    assert_eq!(
        amounts,
        vec![
            11_121_231, 11_121_230, 7_414_154, 7_414_154, 3_707_077, 3_707_077, 3_707_077
        ]
    );
    assert_eq!(d.total_paid(), d.distributed);
    // The remainder audit: who got a fen on top of the floor, and how many in all.
    let plus: Vec<i64> = d.payouts.iter().map(|p| p.parts[0].remainder_fen).collect();
    assert_eq!(plus, vec![1, 0, 1, 1, 1, 1, 1]);
    assert_eq!(d.class_pools[0].leftover_fen, 6);
}

#[test]
fn each_village_is_attributed_what_its_collective_was_paid() {
    use crate::VillageCode;
    use crate::equity::entity::{Holder, HolderKind};
    let (_, _, _, d) = worked_example();
    let holders: Vec<Holder> = (1..=5)
        .map(|i| Holder {
            id: HolderId(i),
            name: format!("村{i}经合社"),
            // Village 5 is an enterprise here, so it is not a village's income.
            kind: if i == 5 {
                HolderKind::Enterprise
            } else {
                HolderKind::VillageCollective
            },
            village: Some(VillageCode::parse(&format!("33060310020{i}")).unwrap()),
        })
        .collect();
    let v = d.village_income(&holders);
    assert_eq!(v.len(), 4);
    assert_eq!(v[0].0.as_str(), "330603100201");
    assert_eq!(v[0].1, Fen(60_240_000));
    assert_eq!(
        v.iter().map(|(_, f)| *f).sum::<Fen>(),
        Fen(198 * WAN) - Fen(18_960_000)
    );
}

fn wan(f: Fen) -> String {
    format!("{} 元（{} 万元）", f.yuan_string(), f.wan_yuan_string())
}

/// The markdown block of `docs/distribution-example.md`, rendered from the product's own
/// figures so the page cannot drift from the code.
fn render_example() -> String {
    use std::fmt::Write;
    let (entity, _, _, d) = worked_example();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!-- BEGIN computed by crates/gongfu-core/src/equity/distribution/tests.rs -->"
    );
    let _ = writeln!(s, "\n### 第一级：片区公司 → 5 个股东村\n");
    let _ = writeln!(s, "| 步骤 | 金额 | 取整规则 |\n|---|---:|---|");
    for st in &d.steps {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            st.label,
            st.amount.yuan_string(),
            st.rounding.label()
        );
    }
    let _ = writeln!(
        s,
        "\n| 股东村 | 出资 | 保底（6%） | 均等股 | 出资股 | 合计 |\n|---|---:|---:|---:|---:|---:|"
    );
    let caps = [500, 400, 300, 200, 100];
    for (p, cap) in d.payouts.iter().zip(caps) {
        let get = |src: Source, c: i64| {
            p.parts
                .iter()
                .filter(|x| x.source == src && x.class == Some(ClassId(c)))
                .map(|x| x.amount)
                .sum::<Fen>()
                .yuan_string()
        };
        let _ = writeln!(
            s,
            "| 村 {} | {} 万元 | {} | {} | {} | {} |",
            p.holder.0,
            cap,
            get(Source::Guarantee, 2),
            get(Source::Dividend, 1),
            get(Source::Dividend, 2),
            p.amount.yuan_string()
        );
    }
    let _ = writeln!(s, "\n- 净收益 {}", wan(d.net_income));
    let _ = writeln!(s, "- 股东分配额合计 {}", wan(d.total_paid()));
    let _ = writeln!(
        s,
        "- 本期留存 {} = 公积金 {} + 未分配 {}",
        wan(d.retained),
        d.reserve.yuan_string(),
        d.undistributed.yuan_string()
    );
    let _ = writeln!(
        s,
        "- 核对：本期留存 + 股东分配额合计 = {}（= 净收益）",
        (d.retained + d.total_paid()).yuan_string()
    );
    let _ = writeln!(s, "- 主体：{}（{}）", entity.name(), entity.kind().label());

    let (e2, _, d2) = village_one_stage_two(Fen(paid_to(&d, 1)));
    let _ = writeln!(
        s,
        "\n### 第二级：村 1 的股份经济合作社 → 7 户社员（共 13 股）\n"
    );
    let _ = writeln!(s, "| 步骤 | 金额 | 取整规则 |\n|---|---:|---|");
    for st in d2
        .steps
        .iter()
        .filter(|st| st.amount != Fen::ZERO || st.code == "net_income")
    {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            st.label,
            st.amount.yuan_string(),
            st.rounding.label()
        );
    }
    let per = &d2.class_pools[0];
    let _ = writeln!(
        s,
        "\n每股分红 = {} 元 ÷ {} 股 = {}.{:04} 元（内部保留 4 位小数，向下取整；实发按下表逐户取整）\n",
        per.pool.yuan_string(),
        per.total_weight,
        per.per_unit_e4() / 1_000_000,
        per.per_unit_e4() / 100 % 10_000
    );
    let _ = writeln!(
        s,
        "| 社员 | 股数 | 精确份额（分） | 向下取整 | 余数（/13） | 补 1 分 | 实发 |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    let total = per.pool.0;
    let shares = per.total_weight;
    for p in &d2.payouts {
        let w = p.parts[0].weight;
        let exact_num = i128::from(total) * i128::from(w);
        let floor = exact_num / i128::from(shares);
        let rem = exact_num % i128::from(shares);
        let _ = writeln!(
            s,
            "| 户 {} | {} | {}×{}/{} | {} | {} | {} | {} |",
            p.holder.0,
            w,
            total,
            w,
            shares,
            floor,
            rem,
            p.parts[0].remainder_fen,
            p.amount.yuan_string()
        );
    }
    let _ = writeln!(
        s,
        "\n- 最大余数法补差（余数审计）：共 {} 分；余数相同的户 101 与 102 中序号在前的户 101 优先",
        per.leftover_fen
    );
    let _ = writeln!(
        s,
        "- 社员分配合计 {}；主体：{}",
        d2.total_paid().yuan_string(),
        e2.name()
    );
    let _ = writeln!(s, "<!-- END computed -->");
    s
}

#[test]
fn the_worked_example_in_the_docs_is_what_the_product_computes() {
    let rendered = render_example();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/distribution-example.md"
    );
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        doc.contains(&rendered),
        "docs/distribution-example.md is out of date; its computed block should be:\n{rendered}"
    );
}

// ---- Loss years, reserves, 保底, incentive, cooperatives, time-weighting -----------------

fn two_villages() -> (EntitySpec, Vec<RegisterLine>) {
    let e = EntitySpec::new(
        "测试公司",
        EntityKind::StrongVillageCompany,
        vec![
            class(1, "均等", Basis::Equal, 5000),
            class(2, "出资", Basis::Capital, 5000),
        ],
    )
    .unwrap();
    let lines = register(
        &e,
        vec![
            (date!(2024 - 01 - 01), sub(1, 1, 1)),
            (date!(2024 - 01 - 01), sub(2, 1, 1)),
            (date!(2024 - 01 - 01), sub(1, 2, 100 * WAN)),
            (date!(2024 - 01 - 01), sub(2, 2, 300 * WAN)),
        ],
    );
    (e, lines)
}

#[test]
fn a_loss_year_pays_nothing_and_carries_the_loss_forward_to_be_covered_next_year() {
    let (e, lines) = two_villages();
    let guarantee = Some(Guarantee::PercentOfCapital {
        class: ClassId(2),
        rate: Bp::new(500).unwrap(),
    });
    let w = Waterfall::new(
        &e,
        WaterfallParts {
            reserve: Bp::new(1000).unwrap(),
            guarantee,
            ..parts(2025, vec![(1, 5000), (2, 5000)])
        },
    )
    .unwrap();
    let loss = run(&e, &w, &lines, -50 * WAN, 10 * WAN, 0).unwrap();
    assert_eq!(loss.total_paid(), Fen::ZERO);
    assert!(loss.payouts.iter().all(|p| p.amount == Fen::ZERO));
    assert_eq!(loss.loss_carried_forward, Fen(60 * WAN));
    assert_eq!(loss.guarantee_unpaid, Fen(20 * WAN));
    assert_eq!(loss.retained, Fen(-50 * WAN));
    // Next year: 100 万 profit covers the 60 万 first; 10 % reserve on the 40 万 left.
    let w26 = Waterfall::new(
        &e,
        WaterfallParts {
            year: 2026,
            ..w.parts().clone()
        },
    )
    .unwrap();
    let next = run(&e, &w26, &lines, 100 * WAN, loss.loss_carried_forward.0, 0).unwrap();
    assert_eq!(next.loss_cover, Fen(60 * WAN));
    assert_eq!(next.reserve, Fen(4 * WAN));
    assert_eq!(next.guarantee_from_profit, Fen(20 * WAN));
    assert_eq!(next.residual, Fen(16 * WAN));
    assert_eq!(next.loss_carried_forward, Fen::ZERO);
    assert_eq!(next.retained + next.total_paid(), next.net_income);
}

#[test]
fn guarantee_can_be_paid_from_reserves_in_a_bad_year_when_configured() {
    let (e, lines) = two_villages();
    let w = Waterfall::new(
        &e,
        WaterfallParts {
            guarantee: Some(Guarantee::PercentOfCapital {
                class: ClassId(2),
                rate: Bp::new(500).unwrap(),
            }),
            guarantee_from_reserves: true,
            ..parts(2025, vec![(1, 5000), (2, 5000)])
        },
    )
    .unwrap();
    // 保底 due: 5 % of 400 万 = 20 万; the year made 5 万, reserves hold 12 万.
    let d = run(&e, &w, &lines, 5 * WAN, 0, 12 * WAN).unwrap();
    assert_eq!(d.guarantee_from_profit, Fen(5 * WAN));
    assert_eq!(d.guarantee_from_reserves, Fen(12 * WAN));
    assert_eq!(d.guarantee_unpaid, Fen(3 * WAN));
    assert_eq!(paid_to(&d, 1) + paid_to(&d, 2), 17 * WAN);
    assert_eq!(paid_to(&d, 1), 4_250_000); // a quarter of the capital
    assert_eq!(d.retained, Fen(-12 * WAN)); // the reserves drawn down
    assert_eq!(d.retained + d.total_paid(), d.net_income);
}

#[test]
fn guarantee_per_mu_per_share_and_as_a_deposit_rate_multiple() {
    let e = EntitySpec::new(
        "土地股份合作",
        EntityKind::StrongVillageCompany,
        vec![
            class(1, "土地股", Basis::LandArea, 5000),
            class(2, "资金股", Basis::Capital, 3000),
            class(3, "个人股", Basis::Shares, 2000),
        ],
    )
    .unwrap();
    let lines = register(
        &e,
        vec![
            (date!(2024 - 01 - 01), sub(1, 1, 1_250)), // 12.5 亩
            (date!(2024 - 01 - 01), sub(2, 1, 750)),   // 7.5 亩
            (date!(2024 - 01 - 01), sub(1, 2, 100 * WAN)),
            (date!(2024 - 01 - 01), sub(2, 3, 7)),
        ],
    );
    let with = |g| {
        Waterfall::new(
            &e,
            WaterfallParts {
                guarantee: Some(g),
                ..parts(2025, vec![(1, 5000), (2, 3000), (3, 2000)])
            },
        )
        .unwrap()
    };
    // 600 元 per 亩 on 20 亩.
    let d = run(
        &e,
        &with(Guarantee::PerMu {
            class: ClassId(1),
            per_mu: Fen(60_000),
        }),
        &lines,
        100 * WAN,
        0,
        0,
    )
    .unwrap();
    assert_eq!(d.guarantee_due, Fen(1_200_000));
    // 1.12 × a 1.45 % deposit rate on 100 万 = 16,240 元.
    let g = Guarantee::DepositMultiple {
        class: ClassId(2),
        deposit_rate: Bp::new(145).unwrap(),
        multiple_ppm: 1_120_000,
    };
    assert_eq!(
        run(&e, &with(g), &lines, 100 * WAN, 0, 0)
            .unwrap()
            .guarantee_due,
        Fen(1_624_000)
    );
    // 0.35 元 per share on 7 shares.
    let d = run(
        &e,
        &with(Guarantee::PerShare {
            class: ClassId(3),
            per_share: Fen(35),
        }),
        &lines,
        100 * WAN,
        0,
        0,
    )
    .unwrap();
    assert_eq!(d.guarantee_due, Fen(245));
    // A per-mu 保底 on a capital class does not fit.
    let bad = Waterfall::new(
        &e,
        WaterfallParts {
            guarantee: Some(Guarantee::PerMu {
                class: ClassId(2),
                per_mu: Fen(1),
            }),
            ..parts(2025, vec![(1, 5000), (2, 3000), (3, 2000)])
        },
    )
    .unwrap_err();
    assert!(bad[0].message.contains("土地面积"), "{bad:?}");
}

#[test]
fn the_operator_incentive_is_capped_and_can_pay_only_for_growth() {
    let (e, lines) = two_villages();
    let inc = |base, cap| {
        Some(Incentive {
            operator: HolderId(99),
            rate: Bp::new(1000).unwrap(),
            base,
            cap,
        })
    };
    let w = Waterfall::new(
        &e,
        WaterfallParts {
            incentive: inc(IncentiveBase::Profit, Some(Fen(5 * WAN))),
            ..parts(2025, vec![(1, 5000), (2, 5000)])
        },
    )
    .unwrap();
    let d = run(&e, &w, &lines, 100 * WAN, 0, 0).unwrap();
    assert_eq!(d.incentive, Fen(5 * WAN)); // 10 % would be 10 万; capped at 5 万
    assert_eq!(paid_to(&d, 99), 5 * WAN);
    let w = Waterfall::new(
        &e,
        WaterfallParts {
            incentive: inc(
                IncentiveBase::Increment {
                    prior_net_income: Fen(80 * WAN),
                },
                None,
            ),
            ..parts(2025, vec![(1, 5000), (2, 5000)])
        },
    )
    .unwrap();
    assert_eq!(
        run(&e, &w, &lines, 100 * WAN, 0, 0).unwrap().incentive,
        Fen(2 * WAN)
    );
    assert_eq!(
        run(&e, &w, &lines, 70 * WAN, 0, 0).unwrap().incentive,
        Fen::ZERO
    );
}

fn coop() -> (EntitySpec, Vec<RegisterLine>) {
    let e = EntitySpec::new(
        "兰花专业合作社",
        EntityKind::Cooperative,
        vec![
            class(1, "交易量返还", Basis::TradeVolume, 6000),
            class(2, "出资", Basis::Capital, 4000),
        ],
    )
    .unwrap();
    let lines = register(
        &e,
        vec![
            (date!(2025 - 01 - 01), sub(1, 1, 30 * WAN)),
            (date!(2025 - 01 - 01), sub(2, 1, 10 * WAN)),
            (date!(2025 - 01 - 01), sub(1, 2, 5 * WAN)),
        ],
    );
    (e, lines)
}

#[test]
fn a_cooperative_configured_under_60_percent_patronage_is_refused_with_the_reason() {
    let (e, _) = coop();
    let errs = Waterfall::new(
        &e,
        WaterfallParts {
            distribute: Bp::new(9000).unwrap(),
            ..parts(2025, vec![(1, 6000), (2, 4000)])
        },
    )
    .unwrap_err();
    assert_eq!(errs[0].code, "patronage_below_60");
    assert!(
        errs[0].message.contains("54.00%") && errs[0].message.contains("60%"),
        "{}",
        errs[0].message
    );
}

#[test]
fn a_cooperative_whose_guarantee_pushes_patronage_under_60_percent_is_refused() {
    let (e, lines) = coop();
    let ok = Waterfall::new(
        &e,
        WaterfallParts {
            reserve: Bp::new(1000).unwrap(),
            ..parts(2025, vec![(1, 6000), (2, 4000)])
        },
    )
    .unwrap();
    let d = run(&e, &ok, &lines, 10 * WAN, 0, 0).unwrap();
    assert_eq!(d.class_pools[0].pool, Fen(5_400_000)); // exactly 60 % of the 9 万 surplus
    // 保底 of 20 % on 5 万 capital takes 1 万 out of the 9 万: the refund falls to 4.8 万.
    let g = Some(Guarantee::PercentOfCapital {
        class: ClassId(2),
        rate: Bp::new(2000).unwrap(),
    });
    let w = Waterfall::new(
        &e,
        WaterfallParts {
            guarantee: g,
            ..ok.parts().clone()
        },
    )
    .unwrap();
    let err = run(&e, &w, &lines, 10 * WAN, 0, 0).unwrap_err();
    assert_eq!(err.code, "patronage_below_60");
    assert!(err.message.contains("53.33%"), "{}", err.message);
}

#[test]
fn a_mid_year_joiner_is_time_weighted_and_a_leaver_gets_no_dividend() {
    let e = EntitySpec::new(
        "测试",
        EntityKind::StrongVillageCompany,
        vec![class(1, "股", Basis::Shares, 10_000)],
    )
    .unwrap();
    let lines = register(
        &e,
        vec![
            (date!(2024 - 01 - 01), sub(1, 1, 10)),
            (date!(2024 - 01 - 01), sub(3, 1, 10)),
            (date!(2025 - 07 - 02), sub(2, 1, 10)), // 183 of 365 days
            (
                date!(2025 - 09 - 30),
                Change::Redemption {
                    holder: HolderId(3),
                    class: ClassId(1),
                    units: 10,
                    refund: Fen(0),
                },
            ),
        ],
    );
    let tw = Waterfall::new(
        &e,
        WaterfallParts {
            time_weighted: true,
            ..parts(2025, vec![(1, 10_000)])
        },
    )
    .unwrap();
    let d = run(&e, &tw, &lines, 548_000, 0, 0).unwrap();
    // Weights 3,650 and 1,830 unit-days: 548,000 × 3650/5480 = 365,000 and 183,000.
    assert_eq!(paid_to(&d, 1), 365_000);
    assert_eq!(paid_to(&d, 2), 183_000);
    assert_eq!(paid_to(&d, 3), 0);
    assert!(d.payouts.iter().all(|p| p.holder != HolderId(3)));
    // Without time-weighting the joiner weighs as much as a full-year holder.
    let plain = Waterfall::new(&e, parts(2025, vec![(1, 10_000)])).unwrap();
    let d = run(&e, &plain, &lines, 548_000, 0, 0).unwrap();
    assert_eq!((paid_to(&d, 1), paid_to(&d, 2)), (274_000, 274_000));
}

#[test]
fn ties_go_to_the_earlier_holder_and_a_class_nobody_holds_is_retained() {
    let e = EntitySpec::new(
        "测试",
        EntityKind::StrongVillageCompany,
        vec![
            class(1, "均等", Basis::Equal, 5000),
            class(2, "出资", Basis::Capital, 5000),
        ],
    )
    .unwrap();
    let lines = register(
        &e,
        (1..=3)
            .map(|h| (date!(2025 - 01 - 01), sub(h, 1, 1)))
            .collect(),
    );
    let d = run(
        &e,
        &Waterfall::new(&e, parts(2025, vec![(1, 5000), (2, 5000)])).unwrap(),
        &lines,
        201,
        0,
        0,
    )
    .unwrap();
    // Class pools 101 / 100 (tie to the earlier class); 101 = 34 + 34 + 33.
    assert_eq!(
        d.class_pools.iter().map(|p| p.pool.0).collect::<Vec<_>>(),
        vec![101, 100]
    );
    assert_eq!(
        d.payouts.iter().map(|p| p.amount.0).collect::<Vec<_>>(),
        vec![34, 34, 33]
    );
    assert_eq!(d.undistributed, Fen(100));
    assert_eq!(d.retained, Fen(100));
}

#[test]
fn waterfall_drafts_parse_and_report_chinese_field_errors() {
    let (e, lines) = two_villages();
    let d = WaterfallDraft {
        year: 2025,
        cover_prior_losses: true,
        reserve_percent: "10".into(),
        guarantee_kind: "存款利率倍数".into(),
        guarantee_class: 2,
        guarantee_rate_percent: "1.45".into(),
        guarantee_multiple: "1.12".into(),
        incentive_operator: 9,
        incentive_percent: "5".into(),
        incentive_cap: "20000".into(),
        distribute_percent: "60".into(),
        ..Default::default()
    };
    let w = d.parse(&e).unwrap();
    assert_eq!(
        w.parts().class_split,
        vec![
            (ClassId(1), Bp::new(5000).unwrap()),
            (ClassId(2), Bp::new(5000).unwrap())
        ]
    );
    assert!(run(&e, &w, &lines, 100 * WAN, 0, 0).is_ok());
    let bad = WaterfallDraft {
        reserve_percent: "十".into(),
        guarantee_kind: "保本".into(),
        distribute_percent: "".into(),
        incentive_percent: "".into(),
        class_split: vec![(1, "50".into()), (7, "40".into())],
        year: 1999,
        ..d
    };
    let errs = bad.parse(&e).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    for f in [
        "reserve_percent",
        "guarantee_kind",
        "distribute_percent",
        "incentive_percent",
        "class_split",
        "class_split[1]",
        "year",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    assert!(errs.iter().any(|e| e.message.contains("90.00%")));
}

#[test]
fn negative_carried_loss_or_reserves_are_refused() {
    let (e, lines) = two_villages();
    let w = Waterfall::new(&e, parts(2025, vec![(1, 5000), (2, 5000)])).unwrap();
    assert_eq!(
        run(&e, &w, &lines, 1, -1, 0).unwrap_err().field,
        "prior_loss"
    );
    assert_eq!(
        run(&e, &w, &lines, 1, 0, -1).unwrap_err().field,
        "reserves_available"
    );
}

// ---- Properties --------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Case {
    changes: Vec<(u8, i64, i64, i64, i64, u16)>,
    reserve: i64,
    welfare: i64,
    guarantee_bp: Option<i64>,
    from_reserves: bool,
    incentive: Option<(i64, i64)>,
    distribute: i64,
    split: (i64, i64),
    time_weighted: bool,
    cover: bool,
    net: i64,
    prior_loss: i64,
    reserves: i64,
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(
            (
                0u8..4,
                1i64..12,
                1i64..12,
                1i64..4,
                1i64..1_000_000,
                0u16..700,
            ),
            0..40,
        ),
        (
            0i64..3000,
            0i64..2000,
            proptest::option::of(0i64..1500),
            any::<bool>(),
        ),
        (
            proptest::option::of((0i64..3000, 0i64..100_000_000)),
            0i64..=10_000,
            0i64..=10_000,
            0i64..=10_000,
        ),
        (
            any::<bool>(),
            any::<bool>(),
            -1_000_000_000i64..10_000_000_000,
            0i64..1_000_000_000,
            0i64..100_000_000,
        ),
    )
        .prop_map(
            |(
                changes,
                (reserve, welfare, guarantee_bp, from_reserves),
                (incentive, distribute, a, b),
                (time_weighted, cover, net, prior_loss, reserves),
            )| {
                // Three classes whose splits add to 10,000: a, b − a, rest (sorted cut points).
                let (lo, hi) = (a.min(b), a.max(b));
                Case {
                    changes,
                    reserve,
                    welfare,
                    guarantee_bp,
                    from_reserves,
                    incentive,
                    distribute,
                    split: (lo, hi),
                    time_weighted,
                    cover,
                    net,
                    prior_loss,
                    reserves,
                }
            },
        )
}

fn case_entity(c: &Case) -> EntitySpec {
    let (lo, hi) = c.split;
    EntitySpec::new(
        "随机",
        EntityKind::StrongVillageCompany,
        vec![
            class(1, "均等", Basis::Equal, lo),
            class(2, "出资", Basis::Capital, hi - lo),
            class(3, "股数", Basis::Shares, BP_FULL - hi),
        ],
    )
    .unwrap()
}

/// A random valid register over 2024–2025: changes that would break a holding are skipped,
/// as approval would refuse them.
fn case_lines(e: &EntitySpec, c: &Case) -> Vec<RegisterLine> {
    let mut lines: Vec<RegisterLine> = Vec::new();
    let mut day = date!(2024 - 06 - 01);
    for &(k, h, h2, cl, u, step) in &c.changes {
        day = (day + time::Duration::days(i64::from(step) / 20)).min(date!(2025 - 12 - 31));
        let change = match k {
            0 | 1 => sub(h, cl, u),
            2 => Change::Transfer {
                from: HolderId(h),
                to: HolderId(h2),
                class: ClassId(cl),
                units: u % 1000 + 1,
                price: Fen(0),
            },
            _ => Change::Redemption {
                holder: HolderId(h),
                class: ClassId(cl),
                units: u % 1000 + 1,
                refund: Fen(0),
            },
        };
        if let Ok(l) = approve(
            e,
            &lines,
            ChangeRequest {
                effective: day,
                change,
            },
            day,
        ) {
            lines.push(l);
        }
    }
    lines
}

fn case_waterfall(e: &EntitySpec, c: &Case) -> Waterfall {
    let (lo, hi) = c.split;
    Waterfall::new(
        e,
        WaterfallParts {
            year: 2025,
            cover_prior_losses: c.cover,
            reserve: Bp::new(c.reserve).unwrap(),
            welfare: Bp::new(c.welfare).unwrap(),
            guarantee: c.guarantee_bp.map(|b| Guarantee::PercentOfCapital {
                class: ClassId(2),
                rate: Bp::new(b).unwrap(),
            }),
            guarantee_from_reserves: c.from_reserves,
            incentive: c.incentive.map(|(r, cap)| Incentive {
                operator: HolderId(50),
                rate: Bp::new(r).unwrap(),
                base: IncentiveBase::Profit,
                cap: Some(Fen(cap)),
            }),
            distribute: Bp::new(c.distribute).unwrap(),
            class_split: vec![
                (ClassId(1), Bp::new(lo).unwrap()),
                (ClassId(2), Bp::new(hi - lo).unwrap()),
                (ClassId(3), Bp::new(BP_FULL - hi).unwrap()),
            ],
            time_weighted: c.time_weighted,
        },
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn payouts_add_up_exactly_nobody_is_negative_and_more_weight_never_gets_less(c in arb_case()) {
        let e = case_entity(&c);
        let lines = case_lines(&e, &c);
        let w = case_waterfall(&e, &c);
        let d = run(&e, &w, &lines, c.net, c.prior_loss, c.reserves).unwrap();

        // Exact sums.
        prop_assert_eq!(d.retained.0 + d.total_paid().0, d.net_income.0);
        if d.net_income.0 > 0 {
            prop_assert_eq!(d.retained, d.loss_cover + d.reserve + d.welfare + d.undistributed - d.guarantee_from_reserves);
            prop_assert_eq!(d.loss_cover + d.reserve + d.welfare + d.guarantee_from_profit + d.incentive + d.residual, d.net_income);
        }
        prop_assert_eq!(d.class_pools.iter().map(|p| p.pool).sum::<Fen>(), d.distributed);
        prop_assert_eq!(d.distributed + (d.residual - d.distributed), d.residual);
        let dividends: Fen = d.payouts.iter().flat_map(|p| &p.parts).filter(|x| x.source == Source::Dividend).map(|x| x.amount).sum();
        let paid_pools: Fen = d.class_pools.iter().filter(|p| p.total_weight > 0).map(|p| p.pool).sum();
        prop_assert_eq!(dividends, paid_pools);
        let guarantees: Fen = d.payouts.iter().flat_map(|p| &p.parts).filter(|x| x.source == Source::Guarantee).map(|x| x.amount).sum();
        prop_assert_eq!(guarantees, d.guarantee_from_profit + d.guarantee_from_reserves);
        prop_assert_eq!(d.guarantee_due, d.guarantee_from_profit + d.guarantee_from_reserves + d.guarantee_unpaid);

        // The remainder audit: per class, the fen placed by the rule, fewer than its holders.
        for pool in &d.class_pools {
            let placed: Vec<i64> = d.payouts.iter().flat_map(|p| &p.parts)
                .filter(|x| x.source == Source::Dividend && x.class == Some(pool.class))
                .map(|x| x.remainder_fen).collect();
            prop_assert!(placed.iter().all(|r| *r == 0 || *r == 1));
            prop_assert_eq!(placed.iter().sum::<i64>(), pool.leftover_fen);
            prop_assert!(pool.leftover_fen == 0 || (pool.leftover_fen as usize) < placed.len());
        }

        // Nobody negative; parts add to the payout.
        for p in &d.payouts {
            prop_assert!(p.amount.0 >= 0);
            prop_assert!(p.parts.iter().all(|x| x.amount.0 >= 0));
            prop_assert_eq!(p.parts.iter().map(|x| x.amount).sum::<Fen>(), p.amount);
        }

        // A loss year pays nothing beyond 保底 drawn from reserves, and carries the loss.
        if d.net_income.0 <= 0 {
            prop_assert_eq!(d.total_paid(), d.guarantee_from_reserves);
            prop_assert_eq!(d.loss_carried_forward.0, c.prior_loss - d.net_income.0);
        }

        // Monotonicity within a class: a larger weight is never paid less from the same split.
        for src in [Source::Guarantee, Source::Dividend] {
            for cl in 1..=3 {
                let mut v: Vec<(i64, i64)> = d.payouts.iter().flat_map(|p| &p.parts)
                    .filter(|x| x.source == src && x.class == Some(ClassId(cl)))
                    .map(|x| (x.weight, x.amount.0)).collect();
                v.sort();
                for pair in v.windows(2) {
                    prop_assert!(pair[0].1 <= pair[1].1, "{:?} in class {} of {:?}", pair, cl, src);
                }
            }
        }

        // Only holders still holding at year end are paid (天台 rule).
        let end = crate::equity::replay(&lines, date!(2025 - 12 - 31)).unwrap();
        for p in d.payouts.iter().filter(|p| p.holder != HolderId(50)) {
            prop_assert!(end.iter().any(|(h, _, _)| h == p.holder));
        }

        // Same input, same output.
        prop_assert_eq!(run(&e, &w, &lines, c.net, c.prior_loss, c.reserves).unwrap(), d);
    }

    /// Adding shares to one holder of a class, all else equal, never lowers what that holder
    /// gets from the class pool.
    #[test]
    fn more_shares_never_means_less_money(
        holdings in proptest::collection::vec(1i64..1_000, 1..30),
        who in 0usize..30,
        extra in 1i64..1_000,
        net in 0i64..1_000_000_000,
    ) {
        let e = EntitySpec::new("单类", EntityKind::StrongVillageCompany, vec![class(1, "股", Basis::Shares, 10_000)]).unwrap();
        let who = who % holdings.len();
        let w = Waterfall::new(&e, parts(2025, vec![(1, 10_000)])).unwrap();
        let build = |bump: i64| {
            let ch = holdings.iter().enumerate().map(|(i, &u)| (date!(2025 - 01 - 01), sub(i as i64 + 1, 1, u + if i == who { bump } else { 0 }))).collect();
            register(&e, ch)
        };
        let before = run(&e, &w, &build(0), net, 0, 0).unwrap();
        let after = run(&e, &w, &build(extra), net, 0, 0).unwrap();
        prop_assert!(paid_to(&after, who as i64 + 1) >= paid_to(&before, who as i64 + 1));
        prop_assert_eq!(after.total_paid(), before.total_paid());
    }
}
