//! The default rubrics that ship with the product ([PROPOSED] in rules.md), as editable data:
//! the zone rubric (8 dimensions, 100 points, IDs 1.1 … 8.6, bonus B1–B5, penalties P1–P4,
//! vetoes V1–V5) and the operating-team rubric (Lin'an's 7 sections, pass line 60 %).

use super::method::{DEFAULT_MARK_SHARES, Method, RelTier, Step};
use super::rubric::{
    Band, BonusItem, Combine, Dimension, Figure, Indicator, MarkLevel, PenaltyItem, Rubric,
    RubricKind, Rule, Source, Unit, VetoItem,
};
use super::{Mark, Points, Rating};

/// 1 万元 in fen.
const WAN: i64 = 1_000_000;

fn p(n: i64) -> Points {
    Points::whole(n)
}

fn ind(id: &str, name: &str, dept: &str, evidence: bool, rules: Vec<Rule>) -> Indicator {
    ind_with(id, name, dept, evidence, Combine::Sum, rules)
}

fn ind_with(
    id: &str,
    name: &str,
    dept: &str,
    evidence: bool,
    combine: Combine,
    rules: Vec<Rule>,
) -> Indicator {
    let max = match combine {
        Combine::Sum => rules.iter().map(|r| r.max).sum(),
        Combine::Max => rules.iter().map(|r| r.max).max().unwrap_or_default(),
    };
    Indicator {
        id: id.into(),
        name: name.into(),
        max,
        department: dept.into(),
        evidence_required: evidence,
        combine,
        rules,
    }
}

fn rule(key: &str, label: &str, max: i64, unit: Unit, source: Source, method: Method) -> Rule {
    Rule {
        key: key.into(),
        label: label.into(),
        max: p(max),
        unit,
        method,
        source,
    }
}

/// A GRADE rule; `levels` lists the marks allowed with their meaning, at the default shares.
fn grade(key: &str, label: &str, max: i64, levels: &[(Mark, &str)]) -> Rule {
    let levels = levels
        .iter()
        .map(|(m, meaning)| MarkLevel {
            mark: *m,
            share_bp: DEFAULT_MARK_SHARES
                .iter()
                .find(|(dm, _)| dm == m)
                .map(|(_, s)| *s)
                .unwrap_or(0),
            meaning: (*meaning).into(),
        })
        .collect();
    rule(
        key,
        label,
        max,
        Unit::Count,
        Source::Manual,
        Method::Grade { levels },
    )
}

/// STEP with `(at_least, whole points)` rungs, ascending.
fn steps(rungs: &[(i64, i64)]) -> Method {
    Method::Step {
        steps: rungs
            .iter()
            .map(|(a, pts)| Step {
                at_least: *a,
                points: p(*pts),
            })
            .collect(),
    }
}

fn lin(target: i64, floor: Option<i64>, cutoff: Option<i64>) -> Method {
    Method::Lin {
        target,
        floor,
        cutoff,
    }
}

fn cov(full_if_empty: bool) -> Method {
    Method::Cov { full_if_empty }
}

fn fig(f: Figure) -> Source {
    Source::Platform(f)
}

fn dim(id: &str, name: &str, indicators: Vec<Indicator>) -> Dimension {
    Dimension {
        id: id.into(),
        name: name.into(),
        max: indicators.iter().map(|i| i.max).sum(),
        indicators,
    }
}

const NONG: &str = "区农业农村局";
const ZUZHI: &str = "区委组织部";
const GUIHUA: &str = "区自然资源和规划局";

/// rules.md "Default rubric: 8 dimensions, 100 points", with its bonus, penalty and veto items
/// and grade bands (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 70, else 不合格).
pub fn default_zone_rubric(year: i32) -> Rubric {
    use Mark::{A, B, C, D};
    let dimensions = vec![
        dim(
            "D1",
            "规划联动",
            vec![
                ind(
                    "1.1",
                    "片区一体化规划（产业、空间、设施、运营）经区级批复",
                    GUIHUA,
                    true,
                    vec![grade(
                        "1.1",
                        "规划批复情况",
                        4,
                        &[
                            (A, "已批复一体化规划，含运营方案"),
                            (B, "已批复，不含运营内容"),
                            (C, "仅有草案"),
                            (D, "无"),
                        ],
                    )],
                ),
                ind(
                    "1.2",
                    "年度计划项目开工/完工率",
                    NONG,
                    false,
                    vec![rule(
                        "1.2",
                        "开工/完工率",
                        4,
                        Unit::Percent,
                        fig(Figure::ProjectCompletionRate),
                        lin(9_000, None, Some(5_000)),
                    )],
                ),
                ind(
                    "1.3",
                    "村庄规划与片区规划衔接（村庄规划覆盖）",
                    GUIHUA,
                    true,
                    vec![rule(
                        "1.3",
                        "已衔接村数 / 成员村数",
                        2,
                        Unit::Count,
                        // Entered by the department: no village plans are kept on the platform.
                        Source::Manual,
                        cov(false),
                    )],
                ),
            ],
        ),
        dim(
            "D2",
            "党建联建",
            vec![
                ind(
                    "2.1",
                    "联合党组织（联合党委/党总支）建立，有章程和议事规则",
                    ZUZHI,
                    true,
                    vec![grade(
                        "2.1",
                        "联合党组织建设",
                        3,
                        &[(A, "已建立并运行"), (B, "已建立，无议事规则"), (D, "无")],
                    )],
                ),
                ind(
                    "2.2",
                    "联席会议 / 联合决策会议次数",
                    ZUZHI,
                    false,
                    vec![rule(
                        "2.2",
                        "年度联席会议次数",
                        3,
                        Unit::Count,
                        fig(Figure::MeetingsHeld),
                        steps(&[(2, 1), (3, 2), (4, 3)]),
                    )],
                ),
                ind(
                    "2.3",
                    "党建联建结对单位（机关/国企/企业/金融/高校）",
                    ZUZHI,
                    true,
                    vec![rule(
                        "2.3",
                        "结对单位数",
                        2,
                        Unit::Count,
                        Source::Manual,
                        steps(&[(1, 1), (3, 2)]),
                    )],
                ),
                ind(
                    "2.4",
                    "强村带弱村：薄弱村纳入结对帮扶计划的比例",
                    NONG,
                    false,
                    vec![rule(
                        "2.4",
                        "有帮扶计划的薄弱村数 / 薄弱村数（无薄弱村得满分）",
                        2,
                        Unit::Count,
                        // Entered by the department: pairing / help plans are not kept on the platform.
                        Source::Manual,
                        cov(true),
                    )],
                ),
            ],
        ),
        dim(
            "D3",
            "主体联合",
            vec![
                ind(
                    "3.1",
                    "联合经营主体（片区强村公司/联合发展公司/联社）注册，多村持股",
                    NONG,
                    true,
                    vec![grade(
                        "3.1",
                        "联合经营主体",
                        4,
                        &[
                            (A, "已注册，多村持股，章程含分配条款"),
                            (B, "单村主体代片区经营"),
                            (D, "无"),
                        ],
                    )],
                ),
                ind(
                    "3.2",
                    "持有联合体股权的成员村比例",
                    NONG,
                    false,
                    vec![rule(
                        "3.2",
                        "持股村数 / 成员村数",
                        4,
                        Unit::Count,
                        fig(Figure::ShareholderVillageCoverage),
                        cov(false),
                    )],
                ),
                ind(
                    "3.3",
                    "引入市场/社会资本（企业对片区项目投资）",
                    "区发展改革局",
                    true,
                    vec![rule(
                        "3.3",
                        "投资额",
                        4,
                        Unit::Fen,
                        fig(Figure::InvestmentAttracted),
                        steps(&[(1, 1), (200 * WAN, 2), (500 * WAN, 3), (1_000 * WAN, 4)]),
                    )],
                ),
            ],
        ),
        dim(
            "D4",
            "村庄联营",
            vec![
                ind(
                    "4.1",
                    "专业运营团队 / 乡村CEO签约（≥2 年）",
                    NONG,
                    true,
                    vec![grade(
                        "4.1",
                        "运营团队签约",
                        3,
                        &[
                            (A, "团队签约，薪酬与绩效挂钩"),
                            (B, "个人CEO"),
                            (C, "村干部兼职"),
                            (D, "无"),
                        ],
                    )],
                ),
                ind_with(
                    "4.2",
                    "闲置资产（农房/厂房/土地）统一盘活运营",
                    NONG,
                    true,
                    Combine::Max,
                    vec![
                        rule(
                            "4.2.items",
                            "盘活项数",
                            3,
                            Unit::Items,
                            Source::Manual,
                            steps(&[(1, 1), (5, 2), (10, 3)]),
                        ),
                        rule(
                            "4.2.area",
                            "盘活面积（≥5000 平方米得满分）",
                            3,
                            Unit::SquareMetres,
                            Source::Manual,
                            steps(&[(5_000, 3)]),
                        ),
                    ],
                ),
                ind(
                    "4.3",
                    "联合经营主体营业收入",
                    NONG,
                    true,
                    vec![rule(
                        "4.3",
                        "年营业收入",
                        4,
                        Unit::Fen,
                        fig(Figure::JointEntityRevenue),
                        steps(&[(1, 1), (100 * WAN, 2), (200 * WAN, 3), (500 * WAN, 4)]),
                    )],
                ),
                ind(
                    "4.4",
                    "片区主题IP及区域公用品牌「鉴水源」使用",
                    "区市场监管局",
                    true,
                    vec![
                        rule(
                            "4.4.ip",
                            "已设立片区主题IP",
                            1,
                            Unit::Count,
                            Source::Manual,
                            Method::Bin,
                        ),
                        rule(
                            "4.4.brand",
                            "品牌已授权至少 1 个片区主体使用",
                            1,
                            Unit::Count,
                            Source::Manual,
                            Method::Bin,
                        ),
                    ],
                ),
            ],
        ),
        dim(
            "D5",
            "产业共链",
            vec![
                ind(
                    "5.1",
                    "主导产业链明确，有链长/产业联盟/产业链联合党委",
                    NONG,
                    true,
                    vec![grade(
                        "5.1",
                        "产业链组织",
                        3,
                        &[
                            (A, "有产业链、组织和项目清单"),
                            (B, "有产业链，无组织"),
                            (D, "无"),
                        ],
                    )],
                ),
                ind(
                    "5.2",
                    "主导产业产值增速",
                    "区统计局",
                    false,
                    vec![rule(
                        "5.2",
                        "产值同比增速",
                        4,
                        Unit::Percent,
                        fig(Figure::LeadingIndustryGrowth),
                        lin(1_000, Some(0), None),
                    )],
                ),
                ind(
                    "5.3",
                    "区域公用品牌/地理标志品牌（鉴水源、平水日铸等）销售额",
                    "区市场监管局",
                    true,
                    vec![rule(
                        "5.3",
                        "品牌销售额",
                        3,
                        Unit::Fen,
                        Source::Manual,
                        steps(&[(1, 1), (200 * WAN, 2), (500 * WAN, 3)]),
                    )],
                ),
                ind(
                    "5.4",
                    "片区共富工坊数量及带动就业",
                    "区人力社保局",
                    false,
                    vec![
                        rule(
                            "5.4.workshops",
                            "共富工坊数量",
                            2,
                            Unit::Count,
                            fig(Figure::Workshops),
                            steps(&[(1, 1), (3, 2)]),
                        ),
                        rule(
                            "5.4.jobs",
                            "吸纳就业人数",
                            2,
                            Unit::Persons,
                            fig(Figure::ElementJobs),
                            steps(&[(50, 1), (100, 2)]),
                        ),
                    ],
                ),
                ind_with(
                    "5.5",
                    "农文旅融合 / 新业态（游客或新业态项目）",
                    "区文化广电旅游局",
                    true,
                    Combine::Max,
                    vec![
                        rule(
                            "5.5.visitors",
                            "接待游客人次",
                            2,
                            Unit::PersonTimes,
                            fig(Figure::TeamVisitors),
                            steps(&[(1, 1), (100_000, 2)]),
                        ),
                        rule(
                            "5.5.projects",
                            "新业态项目数",
                            2,
                            Unit::Count,
                            Source::Manual,
                            steps(&[(1, 1), (5, 2)]),
                        ),
                    ],
                ),
            ],
        ),
        dim(
            "D6",
            "设施共通",
            vec![
                ind(
                    "6.1",
                    "跨村共建共享设施（道路停车、冷链仓储加工、游客中心、乡创飞地）",
                    "区住房和城乡建设局",
                    true,
                    vec![rule(
                        "6.1",
                        "共享设施数量",
                        4,
                        Unit::Count,
                        fig(Figure::SharedFacilities),
                        steps(&[(1, 2), (2, 3), (3, 4)]),
                    )],
                ),
                ind(
                    "6.2",
                    "「一老一小」服务场景村覆盖率",
                    "区民政局",
                    false,
                    vec![rule(
                        "6.2",
                        "覆盖村数 / 成员村数",
                        3,
                        Unit::Count,
                        fig(Figure::ElderlyChildCoverage),
                        cov(false),
                    )],
                ),
                ind(
                    "6.3",
                    "20 分钟便民服务圈 / 15 分钟品质生活圈达标",
                    "区民政局",
                    true,
                    vec![grade(
                        "6.3",
                        "生活圈达标",
                        3,
                        &[
                            (A, "所有村达标"),
                            (B, "多数村达标"),
                            (C, "部分村达标"),
                            (D, "未达标"),
                        ],
                    )],
                ),
            ],
        ),
        dim(
            "D7",
            "人才共创",
            vec![
                ind(
                    "7.1",
                    "新引进培育人才（乡村CEO、农创客、返乡青年、乡贤）",
                    "区委人才办",
                    false,
                    vec![rule(
                        "7.1",
                        "年度新增人才人数",
                        3,
                        Unit::Persons,
                        fig(Figure::TalentNew),
                        steps(&[(1, 1), (5, 2), (10, 3)]),
                    )],
                ),
                ind(
                    "7.2",
                    "技能培训（共富夜校、技能认证）",
                    "区人力社保局",
                    false,
                    vec![rule(
                        "7.2",
                        "培训人次 ÷ 劳动力",
                        3,
                        Unit::Percent,
                        fig(Figure::TrainingShare),
                        lin(1_000, None, None),
                    )],
                ),
                ind(
                    "7.3",
                    "跨村共享人员（干部交叉挂职、共享会计/运营人员）",
                    ZUZHI,
                    true,
                    vec![grade(
                        "7.3",
                        "人员共享",
                        2,
                        &[
                            (A, "制度化交叉任职与共享"),
                            (B, "有共享，未制度化"),
                            (C, "偶有"),
                            (D, "无"),
                        ],
                    )],
                ),
                ind(
                    "7.4",
                    "青年创业项目落地",
                    "团区委",
                    true,
                    vec![rule(
                        "7.4",
                        "落地项目数",
                        2,
                        Unit::Count,
                        Source::Manual,
                        steps(&[(1, 1), (3, 2)]),
                    )],
                ),
            ],
        ),
        dim(
            "D8",
            "利益共享",
            vec![
                ind(
                    "8.1",
                    "村级集体经济年经营性收入增幅（片区合计，同比）",
                    NONG,
                    false,
                    vec![rule(
                        "8.1",
                        "同比增幅",
                        6,
                        Unit::Percent,
                        fig(Figure::CollectiveIncomeGrowth),
                        lin(2_000, Some(0), None),
                    )],
                ),
                ind(
                    "8.2",
                    "年经营性收入达到 100 万元的成员村比例",
                    NONG,
                    false,
                    vec![rule(
                        "8.2",
                        "达标村数 / 成员村数",
                        4,
                        Unit::Count,
                        fig(Figure::IncomeThresholdCoverage),
                        cov(false),
                    )],
                ),
                ind(
                    "8.3",
                    "农村居民人均可支配收入增速与全区平均比较",
                    "区统计局",
                    false,
                    vec![rule(
                        "8.3",
                        "本片区增速与全区平均增速",
                        3,
                        Unit::Percent,
                        fig(Figure::RuralIncomeGrowthVsDistrict),
                        Method::Rel {
                            tiers: vec![
                                RelTier {
                                    margin_bp: 100,
                                    points: p(3),
                                },
                                RelTier {
                                    margin_bp: 0,
                                    points: p(2),
                                },
                            ],
                        },
                    )],
                ),
                ind(
                    "8.4",
                    "低收入农户人均可支配收入增速",
                    NONG,
                    false,
                    vec![rule(
                        "8.4",
                        "同比增速",
                        3,
                        Unit::Percent,
                        // Entered by the department: low-income households' income is not kept on the platform.
                        Source::Manual,
                        steps(&[(700, 1), (1_000, 2), (1_200, 3)]),
                    )],
                ),
                ind(
                    "8.5",
                    "联农带农利益联结（保底+分红、务工、土地租金）合同签订与兑现",
                    NONG,
                    true,
                    vec![grade(
                        "8.5",
                        "利益联结兑现",
                        2,
                        &[(A, "有书面合同，足额兑现"), (B, "部分兑现"), (D, "无")],
                    )],
                ),
                ind(
                    "8.6",
                    "向股东村/社员实际分红（占实缴资本）",
                    NONG,
                    false,
                    vec![rule(
                        "8.6",
                        "分红 ÷ 实缴资本",
                        2,
                        Unit::Percent,
                        fig(Figure::DividendYield),
                        steps(&[(500, 1), (800, 2)]),
                    )],
                ),
            ],
        ),
    ];
    let bonus = vec![
        bonus_item(
            "B1",
            "本年度认定为省级重点村组团片区（或核心村为省级重点村）",
            5,
            5,
            Some("designation"),
        ),
        bonus_item(
            "B2",
            "本年度认定为绍兴市「和美越乡」共富片区（与 B1 不叠加，取高者）",
            3,
            3,
            Some("designation"),
        ),
        bonus_item(
            "B3",
            "入选省级及以上典型案例/最佳创新案例，或国家/省级试点（每项）",
            2,
            4,
            None,
        ),
        bonus_item(
            "B4",
            "新增地理标志、省名优「土特产」百品榜或星级共富工坊（每项）",
            1,
            2,
            None,
        ),
        bonus_item("B5", "跨乡镇或跨区县组团联动", 1, 1, None),
    ];
    let penalties = vec![
        penalty(
            "P1",
            "成员村年经营性收入同比下降超过 10%（无合理说明，每村）",
            2,
            Some(6),
        ),
        penalty(
            "P2",
            "承诺项目停滞超过 6 个月或设施闲置（每项）",
            1,
            Some(3),
        ),
        penalty("P3", "向平台报送数据迟报或不完整", 1, Some(1)),
        penalty("P4", "利益分配方面经核实的投诉或负面舆情（每起）", 2, None),
    ];
    let vetoes = [
        ("V1", "数据造假"),
        ("V2", "发生重大安全生产或食品安全事故"),
        ("V3", "违规举债、集体资产流失或违规担保"),
        ("V4", "严重耕地「非农化」「非粮化」问题"),
        ("V5", "村民满意度调查低于 90%"),
    ]
    .iter()
    .map(|(id, label)| VetoItem {
        id: (*id).into(),
        label: (*label).into(),
    })
    .collect();
    Rubric {
        kind: RubricKind::Zone,
        year,
        version: 1,
        name: format!("{year} 年度共富片区「四联四共」评分细则（默认）"),
        total: p(100),
        dimensions,
        bonus_cap: p(10),
        bonus,
        penalties,
        vetoes,
        bands: bands(90, 80, 70),
    }
}

fn bonus_item(id: &str, label: &str, each: i64, cap: i64, group: Option<&str>) -> BonusItem {
    BonusItem {
        id: id.into(),
        label: label.into(),
        points_each: p(each),
        cap: p(cap),
        group: group.map(Into::into),
    }
}

fn penalty(id: &str, label: &str, each: i64, cap: Option<i64>) -> PenaltyItem {
    PenaltyItem {
        id: id.into(),
        label: label.into(),
        points_each: p(each),
        cap: cap.map(p),
    }
}

fn bands(excellent: i64, good: i64, pass: i64) -> Vec<Band> {
    vec![
        Band {
            rating: Rating::Excellent,
            min: p(excellent),
        },
        Band {
            rating: Rating::Good,
            min: p(good),
        },
        Band {
            rating: Rating::Pass,
            min: p(pass),
        },
        Band {
            rating: Rating::Fail,
            min: Points::ZERO,
        },
    ]
}

/// The operating-team rubric, after Lin'an's 7 sections (scaled from its 200 points to 100),
/// mixing assessors' grades with the operating KPIs 运营收入, 村集体增收, visitors and jobs.
/// Pass line 60 (Lin'an's 120/200); 优秀 ≥ 85, 良好 ≥ 75 [PROPOSED].
pub fn default_team_rubric(year: i32) -> Rubric {
    use Mark::{A, B, C, D};
    let abcd = |a: &'static str, b: &'static str, c: &'static str| -> [(Mark, &'static str); 4] {
        [(A, a), (B, b), (C, c), (D, "无或很差")]
    };
    const DEPT: &str = "区农业农村局";
    const EVAL: &str = "第三方评估机构";
    let dimensions = vec![
        dim(
            "T1",
            "定位与策划",
            vec![
                ind(
                    "T1.1",
                    "运营定位清晰，与片区规划衔接",
                    EVAL,
                    true,
                    vec![grade(
                        "T1.1",
                        "运营定位",
                        5,
                        &abcd("定位清晰且衔接", "较清晰", "模糊"),
                    )],
                ),
                ind(
                    "T1.2",
                    "年度运营方案与活动策划",
                    EVAL,
                    true,
                    vec![grade(
                        "T1.2",
                        "运营方案",
                        5,
                        &abcd("方案完整可行", "较完整", "简单"),
                    )],
                ),
            ],
        ),
        dim(
            "T2",
            "机构与机制",
            vec![
                ind(
                    "T2.1",
                    "运营主体注册、团队配置稳定",
                    DEPT,
                    true,
                    vec![grade(
                        "T2.1",
                        "团队配置",
                        5,
                        &abcd("专职团队稳定", "基本稳定", "人员不足"),
                    )],
                ),
                ind(
                    "T2.2",
                    "与村集体的利益联结机制（保底+分红等）",
                    DEPT,
                    true,
                    vec![grade(
                        "T2.2",
                        "利益联结",
                        5,
                        &abcd("合同完备并兑现", "有合同", "口头约定"),
                    )],
                ),
            ],
        ),
        dim(
            "T3",
            "业态与产品",
            vec![
                ind(
                    "T3.1",
                    "新业态、新产品数量",
                    EVAL,
                    true,
                    vec![rule(
                        "T3.1",
                        "新业态/新产品个数",
                        8,
                        Unit::Count,
                        Source::Manual,
                        steps(&[(1, 3), (3, 6), (5, 8)]),
                    )],
                ),
                ind(
                    "T3.2",
                    "产品品质与品牌建设",
                    EVAL,
                    true,
                    vec![grade(
                        "T3.2",
                        "品质与品牌",
                        7,
                        &abcd("品牌有影响力", "有品牌", "品质一般"),
                    )],
                ),
            ],
        ),
        dim(
            "T4",
            "特色与融合",
            vec![
                ind(
                    "T4.1",
                    "农文旅融合与片区特色",
                    EVAL,
                    true,
                    vec![grade(
                        "T4.1",
                        "融合特色",
                        5,
                        &abcd("特色鲜明", "有特色", "一般"),
                    )],
                ),
                ind(
                    "T4.2",
                    "带动就业",
                    "区人力社保局",
                    false,
                    vec![rule(
                        "T4.2",
                        "带动就业人数",
                        5,
                        Unit::Persons,
                        fig(Figure::TeamJobs),
                        steps(&[(1, 1), (20, 3), (50, 5)]),
                    )],
                ),
            ],
        ),
        dim(
            "T5",
            "管理与培训",
            vec![
                ind(
                    "T5.1",
                    "管理制度与财务规范",
                    DEPT,
                    true,
                    vec![grade(
                        "T5.1",
                        "管理规范",
                        5,
                        &abcd("制度健全、账目规范", "基本规范", "不够规范"),
                    )],
                ),
                ind(
                    "T5.2",
                    "组织村民培训场次",
                    DEPT,
                    true,
                    vec![rule(
                        "T5.2",
                        "培训场次",
                        5,
                        Unit::Count,
                        Source::Manual,
                        steps(&[(1, 1), (3, 3), (6, 5)]),
                    )],
                ),
            ],
        ),
        dim(
            "T6",
            "营销与绩效",
            vec![
                ind(
                    "T6.1",
                    "运营收入",
                    DEPT,
                    false,
                    vec![rule(
                        "T6.1",
                        "年度运营收入（目标 500 万元）",
                        12,
                        Unit::Fen,
                        fig(Figure::TeamRevenue),
                        lin(500 * WAN, None, None),
                    )],
                ),
                ind(
                    "T6.2",
                    "带动村集体增收",
                    DEPT,
                    false,
                    vec![rule(
                        "T6.2",
                        "带动村集体经营性收入增加（目标 100 万元）",
                        13,
                        Unit::Fen,
                        fig(Figure::TeamCollectiveIncome),
                        lin(100 * WAN, None, None),
                    )],
                ),
                ind(
                    "T6.3",
                    "接待游客",
                    "区文化广电旅游局",
                    false,
                    vec![rule(
                        "T6.3",
                        "接待游客人次（目标 10 万人次）",
                        10,
                        Unit::PersonTimes,
                        fig(Figure::TeamVisitors),
                        lin(100_000, None, None),
                    )],
                ),
            ],
        ),
        dim(
            "T7",
            "服务与评价",
            vec![
                ind(
                    "T7.1",
                    "村民与游客满意度",
                    EVAL,
                    true,
                    vec![grade(
                        "T7.1",
                        "满意度",
                        5,
                        &abcd("满意度 ≥ 95%", "90%–95%", "80%–90%"),
                    )],
                ),
                ind(
                    "T7.2",
                    "村集体及镇街评价",
                    "镇（街道）",
                    true,
                    vec![grade("T7.2", "村镇评价", 5, &abcd("好", "较好", "一般"))],
                ),
            ],
        ),
    ];
    Rubric {
        kind: RubricKind::Team,
        year,
        version: 1,
        name: format!("{year} 年度片区运营团队考核细则（默认）"),
        total: p(100),
        dimensions,
        bonus_cap: Points::ZERO,
        bonus: Vec::new(),
        penalties: vec![penalty("TP1", "运营数据迟报或不完整", 2, Some(4))],
        vetoes: vec![
            VetoItem {
                id: "TV1".into(),
                label: "运营数据造假".into(),
            },
            VetoItem {
                id: "TV2".into(),
                label: "发生重大安全事故或侵害村集体、农户利益".into(),
            },
        ],
        bands: bands(85, 75, 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_add_up() {
        let z = default_zone_rubric(2025);
        assert_eq!(z.validate(), Ok(()));
        assert_eq!(z.total, p(100));
        let maxima: Vec<i64> = z.dimensions.iter().map(|d| d.max.0 / 100).collect();
        assert_eq!(maxima, [10, 10, 12, 12, 16, 10, 10, 20]);
        let ids: Vec<&str> = z
            .dimensions
            .iter()
            .flat_map(|d| d.indicators.iter().map(|i| i.id.as_str()))
            .collect();
        assert_eq!(ids.len(), 32);
        assert_eq!(ids.first(), Some(&"1.1"));
        assert_eq!(ids.last(), Some(&"8.6"));
        assert_eq!(z.bonus.len(), 5);
        assert_eq!(z.penalties.len(), 4);
        assert_eq!(z.vetoes.len(), 5);
        let t = default_team_rubric(2025);
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(t.dimensions.len(), 7);
        assert_eq!(t.total, p(100));
    }

    #[test]
    fn a_rubric_round_trips_through_json() {
        for r in [default_zone_rubric(2025), default_team_rubric(2025)] {
            let json = serde_json::to_string(&r).unwrap();
            let back: Rubric = serde_json::from_str(&json).unwrap();
            assert_eq!(back, r);
        }
    }
}
