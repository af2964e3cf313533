//! Operating teams for the demo's pilot zones (运营团队): five companies, each serving one to
//! two pilot zones under a contract, with KPIs for the last two years and this year so far, a
//! yearly evaluation for each full year served, and per pilot zone an operation plan with its
//! IP name and a simple generated logo. Own random stream, so nothing else in the demo
//! changes; pure (today is passed in). The companies are invented; their credit codes are
//! valid in form only.

use crate::DemoDistrict;
use gongfu_core::DataYear;
use gongfu_core::Fen;
use gongfu_core::ops::teams::{BusinessType, EvaluationSpec, Grade, KpiSpec, OperationPlan};
use gongfu_core::work::actor::CreditCode;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};

const STREAM: u64 = 0x5EED_7EA3_2026_0007;

/// One demo team: what the store's `TeamSpec` needs, with zones named (ids come at seeding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTeam {
    pub name: String,
    pub credit_code: CreditCode,
    pub contact_person: String,
    pub business_types: Vec<BusinessType>,
    pub contract_start: Date,
    pub contract_end: Date,
    pub terms: String,
    /// (zone name, served from).
    pub zones: Vec<(String, Date)>,
    /// (zone name, year, figures).
    pub kpis: Vec<(String, i32, KpiSpec)>,
    pub evaluations: Vec<EvaluationSpec>,
}

/// A pilot zone's operation plan and its logo (a PNG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPlan {
    pub zone: String,
    pub plan: OperationPlan,
    pub logo_png: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTeams {
    pub teams: Vec<DemoTeam>,
    pub plans: Vec<DemoPlan>,
}

/// A team: name, short name of the towns it serves, business types, contract start (years
/// before this year, month), contract length in years, how strongly it draws visitors (0–3).
struct Profile {
    name: &'static str,
    towns: &'static [&'static str],
    types: &'static [BusinessType],
    start: (i32, u8),
    years: i32,
    tourism: u8,
    contact: &'static str,
}

const PROFILES: [Profile; 5] = [
    Profile {
        name: "绍兴柯桥兰亭湖山文旅运营有限公司",
        towns: &["兰亭", "柯岩"],
        types: &[BusinessType::CultureTourism, BusinessType::ECommerce],
        start: (2, 1),
        years: 3,
        tourism: 3,
        contact: "运营总监",
    },
    Profile {
        name: "绍兴市柯桥区安昌酱香文化发展有限公司",
        towns: &["安昌", "杨汛桥"],
        types: &[
            BusinessType::CultureTourism,
            BusinessType::Processing,
            BusinessType::ECommerce,
        ],
        start: (3, 7),
        years: 4,
        tourism: 2,
        contact: "总经理办公室",
    },
    Profile {
        name: "绍兴柯桥漓渚兰韵花木产业运营有限公司",
        towns: &["漓渚"],
        types: &[BusinessType::ScaledFarming, BusinessType::ECommerce],
        start: (2, 3),
        years: 4,
        tourism: 1,
        contact: "市场部",
    },
    Profile {
        name: "绍兴平水日铸茶竹产业发展有限公司",
        towns: &["平水"],
        types: &[BusinessType::ScaledFarming, BusinessType::Processing],
        start: (1, 1),
        years: 3,
        tourism: 0,
        contact: "生产运营部",
    },
    Profile {
        name: "绍兴柯桥会稽山乡村运营管理有限公司",
        towns: &["王坛", "稽东"],
        types: &[
            BusinessType::CultureTourism,
            BusinessType::ScaledFarming,
            BusinessType::ECommerce,
        ],
        start: (2, 4),
        years: 5,
        tourism: 2,
        contact: "乡村运营中心",
    },
];

/// Per pilot town: IP name, theme, product, market, promotion channel, logo colour.
struct PlanSeed {
    town: &'static str,
    ip: &'static str,
    theme: &'static str,
    product: &'static str,
    market: &'static str,
    channel: &'static str,
    rgb: [u8; 3],
}

const PLANS: [PlanSeed; 8] = [
    PlanSeed {
        town: "兰亭",
        ip: "兰亭雅集",
        theme: "以书法文化和芳湖山水为底色，打造“书法研学+湖畔休闲”的文化旅游目的地",
        product: "书法研学课程、曲水流觞主题雅集、湖畔民宿与茶歇",
        market: "长三角中小学研学团队、书法爱好者、周末家庭短途游客",
        channel: "书法节会、研学机构合作、短视频平台“跟着书法游兰亭”话题",
        rgb: [176, 42, 48],
    },
    PlanSeed {
        town: "柯岩",
        ip: "鉴湖渔歌",
        theme: "依托鉴湖水乡风貌，发展“渔事体验+水上游线+渔家餐饮”",
        product: "乌篷船水上游线、渔事体验、渔家宴与湖鲜伴手礼",
        market: "城区及周边城市亲子家庭、团建客群、夜游客群",
        channel: "水乡夜游季、旅行社线路合作、本地生活平台团购",
        rgb: [29, 95, 168],
    },
    PlanSeed {
        town: "安昌",
        ip: "安昌酱香",
        theme: "以酱文化和古镇年俗为核心，做强“酱品加工+古镇旅游”",
        product: "酱鸭酱肉等酱品礼盒、腊月风情节、酱作坊参观体验",
        market: "年货消费客群、古镇游客、电商平台食品消费者",
        channel: "腊月风情节、直播带货、商超与企业团购渠道",
        rgb: [140, 70, 20],
    },
    PlanSeed {
        town: "杨汛桥",
        ip: "紫薇花开",
        theme: "以紫薇花木产业为基础，发展“苗木销售+赏花经济”",
        product: "紫薇苗木与盆景、夏季赏花节、庭院绿化定制",
        market: "园林绿化工程单位、庭院业主、赏花游客",
        channel: "花木交易会、赏花节、行业平台与社群营销",
        rgb: [128, 60, 160],
    },
    PlanSeed {
        town: "漓渚",
        ip: "漓渚兰韵",
        theme: "打造“中国兰花之乡”品牌，带动兰花种植、交易和兰文化旅游",
        product: "兰花精品与大众盆栽、兰花展销、兰文化研学",
        market: "兰花爱好者与经销商、节庆礼品客户、研学团队",
        channel: "兰花博览会、电商直播基地、兰协会员渠道",
        rgb: [46, 125, 80],
    },
    PlanSeed {
        town: "平水",
        ip: "平水竹韵",
        theme: "发挥日铸茶和竹林资源，发展茶竹精深加工与采茶体验",
        product: "日铸茶、竹笋加工品、竹制文创与采茶体验",
        market: "茶叶批发与品牌客户、食品加工企业、城市伴手礼消费者",
        channel: "茶博会、品牌联名、企业采购与电商旗舰店",
        rgb: [60, 140, 60],
    },
    PlanSeed {
        town: "王坛",
        ip: "舜乡梅好",
        theme: "以杨梅和舜文化为主题，发展“采摘游+舜乡文化体验”",
        product: "杨梅采摘与冷链鲜果、杨梅酒、舜文化民俗活动",
        market: "采摘季自驾游客、鲜果电商消费者、企业福利采购",
        channel: "杨梅节、冷链电商、社区团购与媒体推介",
        rgb: [190, 30, 90],
    },
    PlanSeed {
        town: "稽东",
        ip: "大桥和美",
        theme: "以香榧和山地风光为依托，建设和美乡村共创样板",
        product: "香榧及山货礼盒、山地徒步线路、乡村共创营",
        market: "户外运动客群、山货电商消费者、乡村共创青年",
        channel: "香榧开采节、户外社群、青年共创营招募",
        rgb: [200, 120, 20],
    },
];

fn day(y: i32, m: u8, d: u8) -> Date {
    Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        .unwrap_or(Date::MIN)
}

fn credit_code(rng: &mut ChaCha8Rng) -> CreditCode {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    loop {
        let tail: String = (0..6)
            .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
            .collect();
        if let Ok(c) = CreditCode::complete(&format!("91330603MA2{tail}")) {
            return c;
        }
    }
}

/// The pilot zone of a town (its name starts with the town's short name).
fn zone_of<'a>(district: &'a DemoDistrict, town: &str) -> Option<&'a str> {
    district
        .pilot_zones
        .iter()
        .find(|z| z.name.starts_with(&format!("{town}·")))
        .map(|z| z.name.as_str())
}

/// Teams, KPIs, evaluations and operation plans for the pilot zones of `district`.
pub fn generate_teams(district: &DemoDistrict, today: Date, seed: u64) -> DemoTeams {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let year = today.year();
    // This year's figures cover the part of the year gone by.
    let part = i64::from(today.ordinal()) * 1000 / 365;
    let mut teams = Vec::new();
    for p in &PROFILES {
        let zones: Vec<&str> = p
            .towns
            .iter()
            .filter_map(|t| zone_of(district, t))
            .collect();
        if zones.is_empty() {
            continue;
        }
        let start = day(year - p.start.0, p.start.1, 1);
        let end = day(year - p.start.0 + p.years, p.start.1, 1) - time::Duration::days(1);
        let fee = rng.random_range(30..80) * 10_000;
        let terms = format!(
            "村集体以闲置资产和资源入股，团队负责片区统一运营；基础运营费每年 {} 万元，超出年度目标的经营收益按 3:7（团队:村集体）分成；年度考评不合格的，次年运营费扣减 20%，连续两年不合格的解除合同。",
            fee / 10_000
        );
        let mut kpis = Vec::new();
        let mut evaluations = Vec::new();
        for zone in &zones {
            // Revenue in the first full year: 300–1,500 万元 scaled by how much the team
            // draws visitors; then 8–30 % growth a year.
            let mut revenue: i64 = rng.random_range(300..1_500) * 10_000;
            for y in start.year()..=year {
                let growth = rng.random_range(108..130);
                let visitors: i64 = match p.tourism {
                    0 => rng.random_range(2_000..8_000),
                    1 => rng.random_range(10_000..40_000),
                    2 => rng.random_range(40_000..150_000),
                    _ => rng.random_range(120_000..320_000),
                };
                let events: i64 = rng.random_range(6..40);
                let jobs: i64 = rng.random_range(15..120);
                let collective = revenue * rng.random_range(6..15) / 100;
                let scale = |v: i64| if y == year { v * part / 1000 } else { v };
                // The first year counts from the contract's start.
                let first = if y == start.year() {
                    i64::from(13 - u8::from(start.month())) * 1000 / 12
                } else {
                    1000
                };
                let share = |v: i64| scale(v) * first / 1000;
                if y >= year - 2 {
                    kpis.push((
                        zone.to_string(),
                        y,
                        KpiSpec {
                            revenue: Fen::from_yuan(share(revenue) / 100 * 100),
                            visitors: share(visitors),
                            events: share(events).max(1),
                            jobs,
                            collective_income: Fen::from_yuan(share(collective) / 100 * 100),
                        },
                    ));
                }
                revenue = revenue * growth / 100;
            }
        }
        for y in (year - 2)..year {
            if y < start.year() {
                continue;
            }
            let tenths: i64 = rng.random_range(760..965);
            let grade = Grade::of_score(tenths);
            let comment = match grade {
                Grade::Excellent => "全面完成年度运营目标，带动村集体增收明显，品牌影响力持续提升",
                Grade::Good => "较好完成年度目标，活动组织有序；电商渠道和农户利益联结仍需加强",
                Grade::Pass => "基本完成年度目标，游客接待和就业带动未达预期，需制定整改计划",
                Grade::Fail => "未完成年度目标，按合同扣减运营费并限期整改",
            };
            if let Ok(year) = DataYear::new(i64::from(y)) {
                evaluations.push(EvaluationSpec {
                    year,
                    score_tenths: tenths,
                    grade,
                    comment: comment.into(),
                    reviewer: "柯桥区农业农村局（区共富办）".into(),
                });
            }
        }
        teams.push(DemoTeam {
            name: p.name.into(),
            credit_code: credit_code(&mut rng),
            contact_person: p.contact.into(),
            business_types: p.types.to_vec(),
            contract_start: start,
            contract_end: end,
            terms,
            zones: zones.iter().map(|z| (z.to_string(), start)).collect(),
            kpis,
            evaluations,
        });
    }
    let plans = PLANS
        .iter()
        .filter_map(|s| {
            let zone = zone_of(district, s.town)?;
            Some(DemoPlan {
                zone: zone.to_string(),
                plan: OperationPlan {
                    theme: s.theme.into(),
                    market_analysis: format!(
                        "目标客群：{}。片区交通便利，距柯桥城区约 30–50 分钟车程，周边同类产品较多，需以特色体验和品牌差异化取胜。",
                        s.market
                    ),
                    product_design: format!(
                        "主打产品：{}。统一品牌、统一包装、统一品控，村集体与农户按“保底+分红”参与。",
                        s.product
                    ),
                    promotion: format!(
                        "推广渠道：{}；全年策划主题活动，统一使用片区 IP「{}」形象。",
                        s.channel, s.ip
                    ),
                    ip_name: s.ip.into(),
                },
                logo_png: logo_png(s.rgb),
            })
        })
        .collect();
    DemoTeams { teams, plans }
}

/// A 96 × 96 PNG badge: a ring and a dot in the zone's colour on white.
pub fn logo_png(rgb: [u8; 3]) -> Vec<u8> {
    const N: usize = 96;
    let mut raw = Vec::with_capacity(N * (1 + N * 3));
    let c = (N as f64 - 1.0) / 2.0;
    for y in 0..N {
        raw.push(0); // filter: none
        for x in 0..N {
            let r = ((x as f64 - c).powi(2) + (y as f64 - c).powi(2)).sqrt();
            let on = (34.0..46.0).contains(&r) || r < 20.0;
            let px = if on { rgb } else { [255, 255, 255] };
            raw.extend_from_slice(&px);
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(N as u32).to_be_bytes());
    ihdr.extend_from_slice(&(N as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    // zlib with stored (uncompressed) deflate blocks.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_pilot_zone_has_a_team_and_a_plan_and_the_same_seed_gives_the_same() {
        let towns = crate::parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
        let divisions = crate::parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
        let d = crate::generate(&divisions, &towns, 7);
        let today = date!(2026 - 11 - 29);
        let a = generate_teams(&d, today, 7);
        assert_eq!(a, generate_teams(&d, today, 7));
        assert_eq!(a.teams.len(), 5);
        for z in &d.pilot_zones {
            assert!(
                a.teams
                    .iter()
                    .any(|t| t.zones.iter().any(|(n, _)| n == &z.name)),
                "{}",
                z.name
            );
            assert!(a.plans.iter().any(|p| p.zone == z.name), "{}", z.name);
        }
        for t in &a.teams {
            assert!(t.contract_start < t.contract_end);
            assert!(t.kpis.iter().any(|(_, y, _)| *y == 2026));
            assert!(t.kpis.iter().all(|(_, y, _)| (2024..=2026).contains(y)));
            assert!(!t.evaluations.is_empty());
            assert!(t.evaluations.iter().all(|e| e.year.get() < 2026));
        }
        for p in &a.plans {
            let checked = gongfu_core::ops::teams::check_logo("ip.png", &p.logo_png).unwrap();
            assert!(checked.kind.is_image());
            assert!(!p.plan.ip_name.is_empty());
            assert!(p.plan.parse().is_ok());
        }
    }
}
