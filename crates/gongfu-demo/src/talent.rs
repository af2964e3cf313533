//! Talent for the demo (人才共创): trainings for the pilot zones in 2024–2026 and a few
//! district-wide ones (村书记 / 村两委 / 运营人才), three to six entrepreneurs per pilot zone with
//! their projects and incubators, support applied for (most approved, some pending, one
//! refused), 2025 reviews and a few 以奖代补 awards resting on them. Own random stream; pure
//! (today is passed in); names are fictional.

use crate::{DemoDistrict, DivisionRow};
use gongfu_core::ops::talent::{
    EntrepreneurKind, EntrepreneurSpec, Grade, ReviewSpec, SupportKind, SupportSpec, TrainingSpec,
    Verdict,
};
use gongfu_core::village::short_name;
use gongfu_core::{Fen, VillageCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};

const STREAM: u64 = 0x5EED_7A1E_2026_0004;

/// A training, its zone named as in [`crate::DemoZone::name`] (`None`: district-wide).
#[derive(Debug, Clone)]
pub struct DemoTraining {
    pub zone: Option<String>,
    pub spec: TrainingSpec,
}

/// An application for support and what became of it.
#[derive(Debug, Clone)]
pub struct DemoSupport {
    /// For an award, `review` is left `None`: the seeding sets the id of the person's review.
    pub spec: SupportSpec,
    pub applied_on: Date,
    /// `None`: still pending.
    pub decision: Option<(Verdict, String, Date)>,
}

#[derive(Debug, Clone)]
pub struct DemoPerson {
    /// `zone` is `None`: the zone of the village.
    pub spec: EntrepreneurSpec,
    pub review: Option<ReviewSpec>,
    /// Plain support first, then an award (which rests on `review`).
    pub supports: Vec<DemoSupport>,
}

#[derive(Debug, Clone, Default)]
pub struct DemoTalent {
    pub trainings: Vec<DemoTraining>,
    pub people: Vec<DemoPerson>,
}

/// The product a zone's theme speaks of, for project names.
fn product_of(theme: &str) -> &'static str {
    [
        ("茶", "茶叶"),
        ("香榧", "香榧"),
        ("兰", "兰花"),
        ("酱", "酱品"),
        ("酒", "黄酒"),
        ("书法", "书法文创"),
        ("竹", "竹笋"),
        ("梅", "杨梅"),
        ("紫薇", "花木"),
    ]
    .iter()
    .find(|(k, _)| theme.contains(k))
    .map_or("农产品", |(_, p)| p)
}

const SURNAMES: [&str; 20] = [
    "沈", "陈", "王", "钱", "孙", "周", "吴", "徐", "金", "俞", "朱", "陆", "何", "方", "蒋", "杜",
    "邵", "傅", "宣", "裘",
];
const GIVEN: [&str; 24] = [
    "若溪", "晓峰", "一鸣", "佳怡", "子涵", "浩然", "思远", "雨桐", "嘉禾", "文博", "欣然", "立军",
    "海燕", "建平", "春晖", "明轩", "梓萱", "俊杰", "诗琪", "志强", "亦凡", "晨阳", "可馨", "伟东",
];

fn day(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// Whole yuan to fen.
fn yuan(y: i64) -> Fen {
    Fen(y * 100)
}

/// The demo's talent records, in zone order.
pub fn generate_talent(
    divisions: &[DivisionRow],
    district: &DemoDistrict,
    today: Date,
    seed: u64,
) -> DemoTalent {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let name_of = |code: &str| {
        divisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| short_name(&d.name))
            .unwrap_or_default()
    };
    let mut out = DemoTalent::default();
    // District-wide sessions, two or three a year.
    let district_topics = [
        ("全区村党组织书记“共富领雁”培训班", "村党组织书记", 240, 160),
        ("村两委干部履职能力提升培训", "村两委成员", 320, 80),
        ("乡村运营人才（乡村 CEO）培训班", "运营人才", 120, 240),
    ];
    for year in 2024..=today.year() {
        for (i, (topic, audience, n, hours)) in district_topics.iter().enumerate() {
            let Some(held_on) = day(year, 3 + 3 * i as u8, 10 + rng.random_range(0..15u8)) else {
                continue;
            };
            if held_on > today {
                continue;
            }
            out.trainings.push(DemoTraining {
                zone: None,
                spec: TrainingSpec {
                    zone: None,
                    topic: format!("{year} 年{topic}"),
                    held_on,
                    attendees: n + rng.random_range(0..40i64),
                    hours_tenths: *hours,
                    audience: audience.to_string(),
                },
            });
        }
    }
    let zone_topics = [
        ("{zone}村书记经营村庄能力提升班", "村党组织书记", 20, 60),
        ("{zone}村两委共富片区运营专题培训", "村两委成员", 45, 35),
        ("{zone}运营人才实训营", "运营人才", 30, 120),
        ("{product}电商直播技能培训", "农创客", 40, 40),
        ("强村公司经营管理培训", "村两委成员", 35, 30),
    ];
    let mut used_names = std::collections::HashSet::new();
    let mut refused_one = false;
    for (zi, zone) in district.pilot_zones.iter().enumerate() {
        let product = product_of(&format!("{}{}", zone.theme, zone.name));
        let short_zone = zone
            .name
            .trim_end_matches("共富片区")
            .trim_end_matches("片区")
            .to_string();
        for year in 2024..=today.year() {
            let n = 1 + rng.random_range(0..3usize);
            for _ in 0..n {
                let (topic, audience, people, hours) =
                    zone_topics[rng.random_range(0..zone_topics.len())];
                let Some(held_on) = day(
                    year,
                    1 + rng.random_range(0..12u8),
                    1 + rng.random_range(0..28u8),
                ) else {
                    continue;
                };
                if held_on > today {
                    continue;
                }
                out.trainings.push(DemoTraining {
                    zone: Some(zone.name.clone()),
                    spec: TrainingSpec {
                        zone: None,
                        topic: topic
                            .replace("{zone}", &short_zone)
                            .replace("{product}", product),
                        held_on,
                        attendees: people + rng.random_range(0..20i64),
                        hours_tenths: hours,
                        audience: audience.to_string(),
                    },
                });
            }
        }
        let projects = [
            format!("{product}电商直播与品牌运营"),
            format!("{product}精深加工小作坊"),
            format!("{product}生态种植示范基地"),
            "乡村民宿与亲子研学".to_string(),
            "农文旅露营营地".to_string(),
            format!("{product}文创伴手礼设计"),
            "稻渔共生家庭农场".to_string(),
            "农产品冷链配送服务".to_string(),
        ];
        let key_place = name_of(&zone.key_village);
        let incubators = [
            "柯桥区农创客孵化园".to_string(),
            format!("{key_place}青年入乡实践站"),
            "柯桥区返乡创业孵化基地".to_string(),
            format!("{key_place}共富工坊创业点"),
        ];
        let n = 3 + rng.random_range(0..4usize);
        for pi in 0..n {
            let code = zone.members[rng.random_range(0..zone.members.len())].clone();
            let Ok(village) = VillageCode::parse(&code) else {
                continue;
            };
            let name = loop {
                let n = format!(
                    "{}{}",
                    SURNAMES[rng.random_range(0..SURNAMES.len())],
                    GIVEN[rng.random_range(0..GIVEN.len())]
                );
                if used_names.insert(n.clone()) {
                    break n;
                }
            };
            let kind = EntrepreneurKind::ALL[rng.random_range(0..3usize)];
            let Some(since) = day(
                2022 + rng.random_range(0..4i32),
                1 + rng.random_range(0..12u8),
                1 + rng.random_range(0..28u8),
            )
            .filter(|d| *d <= today) else {
                continue;
            };
            let mut supports = Vec::new();
            let mut next_apply = since + Duration::days(20 + rng.random_range(0..60i64));
            let k = 1 + rng.random_range(0..3usize);
            for si in 0..k {
                let applied_on = next_apply;
                if applied_on > today {
                    break;
                }
                next_apply = applied_on + Duration::days(120 + rng.random_range(0..200i64));
                let (kind, amount, months) = match (kind, si, rng.random_range(0..4u8)) {
                    (_, 0, _) => (
                        SupportKind::RentRelief,
                        yuan(6_000 + 1_000 * rng.random_range(0..30i64)),
                        12,
                    ),
                    (EntrepreneurKind::ReturningYouth, _, 0 | 1) => {
                        (SupportKind::LivingSubsidy, yuan(24_000), 12)
                    }
                    (_, _, 0 | 1) => (
                        SupportKind::Loan,
                        yuan(100_000 * (1 + rng.random_range(0..5i64))),
                        36,
                    ),
                    (_, _, 2) => (
                        SupportKind::Guarantee,
                        yuan(200_000 * (1 + rng.random_range(0..4i64))),
                        24,
                    ),
                    _ => (SupportKind::LivingSubsidy, yuan(12_000), 12),
                };
                let from = applied_on + Duration::days(30);
                let to = from + Duration::days(30 * months - 1);
                let decided_on = applied_on + Duration::days(7 + rng.random_range(0..20i64));
                let decision = if decided_on > today || rng.random_range(0..10u8) == 0 {
                    None
                } else if !refused_one && zi == 1 && pi == 0 && si == 0 {
                    refused_one = true;
                    Some((
                        Verdict::Refuse,
                        "创业场地尚未入驻孵化平台，不符合租金减免条件".to_string(),
                        decided_on,
                    ))
                } else {
                    Some((
                        Verdict::Approve,
                        "材料齐全，符合扶持政策".to_string(),
                        decided_on,
                    ))
                };
                supports.push(DemoSupport {
                    spec: SupportSpec {
                        kind,
                        amount,
                        from,
                        to,
                        review: None,
                    },
                    applied_on,
                    decision,
                });
            }
            // A 2025 review for those who started before it, once 2025 is over.
            let review = (since.year() <= 2025 && today.year() > 2025).then(|| {
                let grade = match rng.random_range(0..20u8) {
                    0..=3 => Grade::Excellent,
                    4..=11 => Grade::Good,
                    12..=18 => Grade::Pass,
                    _ => Grade::Fail,
                };
                let comment = match grade {
                    Grade::Excellent => "项目运营良好，带动周边农户增收明显",
                    Grade::Good => "项目稳步推进，带动就业有成效",
                    Grade::Pass => "项目正常运营，带动作用有待加强",
                    Grade::Fail => "项目基本停滞，需加强指导",
                };
                ReviewSpec {
                    year: 2025,
                    grade,
                    comment: comment.to_string(),
                    reviewer: "区人才工作领导小组办公室".to_string(),
                }
            });
            // 以奖代补 for about half of those graded 优秀 / 良好, applied in January 2026.
            if let Some(r) = &review
                && r.grade.earns_award()
                && rng.random_range(0..2u8) == 0
                && let (Some(applied_on), Some(from), Some(to)) =
                    (day(2026, 1, 15), day(2026, 1, 1), day(2026, 12, 31))
                && applied_on <= today
            {
                let decided_on = applied_on + Duration::days(21);
                supports.push(DemoSupport {
                    spec: SupportSpec {
                        kind: SupportKind::Award,
                        amount: yuan(if r.grade == Grade::Excellent {
                            50_000
                        } else {
                            20_000
                        }),
                        from,
                        to,
                        review: None,
                    },
                    applied_on,
                    decision: (decided_on <= today).then(|| {
                        (
                            Verdict::Approve,
                            format!("{} 年度考评{}，予以以奖代补", r.year, r.grade.label()),
                            decided_on,
                        )
                    }),
                });
            }
            out.people.push(DemoPerson {
                spec: EntrepreneurSpec {
                    name,
                    kind,
                    zone: None,
                    village,
                    project: projects[rng.random_range(0..projects.len())].clone(),
                    incubator: incubators[rng.random_range(0..incubators.len())].clone(),
                    since,
                },
                review,
                supports,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn talent_is_deterministic_and_plausible() {
        let towns = crate::parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
        let divisions = crate::parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
        let district = crate::generate(&divisions, &towns, 7);
        let today = date!(2026 - 11 - 29);
        let a = generate_talent(&divisions, &district, today, 7);
        let b = generate_talent(&divisions, &district, today, 7);
        assert_eq!(a.people.len(), b.people.len());
        assert_eq!(
            a.people.iter().map(|p| &p.spec.name).collect::<Vec<_>>(),
            b.people.iter().map(|p| &p.spec.name).collect::<Vec<_>>()
        );
        assert!(a.trainings.iter().any(|t| t.zone.is_none()));
        assert!(a.trainings.iter().all(|t| t.spec.held_on <= today));
        let decisions: Vec<_> = a
            .people
            .iter()
            .flat_map(|p| &p.supports)
            .map(|s| s.decision.as_ref().map(|d| d.0))
            .collect();
        assert_eq!(
            decisions
                .iter()
                .filter(|d| **d == Some(Verdict::Refuse))
                .count(),
            1
        );
        assert!(decisions.contains(&None), "some are pending");
        assert!(
            a.people
                .iter()
                .flat_map(|p| &p.supports)
                .any(|s| s.spec.kind == SupportKind::Award)
        );
        for p in &a.people {
            for s in &p.supports {
                if s.spec.kind == SupportKind::Award {
                    assert!(p.review.as_ref().is_some_and(|r| r.grade.earns_award()));
                }
            }
        }
    }
}
