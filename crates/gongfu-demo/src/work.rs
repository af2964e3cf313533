//! A year of zone work for the demo's pilot zones (一片一规划, 项目清单, 党建联建, 主体联合):
//! per zone an approved plan (sometimes a second version in draft), a joint committee, the
//! meetings it held with their decisions and the action items they became, a project list
//! carried along its status flow with investment, sub-items and milestones, and the actors
//! taking part, each with a valid credit code and a role in the zones.
//!
//! The year runs from the first day of the month eleven months before `today` (December of
//! last year when today is in November) up to `today`. Everything is consistent with the rules
//! in `gongfu_core::work`: meetings are held on or before today; a project under way or
//! beyond has its start date; one built (完工, 运营, 验收) has every sub-item at 100 % and every
//! milestone done; no milestone is done after today; some projects and action items are late.
//!
//! Pure and drawn from a random stream of its own (derived from the seed), so adding the work
//! leaves the rest of the demo district exactly as it was. Same inputs, seed and today, same
//! work. Units and posts are named, people are not: a committee member is a post of a unit.

use std::collections::HashSet;

use gongfu_core::work::actor::{ActorKind, ActorSpec, CreditCode};
use gongfu_core::work::committee::{ActionSpec, ActionStatus, MeetingSpec, MemberRole, MemberSpec};
use gongfu_core::work::plan::{Mu, PlanContent};
use gongfu_core::work::project::{
    Investment, MilestoneSpec, ProjectKind, ProjectSpec, ProjectStatus, SubItem, rolled_up_progress,
};
use gongfu_core::work::{Mechanism, Percent};
use gongfu_core::{Fen, VillageCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month, Weekday};

use crate::generate::{display_name, town_unit};
use crate::{DemoDistrict, DemoZone, DivisionRow};

/// Mixed into the seed for this module's own stream.
const STREAM: u64 = 0x5EED_C0DE_2026_0006;

/// The demo's year of zone work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoWork {
    /// The day the work was generated up to.
    pub today: Date,
    /// One per pilot zone, in the district's order.
    pub zones: Vec<DemoZoneWork>,
    /// The actor registry, each with its roles in the zones.
    pub actors: Vec<DemoActor>,
}

/// An actor and the zones it takes part in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoActor {
    pub spec: ActorSpec,
    /// (zone name, role in that zone), e.g. (「平水·竹产业共富片区」, 「运营主体」).
    pub roles: Vec<(String, String)>,
}

/// The work of one pilot zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoZoneWork {
    /// The zone's name, as in [`DemoZone::name`]: the store finds the zone by it.
    pub zone: String,
    /// Version 1, to be submitted and approved.
    pub plan: PlanContent,
    /// Version 2, left as a draft (some zones only).
    pub draft: Option<PlanContent>,
    /// The joint committee, the lead first.
    pub committee: Vec<MemberSpec>,
    /// Meetings in date order.
    pub meetings: Vec<DemoMeeting>,
    pub projects: Vec<DemoProject>,
}

/// A meeting held, and the action items its decisions became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoMeeting {
    pub spec: MeetingSpec,
    pub actions: Vec<DemoAction>,
}

/// An action item from one decision of its meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAction {
    /// Index into the meeting's `spec.decisions`.
    pub decision: usize,
    pub spec: ActionSpec,
    /// Where it stands today (an item starts 未开始 and moves once).
    pub status: ActionStatus,
    /// 办理结果 for a closed item, a progress note for one under way, empty when open.
    pub result: String,
}

/// Where a demo project came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoOrigin {
    /// Index into the approved plan's tasks.
    PlanTask(usize),
    /// A decision of one of the zone's meetings (indices).
    Decision { meeting: usize, decision: usize },
}

/// A project, where it stands today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoProject {
    pub spec: ProjectSpec,
    pub status: ProjectStatus,
    pub items: Vec<SubItem>,
    pub milestones: Vec<MilestoneSpec>,
    pub origin: Option<DemoOrigin>,
}

impl DemoProject {
    /// Days past its planned end while still under way (the core's overdue rule).
    pub fn days_late(&self, today: Date) -> Option<i64> {
        if !self.status.is_open() {
            return None;
        }
        gongfu_core::work::days_late(self.spec.end?, today)
    }

    /// The statuses the project went through after `first`, in order, to reach its own: a
    /// built project not run as a business (roads, pipes, ecology) goes straight to 验收.
    pub fn path_from(&self, first: ProjectStatus) -> Vec<ProjectStatus> {
        use ProjectStatus::*;
        let full: &[ProjectStatus] = match self.status {
            Accepted if !runs_as_business(self.spec.kind) => {
                &[Conceived, Approved, Building, Completed, Accepted]
            }
            _ => &[
                Conceived, Approved, Building, Completed, Operating, Accepted,
            ],
        };
        full.iter()
            .copied()
            .filter(|s| *s > first && *s <= self.status)
            .collect()
    }
}

fn runs_as_business(kind: ProjectKind) -> bool {
    !matches!(kind, ProjectKind::Infrastructure | ProjectKind::Ecology)
}

/// Who leads a kind of project.
#[derive(Clone, Copy)]
enum Lead {
    /// The town or street government.
    Town,
    /// The village's 股份经济合作社.
    Village,
    Dept(&'static str),
    /// The zone's industry enterprise or co-operative.
    Enterprise,
    /// The district's state company.
    State,
}

/// A kind of project; `{v}` is a member village, `{t}` the town's short name, `{i}` the
/// industry.
struct Tpl {
    name: &'static str,
    mechanism: Mechanism,
    kind: ProjectKind,
    /// Planned total, 万元.
    wan: (i64, i64),
    /// Shares of the plan from public funds and from the village collectives, percent; the
    /// rest is social capital.
    fiscal: i64,
    collective: i64,
    lead: Lead,
    items: &'static [&'static str],
}

/// An industry or resource a zone builds on.
struct Topic {
    key: &'static str,
    industry: &'static str,
    /// 功能定位 phrase (`{i}`: the industry).
    role: &'static str,
    /// 产业布局 sentence (`{v}`: a member village, `{i}`: the industry).
    layout: &'static str,
    /// Name endings of the zone's enterprise and co-operative.
    enterprise: &'static str,
    coop: &'static str,
    association: Option<&'static str>,
    projects: &'static [Tpl],
}

use Lead::{Dept, Enterprise, State, Town, Village};
use Mechanism as M;
use ProjectKind as K;

const AGRI: &str = "区农业农村局";
const LAND: &str = "区自然资源分局";
const CULTURE: &str = "区文广旅游局";
const FINANCE: &str = "区财政局";
const TRANSPORT: &str = "区交通运输局";

const TOPICS: &[Topic] = &[
    Topic {
        key: "茶叶",
        industry: "茶叶",
        role: "{i}产业融合发展区",
        layout: "{v}重点发展{i}生态种植和精深加工",
        enterprise: "茶业有限公司",
        coop: "茶叶专业合作社",
        association: Some("绍兴市柯桥区茶叶产业协会"),
        projects: &[
            Tpl {
                name: "{v}{i}加工中心",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (300, 1_200),
                fiscal: 40,
                collective: 15,
                lead: Enterprise,
                items: &["厂房改造", "加工设备采购安装", "质量检测室", "仓储配套"],
            },
            Tpl {
                name: "{v}生态茶园提升",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (80, 300),
                fiscal: 50,
                collective: 20,
                lead: Village,
                items: &["茶园道路", "喷滴灌设施", "低产茶园改造"],
            },
            Tpl {
                name: "{t}{i}茶旅融合体验线",
                mechanism: M::Alliance,
                kind: K::CultureTourism,
                wan: (100, 400),
                fiscal: 50,
                collective: 10,
                lead: Town,
                items: &["游步道", "观景平台", "标识系统"],
            },
        ],
    },
    Topic {
        key: "竹笋",
        industry: "竹笋",
        role: "竹产业绿色循环示范区",
        layout: "{v}重点发展毛竹林培育和竹笋加工",
        enterprise: "竹业有限公司",
        coop: "竹笋专业合作社",
        association: Some("绍兴市柯桥区竹产业协会"),
        projects: &[
            Tpl {
                name: "{v}竹笋加工厂提升改造",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (200, 800),
                fiscal: 35,
                collective: 15,
                lead: Enterprise,
                items: &["车间改造", "蒸煮杀青设备", "污水处理设施"],
            },
            Tpl {
                name: "{t}毛竹林道建设",
                mechanism: M::Facilities,
                kind: K::Infrastructure,
                wan: (150, 600),
                fiscal: 75,
                collective: 15,
                lead: Town,
                items: &["林道路基", "路面硬化", "排水边沟"],
            },
            Tpl {
                name: "{t}竹林碳汇共富项目",
                mechanism: M::BenefitSharing,
                kind: K::Ecology,
                wan: (50, 200),
                fiscal: 60,
                collective: 30,
                lead: Dept(AGRI),
                items: &["碳汇计量监测", "林地经营方案", "收益分配机制"],
            },
        ],
    },
    Topic {
        key: "兰花",
        industry: "兰花",
        role: "中国兰花特色产业高地",
        layout: "{v}重点发展兰花培育、交易和兰文化展示",
        enterprise: "兰花园艺有限公司",
        coop: "兰花专业合作社",
        association: Some("绍兴市柯桥区兰花协会"),
        projects: &[
            Tpl {
                name: "{v}兰花产业园",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (500, 2_000),
                fiscal: 35,
                collective: 15,
                lead: Enterprise,
                items: &["连栋大棚", "兰花展示馆", "智能温控系统", "配套道路"],
            },
            Tpl {
                name: "{t}兰花交易市场与直播基地",
                mechanism: M::IndustryChain,
                kind: K::Digital,
                wan: (150, 600),
                fiscal: 40,
                collective: 20,
                lead: Village,
                items: &["交易大厅改造", "直播间建设", "物流配送点"],
            },
            Tpl {
                name: "{t}兰花组培实验室",
                mechanism: M::Talent,
                kind: K::Industry,
                wan: (100, 400),
                fiscal: 50,
                collective: 10,
                lead: Dept(AGRI),
                items: &["实验室装修", "组培设备", "技术人员培训"],
            },
        ],
    },
    Topic {
        key: "酱品",
        industry: "酱品",
        role: "江南酱文化体验目的地",
        layout: "{v}重点发展酱鸭、腊肠等酱品加工和酱文化体验",
        enterprise: "酱园食品有限公司",
        coop: "酱品专业合作社",
        association: Some("绍兴市柯桥区酱品行业协会"),
        projects: &[
            Tpl {
                name: "{v}酱品加工坊集聚区",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (300, 1_200),
                fiscal: 35,
                collective: 20,
                lead: Enterprise,
                items: &["标准化车间", "晾晒场改造", "食品检测室"],
            },
            Tpl {
                name: "{t}酱文化体验馆",
                mechanism: M::Alliance,
                kind: K::CultureTourism,
                wan: (150, 600),
                fiscal: 50,
                collective: 10,
                lead: Town,
                items: &["场馆改造", "展陈布置", "体验工坊"],
            },
            Tpl {
                name: "{t}酱品区域公共品牌打造",
                mechanism: M::IndustryChain,
                kind: K::Other,
                wan: (50, 200),
                fiscal: 60,
                collective: 10,
                lead: Dept(AGRI),
                items: &["品牌设计", "包装提升", "电商渠道"],
            },
        ],
    },
    Topic {
        key: "香榧",
        industry: "香榧",
        role: "香榧古树保护与精深加工基地",
        layout: "{v}重点发展香榧古树保护、香榧炒制和林下经济",
        enterprise: "香榧食品有限公司",
        coop: "香榧专业合作社",
        association: Some("绍兴市柯桥区香榧产业协会"),
        projects: &[
            Tpl {
                name: "{t}香榧古树保护与复壮",
                mechanism: M::IndustryChain,
                kind: K::Ecology,
                wan: (80, 300),
                fiscal: 70,
                collective: 20,
                lead: Dept(AGRI),
                items: &["古树挂牌建档", "复壮施肥", "防护设施"],
            },
            Tpl {
                name: "{v}香榧炒制加工厂",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (200, 900),
                fiscal: 35,
                collective: 15,
                lead: Enterprise,
                items: &["厂房建设", "炒制设备", "仓储冷库"],
            },
            Tpl {
                name: "{t}香榧基地林道提升",
                mechanism: M::Facilities,
                kind: K::Infrastructure,
                wan: (150, 500),
                fiscal: 75,
                collective: 15,
                lead: Town,
                items: &["路基拓宽", "路面硬化", "错车道"],
            },
        ],
    },
    Topic {
        key: "杨梅",
        industry: "杨梅",
        role: "杨梅特色产业与山乡休闲区",
        layout: "{v}重点发展杨梅标准化种植和采摘休闲",
        enterprise: "杨梅果业有限公司",
        coop: "杨梅专业合作社",
        association: Some("绍兴市柯桥区杨梅产业协会"),
        projects: &[
            Tpl {
                name: "{v}杨梅冷链仓储中心",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (200, 700),
                fiscal: 40,
                collective: 20,
                lead: Enterprise,
                items: &["冷库建设", "分拣线", "冷藏运输车"],
            },
            Tpl {
                name: "{v}杨梅标准化示范基地",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (80, 300),
                fiscal: 50,
                collective: 20,
                lead: Village,
                items: &["避雨设施", "山地轨道运输", "品种改良"],
            },
            Tpl {
                name: "{t}杨梅节与采摘游线",
                mechanism: M::Alliance,
                kind: K::CultureTourism,
                wan: (50, 200),
                fiscal: 50,
                collective: 10,
                lead: Town,
                items: &["游线标识", "采摘步道", "节庆活动"],
            },
        ],
    },
    Topic {
        key: "黄酒",
        industry: "黄酒",
        role: "鉴湖黄酒文化体验区",
        layout: "{v}重点发展黄酒手工酿造体验和酒文化研学",
        enterprise: "酿酒有限公司",
        coop: "黄酒酿造专业合作社",
        association: Some("绍兴市柯桥区黄酒行业协会"),
        projects: &[
            Tpl {
                name: "{v}黄酒工坊与品鉴馆",
                mechanism: M::IndustryChain,
                kind: K::CultureTourism,
                wan: (200, 800),
                fiscal: 30,
                collective: 15,
                lead: Enterprise,
                items: &["酿酒工坊改造", "品鉴馆布展", "糯米原料基地"],
            },
            Tpl {
                name: "{t}鉴湖黄酒文化研学线路",
                mechanism: M::Talent,
                kind: K::CultureTourism,
                wan: (50, 200),
                fiscal: 60,
                collective: 10,
                lead: Dept(CULTURE),
                items: &["线路策划", "研学课程", "解说标识"],
            },
        ],
    },
    Topic {
        key: "渔业",
        industry: "生态渔业",
        role: "水乡生态渔业休闲区",
        layout: "{v}重点发展生态养殖和渔事体验",
        enterprise: "水产有限公司",
        coop: "水产养殖专业合作社",
        association: None,
        projects: &[
            Tpl {
                name: "{t}水产养殖尾水治理",
                mechanism: M::Facilities,
                kind: K::Ecology,
                wan: (150, 500),
                fiscal: 70,
                collective: 20,
                lead: Dept(AGRI),
                items: &["生态沟渠", "沉淀池", "在线监测"],
            },
            Tpl {
                name: "{v}渔事体验基地",
                mechanism: M::IndustryChain,
                kind: K::CultureTourism,
                wan: (100, 400),
                fiscal: 40,
                collective: 20,
                lead: Village,
                items: &["垂钓平台", "渔事体验馆", "亲水步道"],
            },
        ],
    },
    Topic {
        key: "书法",
        industry: "书法文化",
        role: "书法文化研学胜地",
        layout: "{v}重点发展书法研学和文创体验",
        enterprise: "书法文化发展有限公司",
        coop: "文创专业合作社",
        association: Some("绍兴市柯桥区书法家协会"),
        projects: &[
            Tpl {
                name: "{t}书法研学基地",
                mechanism: M::Talent,
                kind: K::CultureTourism,
                wan: (200, 800),
                fiscal: 50,
                collective: 10,
                lead: Dept(CULTURE),
                items: &["研学教室", "书法展廊", "住宿配套"],
            },
            Tpl {
                name: "{v}书法文创街区",
                mechanism: M::IndustryChain,
                kind: K::CultureTourism,
                wan: (150, 600),
                fiscal: 30,
                collective: 15,
                lead: Enterprise,
                items: &["街区立面改造", "文创店铺招引", "夜间亮化"],
            },
        ],
    },
    Topic {
        key: "紫薇",
        industry: "紫薇花木",
        role: "紫薇特色花木产业区",
        layout: "{v}重点发展紫薇苗木培育和花海观光",
        enterprise: "紫薇园艺有限公司",
        coop: "花木专业合作社",
        association: Some("绍兴市柯桥区花木产业协会"),
        projects: &[
            Tpl {
                name: "{v}紫薇种苗繁育基地",
                mechanism: M::IndustryChain,
                kind: K::Industry,
                wan: (150, 500),
                fiscal: 35,
                collective: 20,
                lead: Enterprise,
                items: &["繁育大棚", "喷灌设施", "种质资源圃"],
            },
            Tpl {
                name: "{t}紫薇花海景观带",
                mechanism: M::Alliance,
                kind: K::CultureTourism,
                wan: (100, 400),
                fiscal: 50,
                collective: 15,
                lead: Town,
                items: &["花海种植", "游步道", "观景节点"],
            },
        ],
    },
    Topic {
        key: "旅游",
        industry: "乡村旅游",
        role: "乡村休闲旅游目的地",
        layout: "{v}重点发展民宿、农家乐和乡村休闲旅游",
        enterprise: "文旅发展有限公司",
        coop: "乡村旅游专业合作社",
        association: Some("绍兴市柯桥区民宿行业协会"),
        projects: &[
            Tpl {
                name: "{t}片区游客服务中心",
                mechanism: M::Facilities,
                kind: K::CultureTourism,
                wan: (200, 800),
                fiscal: 70,
                collective: 10,
                lead: Town,
                items: &["主体建筑", "停车场", "智慧导览系统"],
            },
            Tpl {
                name: "{v}民宿集群培育",
                mechanism: M::JointOperation,
                kind: K::CultureTourism,
                wan: (150, 600),
                fiscal: 30,
                collective: 20,
                lead: Village,
                items: &["闲置农房收储", "民宿改造", "运营培训"],
            },
        ],
    },
    Topic {
        key: "古道",
        industry: "古道康养",
        role: "古道山水休闲带",
        layout: "{v}依托会稽山古道发展徒步康养",
        enterprise: "文旅发展有限公司",
        coop: "乡村旅游专业合作社",
        association: None,
        projects: &[Tpl {
            name: "{t}会稽山古道修复与驿站建设",
            mechanism: M::Facilities,
            kind: K::CultureTourism,
            wan: (100, 500),
            fiscal: 75,
            collective: 10,
            lead: Town,
            items: &["古道石阶修复", "驿站建设", "标识标牌"],
        }],
    },
    Topic {
        key: "文化",
        industry: "乡土文化",
        role: "乡土文化传承展示区",
        layout: "{v}重点发展非遗传承和文化研学",
        enterprise: "文化创意有限公司",
        coop: "文创专业合作社",
        association: None,
        projects: &[
            Tpl {
                name: "{v}文化礼堂改造提升",
                mechanism: M::Facilities,
                kind: K::PublicService,
                wan: (80, 300),
                fiscal: 80,
                collective: 20,
                lead: Village,
                items: &["礼堂修缮", "舞台灯光音响", "文化展陈"],
            },
            Tpl {
                name: "{t}非遗工坊",
                mechanism: M::Talent,
                kind: K::CultureTourism,
                wan: (50, 200),
                fiscal: 50,
                collective: 20,
                lead: Town,
                items: &["工坊改造", "传承人工作室", "展销区"],
            },
        ],
    },
    Topic {
        key: "花木",
        industry: "花木",
        role: "花木产业与花海景观区",
        layout: "{v}重点发展苗木花卉培育和花海观光",
        enterprise: "园林绿化有限公司",
        coop: "花木专业合作社",
        association: Some("绍兴市柯桥区花木产业协会"),
        projects: &[Tpl {
            name: "{v}苗木基地提质",
            mechanism: M::IndustryChain,
            kind: K::Industry,
            wan: (80, 300),
            fiscal: 40,
            collective: 20,
            lead: Village,
            items: &["苗圃道路", "喷灌设施", "品种更新"],
        }],
    },
    Topic {
        key: "果蔬",
        industry: "精品果蔬",
        role: "精品果蔬供应基地",
        layout: "{v}重点发展精品果蔬种植和冷链配送",
        enterprise: "农业发展有限公司",
        coop: "果蔬专业合作社",
        association: None,
        projects: &[Tpl {
            name: "{v}果蔬大棚提升",
            mechanism: M::IndustryChain,
            kind: K::Industry,
            wan: (80, 300),
            fiscal: 50,
            collective: 20,
            lead: Village,
            items: &["连栋大棚", "水肥一体化", "分拣包装车间"],
        }],
    },
    Topic {
        key: "纺织制造",
        industry: "来料加工",
        role: "来料加工共富带",
        layout: "{v}重点发展来料加工和家庭工坊",
        enterprise: "纺织有限公司",
        coop: "来料加工专业合作社",
        association: None,
        projects: &[Tpl {
            name: "{v}来料加工共富工坊",
            mechanism: M::BenefitSharing,
            kind: K::Industry,
            wan: (30, 120),
            fiscal: 30,
            collective: 40,
            lead: Enterprise,
            items: &["工坊场地改造", "设备配置", "技能培训"],
        }],
    },
];

/// Projects any zone may take up, at least one per mechanism (in [`Mechanism::ALL`] order
/// for the first eight).
const GENERIC: &[Tpl] = &[
    Tpl {
        name: "{t}片区村庄规划修编",
        mechanism: M::Planning,
        kind: K::Other,
        wan: (30, 80),
        fiscal: 100,
        collective: 0,
        lead: Dept(LAND),
        items: &["现状调研", "规划编制", "成果审批"],
    },
    Tpl {
        name: "{t}片区党建联建服务中心",
        mechanism: M::PartyBuilding,
        kind: K::PublicService,
        wan: (50, 200),
        fiscal: 80,
        collective: 20,
        lead: Town,
        items: &["场地改造", "功能布展", "数字化设施"],
    },
    Tpl {
        name: "{t}片区联合招商与品牌运营",
        mechanism: M::Alliance,
        kind: K::Other,
        wan: (50, 200),
        fiscal: 40,
        collective: 10,
        lead: State,
        items: &["品牌策划", "招商推介", "运营团队组建"],
    },
    Tpl {
        name: "{t}片区强村公司组建运营",
        mechanism: M::JointOperation,
        kind: K::Other,
        wan: (100, 500),
        fiscal: 20,
        collective: 60,
        lead: Village,
        items: &["公司注册", "资产入股", "运营方案"],
    },
    Tpl {
        name: "{t}农产品展销中心",
        mechanism: M::IndustryChain,
        kind: K::Industry,
        wan: (100, 400),
        fiscal: 40,
        collective: 20,
        lead: State,
        items: &["展销大厅", "冷链仓储", "电商运营"],
    },
    Tpl {
        name: "{t}片区村道提升工程",
        mechanism: M::Facilities,
        kind: K::Infrastructure,
        wan: (200, 1_000),
        fiscal: 85,
        collective: 15,
        lead: Dept(TRANSPORT),
        items: &["路面拓宽", "沥青铺设", "安全防护设施", "路灯亮化"],
    },
    Tpl {
        name: "{t}乡村人才驿站与农创客孵化",
        mechanism: M::Talent,
        kind: K::PublicService,
        wan: (50, 200),
        fiscal: 70,
        collective: 10,
        lead: Dept(AGRI),
        items: &["驿站改造", "孵化工位", "创业培训"],
    },
    Tpl {
        name: "{v}共富工坊",
        mechanism: M::BenefitSharing,
        kind: K::Industry,
        wan: (30, 150),
        fiscal: 30,
        collective: 40,
        lead: Village,
        items: &["工坊场地改造", "设备配置", "技能培训"],
    },
    Tpl {
        name: "{t}片区数字乡村平台",
        mechanism: M::Facilities,
        kind: K::Digital,
        wan: (50, 250),
        fiscal: 80,
        collective: 10,
        lead: Dept(AGRI),
        items: &["平台开发", "物联网感知设备", "数据对接"],
    },
    Tpl {
        name: "{v}居家养老服务照料中心",
        mechanism: M::Facilities,
        kind: K::PublicService,
        wan: (80, 300),
        fiscal: 80,
        collective: 20,
        lead: Village,
        items: &["用房改造", "适老化设施", "助餐点"],
    },
    Tpl {
        name: "{t}片区污水管网提标改造",
        mechanism: M::Facilities,
        kind: K::Ecology,
        wan: (200, 800),
        fiscal: 90,
        collective: 10,
        lead: Town,
        items: &["管网铺设", "终端提标", "运维监测"],
    },
    Tpl {
        name: "{v}红色教育阵地提升",
        mechanism: M::PartyBuilding,
        kind: K::PublicService,
        wan: (30, 120),
        fiscal: 80,
        collective: 20,
        lead: Village,
        items: &["展陈提升", "场地修缮", "讲解员培训"],
    },
];

/// Plan tasks not (yet) carried by a project.
const EXTRA_TASKS: &[&str] = &[
    "编制片区留白用地使用方案，明确预留指标的使用程序",
    "完善片区联合运营机制，推动村集体资产统一经营",
    "推进片区人居环境整治和长效管护",
    "建立片区项目谋划储备库，滚动推进项目前期工作",
    "开展片区农民技能培训，培育乡村工匠和农创客",
    "推动片区公共服务设施共建共享",
];

/// General decisions: (decision, action item, owner).
#[derive(Clone, Copy)]
enum Owner {
    Town,
    KeyVillage,
    Dept(&'static str),
    Association,
    Bank,
    Enterprise,
}

const GENERAL: &[(&str, &str, Owner)] = &[
    (
        "由{town}牵头对接{i}龙头企业，研究片区联营合作方案，下次会议审议",
        "形成{i}联营合作方案并提交联席会议审议",
        Owner::Town,
    ),
    (
        "{kv}股份经济合作社牵头完成共富工坊场地选址和改造方案",
        "完成共富工坊场地选址和改造方案",
        Owner::KeyVillage,
    ),
    (
        "启动片区村集体经济收益分红方案测算，提交各村村民代表会议讨论",
        "完成片区收益分红方案测算",
        Owner::Town,
    ),
    (
        "组织片区村干部和农创客赴安吉、德清考察学习共富联合体建设经验",
        "组织片区村干部外出考察学习",
        Owner::Dept(AGRI),
    ),
    (
        "做好{i}产销对接和品牌推广，筹办{i}展销活动",
        "筹办{i}展销推广活动",
        Owner::Association,
    ),
    (
        "区自然资源分局指导做好片区留白用地指标使用和重点项目用地报批",
        "完成片区重点项目用地预审",
        Owner::Dept(LAND),
    ),
    (
        "区文广旅游局支持片区文旅线路策划，争取纳入全区乡村旅游精品线路",
        "完成片区文旅精品线路策划",
        Owner::Dept(CULTURE),
    ),
    (
        "落实片区人居环境长效管护，开展月度交叉检查并通报结果",
        "开展片区人居环境月度交叉检查",
        Owner::Town,
    ),
    (
        "准备省级乡村共富联合体示范创建申报材料",
        "完成示范片区申报材料",
        Owner::Town,
    ),
    (
        "农商银行对片区经营主体开展整村授信，推出“共富贷”产品",
        "完成片区经营主体整村授信",
        Owner::Bank,
    ),
    (
        "建立片区项目周报制度，各牵头单位每周五报送进度",
        "建立项目周报制度并报送首期周报",
        Owner::Town,
    ),
    (
        "梳理片区闲置农房和集体用房，建立可利用资源清单",
        "完成闲置农房和集体用房资源清单",
        Owner::KeyVillage,
    ),
    (
        "区财政局指导做好片区项目资金绩效自评和拨付进度管理",
        "完成片区项目资金绩效自评",
        Owner::Dept(FINANCE),
    ),
    (
        "{ent}发挥龙头带动作用，与片区农户签订订单收购协议",
        "与片区农户签订{i}订单收购协议",
        Owner::Enterprise,
    ),
];

const CN: [&str; 11] = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
];

fn cn(n: usize) -> &'static str {
    CN.get(n).copied().unwrap_or("多")
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A day drawn evenly from `from..=to` (`from` when the range is empty).
fn day_in(rng: &mut ChaCha8Rng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days();
    if span <= 0 {
        from
    } else {
        from + days(rng.random_range(0..=span))
    }
}

/// The first day of the month eleven months before today's.
pub fn window_start(today: Date) -> Date {
    let months = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - 11;
    let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let month = Month::try_from(m as u8).unwrap_or(Month::January);
    Date::from_calendar_date(y, month, 1).unwrap_or(today)
}

/// A working day near `d`, never after `today`.
fn weekday_near(d: Date, today: Date) -> Date {
    let d = match d.weekday() {
        Weekday::Saturday => d - days(1),
        Weekday::Sunday if d + days(1) <= today => d + days(1),
        Weekday::Sunday => d - days(2),
        _ => d,
    };
    d.min(today)
}

fn pct(v: i64) -> Percent {
    Percent::new(v.clamp(0, 100), "progress").unwrap_or(Percent::ZERO)
}

/// Fen of a whole number of yuan.
fn yuan(y: i64) -> Fen {
    Fen::from_yuan(y)
}

fn fill(s: &str, v: &str, t: &str, i: &str) -> String {
    s.replace("{v}", v).replace("{t}", t).replace("{i}", i)
}

/// Draws unique, valid credit codes for 柯桥区 (division digits 330603).
#[derive(Default)]
struct Codes {
    used: HashSet<String>,
}

impl Codes {
    const CHARS: &'static [u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

    fn draw(&mut self, rng: &mut ChaCha8Rng, kind: ActorKind) -> CreditCode {
        // 登记管理部门 + 机构类别: 9 市场监管 (1 企业, 3 农民专业合作社), 5 民政 (1 社会团体,
        // 2 民办非企业单位), N 农业农村 (2 村级集体经济组织).
        let (head, org) = match kind {
            ActorKind::Enterprise | ActorKind::Financial | ActorKind::StateCompany => ("91", "MA2"),
            ActorKind::Cooperative => ("93", "MA2"),
            ActorKind::Association => ("51", "MJ9"),
            ActorKind::SocialOrganisation => ("52", "MJ9"),
            ActorKind::Collective => ("N2", "MF1"),
        };
        loop {
            let tail: String = (0..6)
                .map(|_| Self::CHARS[rng.random_range(0..Self::CHARS.len())] as char)
                .collect();
            let body = format!("{head}330603{org}{tail}");
            if let Ok(code) = CreditCode::complete(&body)
                && self.used.insert(code.as_str().to_string())
            {
                return code;
            }
        }
    }
}

/// What the generator knows about one zone.
struct Zone<'a> {
    demo: &'a DemoZone,
    /// 平水
    short: String,
    /// 平水镇
    town: String,
    /// 平水镇人民政府 / 兰亭街道办事处
    town_gov: String,
    /// (code, 同康村), the key village first.
    villages: Vec<(String, String)>,
    topics: Vec<&'static Topic>,
    /// Hill or mountain villages (tea, bamboo, torreya, bayberry).
    hill: bool,
}

impl Zone<'_> {
    fn kv(&self) -> &str {
        &self.villages[0].1
    }
    fn industry(&self) -> String {
        industry_name(self.topics[0], &self.short)
    }
    fn collective_unit(village: &str) -> String {
        format!("{village}股份经济合作社")
    }
}

fn industry_name(topic: &Topic, short: &str) -> String {
    if topic.key == "茶叶" && short == "平水" {
        "日铸茶".to_string()
    } else {
        topic.industry.to_string()
    }
}

fn topic(key: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.key == key)
}

/// The topics of a zone: from its theme and town first, then its villages' tags (the key
/// village's order, then how often), then 古道 for hill industries; at most four.
fn zone_topics(
    zone: &DemoZone,
    short: &str,
    district: &DemoDistrict,
) -> (Vec<&'static Topic>, bool) {
    let mut keys: Vec<&str> = Vec::new();
    let theme_hints: [(&str, &str); 7] = [
        ("兰花", "兰花"),
        ("竹", "竹笋"),
        ("酱", "酱品"),
        ("鉴湖", "黄酒"),
        ("渔", "渔业"),
        ("梅", "杨梅"),
        ("紫薇", "紫薇"),
    ];
    for (hint, key) in theme_hints {
        if zone.theme.contains(hint) {
            keys.push(key);
        }
    }
    if short == "兰亭" {
        keys.push("书法");
    }
    let tags_of = |code: &str| {
        district
            .divisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.tags.clone())
            .unwrap_or_default()
    };
    // The key village's first two tags are its town's industries; other tags count when
    // at least two member villages share them.
    let town_tags: Vec<String> = tags_of(&zone.key_village).into_iter().take(2).collect();
    let mut counted: Vec<(String, usize, usize)> = Vec::new();
    for (rank, code) in zone.members.iter().enumerate() {
        for (pos, tag) in tags_of(code).into_iter().enumerate() {
            match counted.iter_mut().find(|(t, _, _)| *t == tag) {
                Some(c) => c.1 += 1,
                None => counted.push((tag, 1, rank * 100 + pos)),
            }
        }
    }
    counted.sort_by_key(|(_, n, first)| (std::cmp::Reverse(*n), *first));
    let shared: Vec<String> = counted
        .into_iter()
        .filter(|(t, n, _)| *n >= 2 && !town_tags.contains(t))
        .map(|(t, _, _)| t)
        .collect();
    let hill = town_tags
        .iter()
        .any(|t| matches!(t.as_str(), "香榧" | "茶叶" | "竹笋" | "杨梅"));
    keys.extend(town_tags.iter().map(String::as_str));
    if hill {
        keys.push("古道");
    }
    keys.extend(shared.iter().map(String::as_str));
    let mut out: Vec<&'static Topic> = Vec::new();
    for k in keys {
        if let Some(t) = topic(k)
            && !out.iter().any(|o| o.key == t.key)
            && !(hill && t.key == "渔业")
            && out.len() < 4
        {
            out.push(t);
        }
    }
    if out.is_empty() {
        out.push(topic("文化").unwrap_or(&TOPICS[0]));
    }
    (out, hill)
}

/// A project before its dates and figures are drawn.
struct Draft {
    tpl: &'static Tpl,
    name: String,
    /// Index into the zone's villages of the village named in the project, if any.
    village: Option<usize>,
}

/// Generates a year of work for the pilot zones of `district`, up to `today`.
pub fn generate_work(
    divisions: &[DivisionRow],
    district: &DemoDistrict,
    today: Date,
    seed: u64,
) -> DemoWork {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let start = window_start(today);
    let mut codes = Codes::default();
    let mut actors: Vec<DemoActor> = Vec::new();

    let mut add_actor = |rng: &mut ChaCha8Rng,
                         actors: &mut Vec<DemoActor>,
                         name: String,
                         kind: ActorKind,
                         contact: &str,
                         address: String,
                         note: &str| {
        let spec = ActorSpec {
            name,
            kind,
            credit_code: codes.draw(rng, kind),
            contact_person: contact.to_string(),
            phone: String::new(),
            address,
            note: note.to_string(),
        };
        actors.push(DemoActor {
            spec,
            roles: Vec::new(),
        });
        actors.len() - 1
    };

    // Shared across the zones.
    let bank = add_actor(
        &mut rng,
        &mut actors,
        "柯桥农商银行乡村振兴支行".into(),
        ActorKind::Financial,
        "公司业务部",
        "绍兴市柯桥区柯桥街道".into(),
        "为片区经营主体提供整村授信和“共富贷”",
    );
    let state = add_actor(
        &mut rng,
        &mut actors,
        "绍兴市柯桥区强村富民投资集团有限公司".into(),
        ActorKind::StateCompany,
        "投资发展部",
        "绍兴市柯桥区柯桥街道".into(),
        "区属国有企业，参与片区项目投资建设和联合运营",
    );
    let social = add_actor(
        &mut rng,
        &mut actors,
        "绍兴市柯桥区乡村振兴志愿服务中心".into(),
        ActorKind::SocialOrganisation,
        "项目部",
        "绍兴市柯桥区柯桥街道".into(),
        "组织志愿者开展助老、助学和乡村文化服务",
    );
    let makers = add_actor(
        &mut rng,
        &mut actors,
        "绍兴市柯桥区农创客发展联合会".into(),
        ActorKind::Association,
        "秘书处",
        "绍兴市柯桥区柯桥街道".into(),
        "联系返乡创业青年和农创客，提供培训与孵化服务",
    );
    const ASSOCIATIONS_MAX: usize = 4;
    let mut associations: Vec<(&str, usize)> = Vec::new();

    let mut zones = Vec::with_capacity(district.pilot_zones.len());
    for (zi, demo) in district.pilot_zones.iter().enumerate() {
        let Some(town_row) = divisions.iter().find(|r| r.town_code == demo.town_code) else {
            continue;
        };
        let town = town_row.town_name.clone();
        let town_gov = if town_unit(&town) == "街道" {
            format!("{town}办事处")
        } else {
            format!("{town}人民政府")
        };
        let short = demo
            .name
            .split('·')
            .next()
            .unwrap_or(&demo.name)
            .to_string();
        let villages: Vec<(String, String)> = demo
            .members
            .iter()
            .filter_map(|code| {
                divisions
                    .iter()
                    .find(|r| r.code == *code)
                    .map(|r| (code.clone(), display_name(r)))
            })
            .collect();
        if villages.is_empty() {
            continue;
        }
        let (topics, hill) = zone_topics(demo, &short, district);
        let z = Zone {
            demo,
            short,
            town,
            town_gov,
            villages,
            topics,
            hill,
        };

        // The zone's own actors.
        let kv_stem = z.kv().strip_suffix('村').unwrap_or(z.kv()).to_string();
        let main = z.topics[0];
        let collective = add_actor(
            &mut rng,
            &mut actors,
            format!("绍兴市柯桥区{}{}股份经济合作社", z.town, z.kv()),
            ActorKind::Collective,
            "村股份经济合作社办公室",
            format!("绍兴市柯桥区{}{}", z.town, z.kv()),
            "片区核心村集体经济组织",
        );
        actors[collective]
            .roles
            .push((demo.name.clone(), "运营主体".into()));
        let coop_first = rng.random_bool(0.35);
        let industry = z.industry();
        let entity = if coop_first {
            add_actor(
                &mut rng,
                &mut actors,
                format!("绍兴市柯桥区{kv_stem}{}", main.coop),
                ActorKind::Cooperative,
                "理事会",
                format!("绍兴市柯桥区{}{}", z.town, z.kv()),
                &format!("带动片区农户发展{industry}"),
            )
        } else {
            add_actor(
                &mut rng,
                &mut actors,
                format!("绍兴{kv_stem}{}", main.enterprise),
                ActorKind::Enterprise,
                "综合办公室",
                format!("绍兴市柯桥区{}{}", z.town, z.kv()),
                &format!("片区{industry}龙头企业"),
            )
        };
        actors[entity].roles.push((
            demo.name.clone(),
            if coop_first {
                "产业带动"
            } else {
                "产业龙头"
            }
            .into(),
        ));
        // A second industry actor where the registry has room (at most 25 actors in all).
        let later =
            (district.pilot_zones.len() - zi - 1) * 2 + ASSOCIATIONS_MAX - associations.len();
        if actors.len() + 1 + later <= 25 && rng.random_bool(0.3) {
            let other = z
                .villages
                .get(1)
                .map_or(z.kv(), |v| v.1.as_str())
                .to_string();
            let stem = other.strip_suffix('村').unwrap_or(&other).to_string();
            let i = if coop_first {
                add_actor(
                    &mut rng,
                    &mut actors,
                    format!("绍兴{stem}{}", main.enterprise),
                    ActorKind::Enterprise,
                    "综合办公室",
                    format!("绍兴市柯桥区{}{other}", z.town),
                    &format!("从事{industry}生产经营"),
                )
            } else {
                add_actor(
                    &mut rng,
                    &mut actors,
                    format!("绍兴市柯桥区{stem}{}", main.coop),
                    ActorKind::Cooperative,
                    "理事会",
                    format!("绍兴市柯桥区{}{other}", z.town),
                    &format!("组织农户开展{industry}标准化生产"),
                )
            };
            actors[i].roles.push((demo.name.clone(), "生产基地".into()));
        }
        actors[bank]
            .roles
            .push((demo.name.clone(), "金融支持".into()));
        let association = match main.association {
            Some(name) => match associations.iter().find(|(n, _)| *n == name) {
                Some((_, i)) => Some(*i),
                None if associations.len() < ASSOCIATIONS_MAX => {
                    let i = add_actor(
                        &mut rng,
                        &mut actors,
                        name.to_string(),
                        ActorKind::Association,
                        "秘书处",
                        format!("绍兴市柯桥区{}", z.town),
                        "行业自律、技术推广和品牌建设",
                    );
                    associations.push((name, i));
                    Some(i)
                }
                None => None,
            },
            None => None,
        };
        let association = match association {
            Some(i) => {
                actors[i].roles.push((demo.name.clone(), "技术支撑".into()));
                i
            }
            None => {
                actors[makers]
                    .roles
                    .push((demo.name.clone(), "人才服务".into()));
                makers
            }
        };
        if zi.is_multiple_of(2) {
            actors[social]
                .roles
                .push((demo.name.clone(), "志愿服务".into()));
        }
        let names = Names {
            enterprise: actors[entity].spec.name.clone(),
            association: actors[association].spec.name.clone(),
            bank: actors[bank].spec.name.clone(),
            state: actors[state].spec.name.clone(),
        };
        let work = zone_work(&mut rng, &z, zi, &names, today, start);
        if work
            .projects
            .iter()
            .any(|p| p.spec.lead_unit == names.state)
            || zi % 3 == 0
        {
            actors[state]
                .roles
                .push((demo.name.clone(), "投资建设".into()));
        }
        zones.push(work);
    }
    DemoWork {
        today,
        zones,
        actors,
    }
}

/// Names of the actors a zone's work refers to.
struct Names {
    enterprise: String,
    association: String,
    bank: String,
    state: String,
}

fn zone_work(
    rng: &mut ChaCha8Rng,
    z: &Zone,
    zi: usize,
    names: &Names,
    today: Date,
    start: Date,
) -> DemoZoneWork {
    let drafts = pick_projects(rng, z, zi);
    let n = drafts.len();

    // Meetings: evenly over the year, a little jitter, on working days, never after today.
    let n_meetings = rng.random_range(4..=8usize);
    let first = start + days(rng.random_range(3..=20));
    let span = (today - days(3) - first)
        .whole_days()
        .max(n_meetings as i64);
    let slot = span / n_meetings as i64;
    let mut held: Vec<Date> = (0..n_meetings)
        .map(|k| {
            let d = first + days(slot * k as i64 + rng.random_range(0..=(slot * 6 / 10).max(0)));
            weekday_near(d, today)
        })
        .collect();
    held.sort();
    held.dedup();

    // Origins: most projects come from plan tasks, the rest mostly from decisions.
    let n_tasks = rng.random_range(4..=8usize);
    let n_plan = ((n * 6 + 5) / 10).clamp(2, n_tasks.min(n));
    let mut origins: Vec<Option<DemoOrigin>> = Vec::with_capacity(n);
    let mut kickoffs: Vec<(usize, usize)> = Vec::new(); // (meeting, project)
    for k in 0..n {
        if k < n_plan {
            origins.push(Some(DemoOrigin::PlanTask(k)));
            continue;
        }
        // A decision of a meeting with room for another kick-off (at most two each).
        let candidates: Vec<usize> = (0..held.len())
            .filter(|m| kickoffs.iter().filter(|(x, _)| x == m).count() < 2)
            .collect();
        if !candidates.is_empty() && rng.random_bool(0.8) {
            let m = candidates[rng.random_range(0..candidates.len())];
            kickoffs.push((m, k));
            origins.push(Some(DemoOrigin::Decision {
                meeting: m,
                decision: usize::MAX, // numbered below
            }));
        } else {
            origins.push(None);
        }
    }

    // Statuses for the projects not started by a decision: at least one under way and one
    // built per zone.
    let mut statuses: Vec<ProjectStatus> = vec![
        ProjectStatus::Building,
        [
            ProjectStatus::Completed,
            ProjectStatus::Operating,
            ProjectStatus::Accepted,
        ][rng.random_range(0..3)],
    ];
    while statuses.len() < n {
        let r = rng.random_range(0..100);
        statuses.push(match r {
            0..10 => ProjectStatus::Conceived,
            10..25 => ProjectStatus::Approved,
            25..65 => ProjectStatus::Building,
            65..80 => ProjectStatus::Completed,
            80..90 => ProjectStatus::Operating,
            _ => ProjectStatus::Accepted,
        });
    }
    for i in (1..statuses.len()).rev() {
        let j = rng.random_range(0..=i);
        statuses.swap(i, j);
    }
    // Decision kick-offs take their status from the time since their meeting; the first
    // project under way in every other zone runs late.
    let mut projects: Vec<DemoProject> = Vec::with_capacity(n);
    let mut late_given = !zi.is_multiple_of(2);
    for (k, d) in drafts.iter().enumerate() {
        let origin = origins[k];
        let decided_on = match origin {
            Some(DemoOrigin::Decision { meeting, .. }) => Some(held[meeting]),
            _ => None,
        };
        let status = match decided_on {
            None => statuses[k],
            Some(m) => {
                let avail = (today - m).whole_days();
                if avail < 45 {
                    [ProjectStatus::Conceived, ProjectStatus::Approved][rng.random_range(0..2)]
                } else if avail < 150 {
                    [ProjectStatus::Approved, ProjectStatus::Building][rng.random_range(0..2)]
                } else if avail < 220 {
                    ProjectStatus::Building
                } else {
                    [ProjectStatus::Building, ProjectStatus::Completed][rng.random_range(0..2)]
                }
            }
        };
        let late = status == ProjectStatus::Building && (!late_given || rng.random_bool(0.25));
        let p = make_project(
            rng, z, names, d, status, late, decided_on, origin, today, start,
        );
        if p.days_late(today).is_some() {
            late_given = true;
        }
        projects.push(p);
    }
    // The kick-offs may have taken the built one drawn above: build another.
    if !projects.iter().any(|p| p.status.is_complete())
        && let Some(k) =
            (0..n).find(|&k| origins[k].is_none_or(|o| matches!(o, DemoOrigin::PlanTask(_))))
    {
        projects[k] = make_project(
            rng,
            z,
            names,
            &drafts[k],
            ProjectStatus::Completed,
            false,
            None,
            origins[k],
            today,
            start,
        );
    }

    // Every other zone has a project running late.
    if zi.is_multiple_of(2)
        && !projects.iter().any(|p| p.days_late(today).is_some())
        && let Some(k) = (0..n).find(|&k| {
            !matches!(origins[k], Some(DemoOrigin::Decision { .. }))
                && !projects[k].status.is_complete()
        })
    {
        projects[k] = make_project(
            rng,
            z,
            names,
            &drafts[k],
            ProjectStatus::Building,
            true,
            None,
            origins[k],
            today,
            start,
        );
    }

    // Decisions and action items.
    let mut general: Vec<usize> = (0..GENERAL.len()).collect();
    for i in (1..general.len()).rev() {
        let j = rng.random_range(0..=i);
        general.swap(i, j);
    }
    let mut general = general.into_iter().cycle();
    let members = committee(rng, z, names);
    let mut meetings: Vec<DemoMeeting> = Vec::with_capacity(held.len());
    let mut pushed: Vec<usize> = Vec::new();
    let industry = z.industry();
    for (mi, &on) in held.iter().enumerate() {
        let mut decisions: Vec<String> = Vec::new();
        let mut actions: Vec<DemoAction> = Vec::new();
        for &(_, k) in kickoffs.iter().filter(|(m, _)| *m == mi) {
            let p = &projects[k];
            decisions.push(format!(
                "同意将「{}」列入片区项目清单，由{}牵头开展前期工作",
                p.spec.name, p.spec.lead_unit
            ));
            if let Some(DemoOrigin::Decision { decision, .. }) = &mut projects[k].origin {
                *decision = decisions.len() - 1;
            }
            let p = &projects[k];
            let due = on + days(rng.random_range(20..=45));
            let done = p.status > ProjectStatus::Conceived && due <= today;
            actions.push(action(
                rng,
                decisions.len() - 1,
                format!("完成「{}」项目建议书和立项申报", p.spec.name),
                p.spec.lead_unit.clone(),
                due,
                today,
                Some(done),
            ));
        }
        let want = rng.random_range(2..=4usize).max(decisions.len());
        // Pushes on projects under way at the meeting, with their next milestone.
        let next_milestone = |p: &DemoProject| {
            p.milestones
                .iter()
                .find(|m| m.due > on && m.due <= on + days(150))
                .cloned()
        };
        let under_way: Vec<usize> = (0..n)
            .filter(|&k| {
                let p = &projects[k];
                p.status >= ProjectStatus::Building
                    && p.spec.start.is_some_and(|s| s <= on)
                    && !pushed.contains(&k)
                    && next_milestone(p).is_some()
            })
            .collect();
        if decisions.len() < want && !under_way.is_empty() && rng.random_bool(0.7) {
            let k = under_way[rng.random_range(0..under_way.len())];
            pushed.push(k);
            let p = &projects[k];
            if let Some(ms) = next_milestone(p) {
                decisions.push(format!(
                    "{}加快推进「{}」，确保{}前完成{}",
                    p.spec.lead_unit,
                    p.spec.name,
                    month_day(ms.due, on),
                    ms.name
                ));
                let status_hint = Some(ms.done_on.is_some());
                actions.push(action(
                    rng,
                    decisions.len() - 1,
                    format!("完成「{}」{}", p.spec.name, ms.name),
                    p.spec.lead_unit.clone(),
                    ms.due,
                    today,
                    status_hint,
                ));
            }
        }
        let mut skip_one = want >= 3 && rng.random_bool(0.35);
        while decisions.len() < want {
            let (text, title, owner) = GENERAL[general.next().unwrap_or(0)];
            let fillin = |s: &str| {
                s.replace("{town}", &z.town_gov)
                    .replace("{kv}", z.kv())
                    .replace("{i}", &industry)
                    .replace("{ent}", &names.enterprise)
            };
            decisions.push(fillin(text));
            // Most decisions become action items; a meeting of three or more decisions may
            // leave one (a position taken, nothing to track).
            if skip_one {
                skip_one = false;
            } else {
                let unit = match owner {
                    Owner::Town => z.town_gov.clone(),
                    Owner::KeyVillage => Zone::collective_unit(z.kv()),
                    Owner::Dept(d) => d.to_string(),
                    Owner::Association => names.association.clone(),
                    Owner::Bank => names.bank.clone(),
                    Owner::Enterprise => names.enterprise.clone(),
                };
                let due = on + days(rng.random_range(15..=75));
                actions.push(action(
                    rng,
                    decisions.len() - 1,
                    fillin(title),
                    unit,
                    due,
                    today,
                    None,
                ));
            }
        }
        let spec = meeting_spec(rng, z, &members, &projects, mi, on, decisions);
        meetings.push(DemoMeeting { spec, actions });
    }
    // At least one late item per zone, and at least one done.
    let all = || meetings.iter().flat_map(|m| m.actions.iter());
    if !all().any(|a| !a.status.is_closed() && a.spec.due < today)
        && let Some(a) = meetings
            .iter_mut()
            .rev()
            .flat_map(|m| m.actions.iter_mut())
            .find(|a| a.spec.due < today)
    {
        a.status = ActionStatus::InProgress;
        a.result = "已启动，受审批流程影响尚未办结".into();
    }
    let all = || meetings.iter().flat_map(|m| m.actions.iter());
    if !all().any(|a| a.status == ActionStatus::Done)
        && let Some(a) = meetings
            .iter_mut()
            .flat_map(|m| m.actions.iter_mut())
            .find(|a| a.status != ActionStatus::Done)
    {
        a.status = ActionStatus::Done;
        a.result = "已办结，相关材料已归档".into();
    }

    // The plan: the tasks of plan-origin projects, then tasks still without a project.
    let mut tasks: Vec<String> = projects[..n_plan].iter().map(task_title).collect();
    let mut extra: Vec<&str> = EXTRA_TASKS.to_vec();
    while tasks.len() < n_tasks && !extra.is_empty() {
        let i = rng.random_range(0..extra.len());
        tasks.push(extra.remove(i).to_string());
    }
    let plan = plan_content(rng, z, names, tasks);
    let draft = rng.random_bool(0.4).then(|| {
        let mut d = plan.clone();
        let add = rng.random_range(20..=60) * 100;
        d.land_use = Mu(d.land_use.0 + add);
        d.reserved_quota = Mu(d.reserved_quota.0 + add / 4 / 50 * 50);
        d.reserve_note = format!(
            "{}（修编稿：新增用地 {} 亩，主要用于{}配套。）",
            d.reserve_note,
            Mu(add),
            industry
        );
        d.tasks.push(format!(
            "谋划{}年度片区新一批共富项目，充实项目储备库",
            today.year() + 1
        ));
        d
    });

    DemoZoneWork {
        zone: z.demo.name.clone(),
        plan,
        draft,
        committee: members,
        meetings,
        projects,
    }
}

/// 「5月3日」, or 「2027年5月3日」 in another year than `from`.
fn month_day(d: Date, from: Date) -> String {
    if d.year() == from.year() {
        format!("{}月{}日", u8::from(d.month()), d.day())
    } else {
        format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
    }
}

/// Which projects a zone takes up: its industries' first, then shared kinds, one of them of
/// the mechanism this zone stands for among the pilots (so all eight appear), 5 to 10 in all.
fn pick_projects(rng: &mut ChaCha8Rng, z: &Zone, zi: usize) -> Vec<Draft> {
    let n = rng.random_range(5..=10usize);
    let mut chosen: Vec<Draft> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut next_village = rng.random_range(0..z.villages.len());
    let mut push = |chosen: &mut Vec<Draft>, tpl: &'static Tpl, topic: Option<&Topic>| {
        let (v, vi) = if tpl.name.contains("{v}") {
            // The key village takes the first, the others in turn.
            let vi = if chosen.is_empty() {
                0
            } else {
                next_village = (next_village + 1) % z.villages.len();
                next_village
            };
            (z.villages[vi].1.clone(), Some(vi))
        } else {
            (String::new(), None)
        };
        let i = topic.map_or(z.industry(), |t| industry_name(t, &z.short));
        let name = fill(tpl.name, &v, &z.short, &i);
        if names.insert(name.clone()) {
            chosen.push(Draft {
                tpl,
                name,
                village: vi,
            });
        }
    };
    let n_topic = (n * 55 / 100).max(2);
    // Industry projects: the main topic's first, then the others in turn.
    let mut queue: Vec<(&'static Tpl, &'static Topic)> = Vec::new();
    let longest = z.topics.iter().map(|t| t.projects.len()).max().unwrap_or(0);
    for k in 0..longest {
        for t in &z.topics {
            if let Some(p) = t.projects.get(k) {
                queue.push((p, t));
            }
        }
    }
    for (tpl, t) in queue {
        if chosen.len() >= n_topic {
            break;
        }
        push(&mut chosen, tpl, Some(t));
    }
    // This zone's mechanism, then the shared kinds at random.
    push(&mut chosen, &GENERIC[zi % 8], None);
    let mut rest: Vec<usize> = (0..GENERIC.len()).filter(|&g| g != zi % 8).collect();
    while chosen.len() < n && !rest.is_empty() {
        let g = rest.remove(rng.random_range(0..rest.len()));
        push(&mut chosen, &GENERIC[g], None);
    }
    chosen
}

fn lead_unit(z: &Zone, names: &Names, d: &Draft) -> String {
    match d.tpl.lead {
        Town => z.town_gov.clone(),
        Village => Zone::collective_unit(&z.villages[d.village.unwrap_or(0)].1),
        Dept(unit) => unit.to_string(),
        Enterprise => names.enterprise.clone(),
        State => names.state.clone(),
    }
}

fn task_title(p: &DemoProject) -> String {
    const ONGOING: [&str; 12] = [
        "提升", "改造", "提质", "修编", "运营", "复壮", "治理", "工程", "建设", "打造", "培育",
        "孵化",
    ];
    if ONGOING.iter().any(|w| p.spec.name.ends_with(w)) {
        return format!("推进{}", p.spec.name);
    }
    let verb = match p.spec.kind {
        ProjectKind::Infrastructure | ProjectKind::Ecology => "实施",
        ProjectKind::CultureTourism => "打造",
        ProjectKind::Digital => "搭建",
        ProjectKind::Other => "推进",
        ProjectKind::Industry | ProjectKind::PublicService => "建设",
    };
    format!("{verb}{}", p.spec.name)
}

const MILESTONES: [&str; 7] = [
    "完成可行性研究和初步设计",
    "取得立项批复",
    "完成招投标",
    "开工建设",
    "主体工程完工",
    "设备安装调试",
    "竣工验收",
];

/// The same steps for a service or a scheme rather than a building.
const SERVICE_MILESTONES: [&str; 7] = [
    "完成实施方案编制",
    "取得立项批复",
    "完成政府采购",
    "启动实施",
    "完成阶段性成果",
    "试运行",
    "项目终验",
];

/// Built works (as opposed to schemes, platforms and plans).
fn runs_as_works(kind: ProjectKind) -> bool {
    !matches!(kind, ProjectKind::Other | ProjectKind::Digital)
}

#[allow(clippy::too_many_arguments)]
fn make_project(
    rng: &mut ChaCha8Rng,
    z: &Zone,
    names: &Names,
    d: &Draft,
    status: ProjectStatus,
    late: bool,
    decided_on: Option<Date>,
    origin: Option<DemoOrigin>,
    today: Date,
    start_of_year: Date,
) -> DemoProject {
    use ProjectStatus::*;
    let t = today;
    let (start, end): (Option<Date>, Option<Date>) = match (status, decided_on) {
        (Conceived, _) if rng.random_bool(0.5) => (None, None),
        (Conceived, _) => {
            let s = t + days(rng.random_range(60..=240));
            (Some(s), Some(s + days(rng.random_range(180..=400))))
        }
        (Approved, _) => {
            let s = t + days(rng.random_range(10..=120));
            (Some(s), Some(s + days(rng.random_range(150..=360))))
        }
        (Building, Some(m)) => {
            let s = day_in(rng, m + days(15), (m + days(75)).min(t - days(10)));
            let e = if late {
                (t - days(rng.random_range(5..=40))).max(s + days(30))
            } else {
                t + days(rng.random_range(30..=300))
            };
            (Some(s), Some(e))
        }
        (Building, None) => {
            let s = day_in(rng, start_of_year - days(120), t - days(60));
            let e = if late {
                (t - days(rng.random_range(5..=90))).max(s + days(45))
            } else {
                t + days(rng.random_range(30..=300))
            };
            (Some(s), Some(e))
        }
        (_, Some(m)) => {
            // Built within the year of its decision.
            let s = day_in(rng, m + days(10), m + days(40));
            let e = day_in(rng, s + days(60), t - days(5)).max(s + days(1));
            (Some(s), Some(e.min(t)))
        }
        (Completed, None) => {
            let e = day_in(rng, t - days(120), t - days(10));
            (Some(e - days(rng.random_range(120..=360))), Some(e))
        }
        (_, None) => {
            let e = day_in(rng, start_of_year - days(90), t - days(60));
            (Some(e - days(rng.random_range(120..=360))), Some(e))
        }
    };

    let late = late && status.is_open() && end.is_some_and(|e| e < t);

    // Sub-items and their progress.
    let mut items: Vec<SubItem> = Vec::new();
    if status != Conceived {
        let mut item_names: Vec<&str> = d.tpl.items.to_vec();
        if item_names.len() > 3 && rng.random_bool(0.4) {
            item_names.pop();
        }
        let frac = match (status, start, end) {
            (Building, Some(s), Some(e)) => {
                let all = (e - s).whole_days().max(1) as f64;
                let done = (t - s).whole_days().max(0) as f64;
                let f = (done / all).clamp(0.05, 0.95);
                if late { f * 0.85 } else { f }
            }
            _ => 0.0,
        };
        let n_items = item_names.len();
        for (k, name) in item_names.into_iter().enumerate() {
            let progress = match status {
                Approved => 0,
                Building => {
                    // Earlier parts are further along.
                    let ahead = (n_items - 1 - k) as f64 * 20.0;
                    let noise = rng.random_range(-8..=8) as f64;
                    (frac * 100.0 + ahead - 15.0 + noise).round() as i64
                }
                _ => 100,
            };
            items.push(SubItem {
                name: name.to_string(),
                weight: rng.random_range(2..=12) * 5,
                progress: pct(progress),
            });
        }
        if status == Building
            && items.iter().all(|i| i.progress == Percent::FULL)
            && let Some(last) = items.last_mut()
        {
            last.progress = pct(90);
        }
    }
    let reported = rolled_up_progress(&items, Percent::ZERO);

    // Milestones: the preparatory ones in the three months before the start, 开工建设 on
    // the start, the rest spread up to the planned end.
    let picks: Vec<usize> = match status {
        Conceived => vec![0],
        _ => {
            let k = rng.random_range(2..=4usize);
            let mut idx: Vec<usize> = (0..MILESTONES.len()).collect();
            while idx.len() > k {
                // The last one (acceptance) always stays.
                let r = rng.random_range(0..idx.len() - 1);
                idx.remove(r);
            }
            idx
        }
    };
    let (s, e) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        _ => (t + days(150), t + days(400)),
    };
    let pre: Vec<usize> = picks.iter().copied().filter(|&i| i < 3).collect();
    let post: Vec<usize> = picks.iter().copied().filter(|&i| i > 3).collect();
    // Preparatory milestones fall between the decision (or three months before the start)
    // and the start; an approved project has done them by today.
    let pre_from = decided_on.map_or(s - days(90), |m| m + days(3));
    let pre_to = if status == Approved { t.min(s) } else { s };
    let due_of = |i: usize| -> Date {
        if status == Conceived {
            t + days(45)
        } else if i < 3 {
            let j = pre.iter().position(|&x| x == i).unwrap_or(0) as i64;
            let span = (pre_to - pre_from).whole_days().max(0);
            pre_from + days(span * (j + 1) / (pre.len() as i64 + 1))
        } else if i == 3 {
            s
        } else {
            let j = post.iter().position(|&x| x == i).unwrap_or(0);
            let span = (e - s).whole_days().max(post.len() as i64);
            s + days(span * (j as i64 + 1) / post.len() as i64)
        }
    };
    let mut overdue_left = status == Building && (late || rng.random_bool(0.3));
    let mut milestones: Vec<MilestoneSpec> = Vec::new();
    for (k, &i) in picks.iter().enumerate() {
        let due = due_of(i);
        let last = k + 1 == picks.len();
        let done_on = if status.is_complete() {
            Some((due + days(rng.random_range(-10..=8))).min(t))
        } else if due > t
            || status == Conceived
            || (status == Building && last)
            || (status == Approved && i >= 3)
        {
            None
        } else if overdue_left && status == Building && i != 3 && due > t - days(90) {
            overdue_left = false;
            None
        } else {
            Some((due + days(rng.random_range(-6..=10))).min(t))
        };
        let note = match done_on {
            Some(_) => [
                "按计划完成",
                "已完成，相关资料已归档",
                "已完成并通过现场核查",
            ][rng.random_range(0..3)]
            .to_string(),
            None if due < t => "进度滞后，已督促加快推进".to_string(),
            None => String::new(),
        };
        let names = if runs_as_works(d.tpl.kind) {
            &MILESTONES
        } else {
            &SERVICE_MILESTONES
        };
        milestones.push(MilestoneSpec {
            name: names[i].to_string(),
            due,
            done_on,
            note,
        });
    }

    // Investment: a planned total split by source; actual spending follows the work done.
    let tpl = d.tpl;
    let total_k = rng.random_range(tpl.wan.0 * 10..=tpl.wan.1 * 10); // 千元
    let total = total_k * 1_000;
    let fiscal_pct = (tpl.fiscal + rng.random_range(-8..=8)).clamp(0, 100);
    let coll_pct = (tpl.collective + rng.random_range(-5..=5)).clamp(0, 100 - fiscal_pct);
    let fiscal = total * fiscal_pct / 100 / 1_000 * 1_000;
    let collective = total * coll_pct / 100 / 1_000 * 1_000;
    let social = total - fiscal - collective;
    let planned = [fiscal, collective, social];
    let permille = |rng: &mut ChaCha8Rng| -> i64 {
        match status {
            Conceived | Approved => 0,
            Building => {
                let p = i64::from(reported.get()) * 10;
                (p * rng.random_range(85..=105) / 100).min(1_000)
            }
            Completed => rng.random_range(880..=1_000),
            Operating | Accepted => rng.random_range(930..=1_000),
        }
    };
    let mut actual = [0i64; 3];
    for (a, p) in actual.iter_mut().zip(planned) {
        *a = p * permille(rng) / 1_000;
    }
    let investment = Investment {
        planned: planned.map(yuan),
        actual: actual.map(yuan),
    };

    let mut villages: Vec<VillageCode> = Vec::new();
    let codes: Vec<&str> = match d.village {
        Some(v) => {
            let mut c = vec![z.villages[v].0.as_str()];
            if rng.random_bool(0.3) && z.villages.len() > 1 {
                let other = (v + 1) % z.villages.len();
                c.push(z.villages[other].0.as_str());
            }
            c
        }
        None => z.villages.iter().map(|v| v.0.as_str()).collect(),
    };
    for c in codes {
        if let Ok(code) = VillageCode::parse(c)
            && !villages.contains(&code)
        {
            villages.push(code);
        }
    }
    let note = if late {
        "受政策处理和雨季影响，工期滞后，已列入联席会议督办".to_string()
    } else {
        match origin {
            Some(DemoOrigin::PlanTask(_)) => "片区规划建设任务".to_string(),
            Some(DemoOrigin::Decision { .. }) => "联席会议决定实施".to_string(),
            None => String::new(),
        }
    };
    DemoProject {
        spec: ProjectSpec {
            name: d.name.clone(),
            mechanism: tpl.mechanism,
            kind: tpl.kind,
            lead_unit: lead_unit(z, names, d),
            villages,
            investment,
            start,
            end,
            reported_progress: reported,
            note,
        },
        status,
        items,
        milestones,
        origin,
    }
}

/// An action item, its status drawn from its due day (or from what it tracks: `Some(done)`).
fn action(
    rng: &mut ChaCha8Rng,
    decision: usize,
    title: String,
    owner_unit: String,
    due: Date,
    today: Date,
    tracked: Option<bool>,
) -> DemoAction {
    let r = rng.random_range(0..100);
    let status = match tracked {
        Some(true) => ActionStatus::Done,
        Some(false) if due < today || r < 60 => ActionStatus::InProgress,
        Some(false) => ActionStatus::Open,
        None if due < today => match r {
            0..72 => ActionStatus::Done,
            72..75 => ActionStatus::Cancelled,
            75..88 => ActionStatus::InProgress,
            _ => ActionStatus::Open,
        },
        None => match r {
            0..20 => ActionStatus::Done,
            20..65 => ActionStatus::InProgress,
            _ => ActionStatus::Open,
        },
    };
    let result = match status {
        ActionStatus::Done => [
            "已按时办结，相关材料已归档",
            "已完成，结果已在联席会议上通报",
            "已办结，形成书面报告报联席会议办公室",
        ][rng.random_range(0..3)]
        .to_string(),
        ActionStatus::Cancelled => "因项目计划调整，事项并入下一阶段工作".to_string(),
        ActionStatus::InProgress => {
            format!("正在推进，已完成约{}%", rng.random_range(3..=8) * 10)
        }
        ActionStatus::Open => String::new(),
    };
    DemoAction {
        decision,
        spec: ActionSpec {
            title,
            owner_unit,
            due,
        },
        status,
        result,
    }
}

fn committee(rng: &mut ChaCha8Rng, z: &Zone, names: &Names) -> Vec<MemberSpec> {
    let member = |person: &str, unit: &str, role: MemberRole, title: &str| MemberSpec {
        person: person.to_string(),
        unit: unit.to_string(),
        role,
        title: title.to_string(),
    };
    let post = z
        .demo
        .lead_official
        .strip_prefix(z.town.as_str())
        .unwrap_or(&z.demo.lead_official)
        .to_string();
    let mut out = vec![member(&post, &z.town, MemberRole::Lead, "召集人")];
    out.push(member(
        "分管副局长",
        AGRI,
        MemberRole::Department,
        "副召集人",
    ));
    out.push(member(
        "村庄规划科科长",
        LAND,
        MemberRole::Department,
        "成员",
    ));
    let tourism = z
        .topics
        .iter()
        .any(|t| matches!(t.key, "旅游" | "古道" | "书法" | "黄酒" | "文化"));
    if tourism {
        out.push(member(
            "产业发展科科长",
            CULTURE,
            MemberRole::Department,
            "成员",
        ));
    } else if rng.random_bool(0.5) {
        out.push(member(
            "农业农村科科长",
            FINANCE,
            MemberRole::Department,
            "成员",
        ));
    }
    let n_villages = z.villages.len().min(rng.random_range(2..=4usize));
    for (k, (_, v)) in z.villages.iter().take(n_villages).enumerate() {
        out.push(member(
            "村党组织书记",
            v,
            MemberRole::Village,
            if k == 0 { "副召集人" } else { "成员" },
        ));
    }
    out.push(member(
        "会长",
        &names.association,
        MemberRole::Association,
        "成员",
    ));
    out.push(member(
        "负责人",
        &names.enterprise,
        MemberRole::Enterprise,
        "成员",
    ));
    if out.len() < 10 && rng.random_bool(0.5) {
        out.push(member("行长", &names.bank, MemberRole::Other, "成员"));
    }
    out.truncate(10);
    out
}

fn meeting_spec(
    rng: &mut ChaCha8Rng,
    z: &Zone,
    committee: &[MemberSpec],
    projects: &[DemoProject],
    index: usize,
    on: Date,
    decisions: Vec<String>,
) -> MeetingSpec {
    let zone = &z.demo.name;
    let (title, agenda_first) = if index == 0 {
        (
            format!(
                "{zone}{}年度工作部署会",
                on.year() + i32::from(on.month() == Month::December)
            ),
            "部署年度片区建设重点任务和项目清单",
        )
    } else if rng.random_bool(0.25) {
        (
            format!(
                "{zone}{}年{}月项目现场推进会",
                on.year(),
                u8::from(on.month())
            ),
            "现场查看重点项目建设情况",
        )
    } else {
        (
            format!("{zone}{}年{}月工作推进会", on.year(), u8::from(on.month())),
            "通报片区重点项目推进情况",
        )
    };
    let location = match rng.random_range(0..3) {
        0 => format!("{}党群服务中心", z.kv()),
        1 => format!("{}三楼会议室", z.town_gov),
        _ => {
            let v = &z.villages[rng.random_range(0..z.villages.len())].1;
            format!("{v}文化礼堂")
        }
    };
    let mut attendees: Vec<String> = Vec::new();
    for (k, m) in committee.iter().enumerate() {
        if k == 0 || rng.random_bool(0.8) {
            attendees.push(format!("{}（{}）", m.person, m.unit));
        }
    }
    let industry = z.industry();
    let agenda = format!(
        "1. {agenda_first}\n2. 研究{industry}产业发展和联营合作事项\n3. 审议决定事项，部署下阶段工作"
    );
    let building = projects
        .iter()
        .filter(|p| p.spec.start.is_some_and(|s| s <= on) && p.status >= ProjectStatus::Building)
        .count();
    let minutes = format!(
        "会议由{lead}主持，联席会议成员单位和{kv}等{n}个村的负责人参加。会议听取了各牵头单位的工作汇报，片区在建和已建项目共 {building} 个，总体进展有序，部分项目受政策处理影响进度偏慢。会议形成{d}项决定事项，要求各责任单位按时限抓好落实，联席会议办公室跟踪督办。",
        lead = z.demo.lead_official,
        kv = z.kv(),
        n = cn(z.villages.len()),
        d = cn(decisions.len()),
    );
    MeetingSpec {
        held_on: on,
        title,
        location,
        attendees,
        agenda,
        minutes,
        decisions,
    }
}

/// 「甲、乙和丙」.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}和{last}", init.join("、")),
    }
}

fn plan_content(rng: &mut ChaCha8Rng, z: &Zone, names: &Names, tasks: Vec<String>) -> PlanContent {
    let industries: Vec<String> = z
        .topics
        .iter()
        .map(|t| industry_name(t, &z.short))
        .collect();
    let roles: Vec<String> = z
        .topics
        .iter()
        .map(|t| t.role.replace("{i}", &industry_name(t, &z.short)))
        .collect();
    let positioning = format!(
        "以「{theme}」为主题，依托{kv}及周边村的{ind}资源，打造{roles}，建成{town}乡村共富示范片区，带动片区村集体经济和农民收入同步增长。",
        theme = z.demo.theme,
        kv = z.kv(),
        ind = industries.join("、"),
        roles = and_list(&roles),
        town = z.town,
    );
    let others: Vec<&str> = z.villages[1..].iter().map(|v| v.1.as_str()).collect();
    let hill = z.hill;
    let spatial_structure = format!(
        "构建“一核{k}点{axis}”空间格局：以{kv}为核心，{others}为联动节点，{route}，实现片区设施共享、功能互补、产业联动。",
        k = cn(others.len().max(1)),
        axis = if hill { "一道" } else { "一带" },
        kv = z.kv(),
        others = if others.is_empty() {
            "周边自然村".to_string()
        } else {
            others.join("、")
        },
        route = if hill {
            "沿会稽山古道和乡村公路串联各村"
        } else {
            "沿乡村绿道和水系串联各村"
        },
    );
    let mut layout: Vec<String> = Vec::new();
    for (k, t) in z.topics.iter().enumerate() {
        let v = &z.villages[k % z.villages.len()].1;
        layout.push(fill(t.layout, v, &z.short, &industry_name(t, &z.short)));
    }
    let industry_layout = format!(
        "{}；片区统一品牌、统一营销，延伸{}产业链。",
        layout.join("；"),
        industries[0]
    );
    let land =
        (z.villages.len() as i64 * rng.random_range(120..=320) * 2 + rng.random_range(0..=1)) * 50; // hundredths, whole or half mu
    let reserved = (land * rng.random_range(5..=10) / 100) / 50 * 50;
    let reserve_note = format!(
        "预留 {} 亩机动指标（留白），优先保障{}配套设施和乡村新业态项目落地，按“一事一议”程序使用。",
        Mu(reserved),
        industries[0]
    );
    let operation_model = format!(
        "采用“强村公司+{ent}+农户”模式：由{kv}股份经济合作社牵头，联合片区{n}个村组建强村公司统一运营，引入{ent}参与{ind}产业链经营，{bank}提供金融支持，收益按“保底+分红”方式惠及各村和农户。",
        ent = names.enterprise,
        kv = z.kv(),
        n = cn(z.villages.len()),
        ind = industries[0],
        bank = names.bank,
    );
    PlanContent {
        positioning,
        spatial_structure,
        industry_layout,
        land_use: Mu(land),
        reserved_quota: Mu(reserved),
        reserve_note,
        tasks,
        operation_model,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, parse_divisions_csv, parse_town_centres_csv};
    use gongfu_core::village::date_string;
    use gongfu_core::work::actor::ActorDraft;
    use gongfu_core::work::committee::{
        ActionDraft, ActionItem, MeetingDraft, MemberDraft, check_action_move,
    };
    use gongfu_core::work::plan::{PlanDraft, check_complete};
    use gongfu_core::work::project::{
        Milestone, MilestoneDraft, Project, ProjectDraft, check_move,
    };
    use std::sync::OnceLock;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 20);

    fn input() -> &'static (Vec<DivisionRow>, DemoDistrict) {
        static D: OnceLock<(Vec<DivisionRow>, DemoDistrict)> = OnceLock::new();
        D.get_or_init(|| {
            let rows = parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
            let towns = parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
            let d = generate(&rows, &towns, 7);
            (rows, d)
        })
    }

    fn work(seed: u64, today: Date) -> DemoWork {
        let (rows, d) = input();
        generate_work(rows, d, today, seed)
    }

    fn draft_of(p: &ProjectSpec) -> ProjectDraft {
        let amount = |f: Fen| f.yuan_string();
        let inv = &p.investment;
        ProjectDraft {
            name: p.name.clone(),
            mechanism: p.mechanism.label().into(),
            kind: p.kind.label().into(),
            lead_unit: p.lead_unit.clone(),
            villages: p
                .villages
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            planned_fiscal: amount(inv.planned[0]),
            planned_collective: amount(inv.planned[1]),
            planned_social: amount(inv.planned[2]),
            actual_fiscal: amount(inv.actual[0]),
            actual_collective: amount(inv.actual[1]),
            actual_social: amount(inv.actual[2]),
            start: p.start.map(date_string).unwrap_or_default(),
            end: p.end.map(date_string).unwrap_or_default(),
            progress: p.reported_progress.get().to_string(),
            note: p.note.clone(),
        }
    }

    #[test]
    fn the_same_seed_and_day_give_the_same_work() {
        assert_eq!(work(5, TODAY), work(5, TODAY));
        assert_ne!(work(5, TODAY), work(6, TODAY));
        let later = work(5, TODAY + Duration::days(40));
        assert!(
            later
                .zones
                .iter()
                .all(|z| z.meetings.iter().all(|m| m.spec.held_on <= later.today))
        );
    }

    #[test]
    fn the_year_starts_eleven_months_back() {
        assert_eq!(window_start(date!(2026 - 11 - 29)), date!(2025 - 12 - 01));
        assert_eq!(window_start(date!(2026 - 01 - 03)), date!(2025 - 02 - 01));
        assert_eq!(window_start(date!(2026 - 12 - 31)), date!(2026 - 01 - 01));
    }

    #[test]
    fn counts_are_in_range_for_every_pilot_zone() {
        let days = [
            TODAY,
            date!(2026 - 01 - 05),
            date!(2027 - 07 - 18),
            date!(2026 - 12 - 31),
        ];
        for (seed, today) in [1, 2, 3, 42, 7, 8, 9, 10]
            .into_iter()
            .zip(days.into_iter().cycle())
        {
            counts_in_range(seed, &work(seed, today));
        }
    }

    fn counts_in_range(seed: u64, w: &DemoWork) {
        {
            assert_eq!(w.zones.len(), 8, "seed {seed}");
            assert!(
                (15..=25).contains(&w.actors.len()),
                "{} actors",
                w.actors.len()
            );
            let mut mechanisms: HashSet<Mechanism> = HashSet::new();
            for z in &w.zones {
                assert!((4..=8).contains(&z.plan.tasks.len()), "{}", z.zone);
                assert!((6..=10).contains(&z.committee.len()), "{}", z.zone);
                assert_eq!(z.committee[0].role, MemberRole::Lead);
                assert!((4..=8).contains(&z.meetings.len()), "{}", z.zone);
                assert!((5..=10).contains(&z.projects.len()), "{}", z.zone);
                for m in &z.meetings {
                    assert!(
                        (2..=4).contains(&m.spec.decisions.len()),
                        "{}",
                        m.spec.title
                    );
                }
                let decisions: usize = z.meetings.iter().map(|m| m.spec.decisions.len()).sum();
                let actions: usize = z.meetings.iter().map(|m| m.actions.len()).sum();
                assert!(actions * 10 >= decisions * 6, "{actions} of {decisions}");
                assert!(
                    z.projects.iter().any(|p| p.status.is_complete()),
                    "{}",
                    z.zone
                );
                assert!(
                    z.meetings
                        .iter()
                        .flat_map(|m| &m.actions)
                        .any(|a| !a.status.is_closed() && a.spec.due < w.today),
                    "{}: no late action",
                    z.zone
                );
                mechanisms.extend(z.projects.iter().map(|p| p.spec.mechanism));
                let roles = w
                    .actors
                    .iter()
                    .filter(|a| a.roles.iter().any(|(zone, _)| *zone == z.zone))
                    .count();
                assert!(roles >= 3, "{}: {roles} actors", z.zone);
            }
            assert_eq!(mechanisms.len(), 8, "seed {seed}");
            let late = w
                .zones
                .iter()
                .flat_map(|z| &z.projects)
                .filter(|p| p.status.is_open() && p.spec.end.is_some_and(|e| e < w.today))
                .count();
            assert!(late >= 4, "seed {seed}: {late} late projects");
        }
    }

    #[test]
    fn every_record_passes_the_core_parsers() {
        for (seed, today) in [
            (3, TODAY),
            (4, date!(2026 - 02 - 27)),
            (5, date!(2027 - 08 - 01)),
        ] {
            every_record_passes(&work(seed, today));
        }
    }

    fn every_record_passes(w: &DemoWork) {
        let mut codes = HashSet::new();
        for a in &w.actors {
            let d = ActorDraft {
                name: a.spec.name.clone(),
                kind: a.spec.kind.key().into(),
                credit_code: a.spec.credit_code.as_str().into(),
                contact_person: a.spec.contact_person.clone(),
                phone: a.spec.phone.clone(),
                address: a.spec.address.clone(),
                note: a.spec.note.clone(),
            };
            assert_eq!(d.parse().unwrap(), a.spec);
            assert_eq!(&a.spec.credit_code.as_str()[2..8], "330603");
            assert!(codes.insert(a.spec.credit_code.clone()), "duplicate code");
            for (_, role) in &a.roles {
                gongfu_core::work::actor::parse_zone_role(role).unwrap();
            }
        }
        for z in &w.zones {
            for plan in std::iter::once(&z.plan).chain(&z.draft) {
                let d = PlanDraft {
                    positioning: plan.positioning.clone(),
                    spatial_structure: plan.spatial_structure.clone(),
                    industry_layout: plan.industry_layout.clone(),
                    land_use: plan.land_use.to_string(),
                    reserved_quota: plan.reserved_quota.to_string(),
                    reserve_note: plan.reserve_note.clone(),
                    tasks: plan.tasks.join("\n"),
                    operation_model: plan.operation_model.clone(),
                };
                assert_eq!(&d.parse().unwrap(), plan, "{}", z.zone);
                check_complete(plan).unwrap();
                assert!(plan.reserved_quota.0 > 0);
            }
            for m in &z.committee {
                let d = MemberDraft {
                    person: m.person.clone(),
                    unit: m.unit.clone(),
                    role: m.role.key().into(),
                    title: m.title.clone(),
                };
                assert_eq!(&d.parse().unwrap(), m);
            }
            let mut last = None;
            for m in &z.meetings {
                let d = MeetingDraft {
                    held_on: date_string(m.spec.held_on),
                    title: m.spec.title.clone(),
                    location: m.spec.location.clone(),
                    attendees: m.spec.attendees.join("\n"),
                    agenda: m.spec.agenda.clone(),
                    minutes: m.spec.minutes.clone(),
                    decisions: m.spec.decisions.join("\n"),
                };
                assert_eq!(d.parse(w.today).unwrap(), m.spec);
                assert!(m.spec.held_on >= window_start(w.today));
                assert!(last < Some(m.spec.held_on), "meetings in order");
                last = Some(m.spec.held_on);
                for a in &m.actions {
                    assert!(a.decision < m.spec.decisions.len());
                    assert!(a.spec.due > m.spec.held_on);
                    let d = ActionDraft {
                        title: a.spec.title.clone(),
                        owner_unit: a.spec.owner_unit.clone(),
                        due: date_string(a.spec.due),
                    };
                    assert_eq!(d.parse().unwrap(), a.spec);
                    if a.status != ActionStatus::Open {
                        let item = ActionItem {
                            id: 1,
                            zone: 1,
                            decision: Some(1),
                            title: a.spec.title.clone(),
                            owner_unit: a.spec.owner_unit.clone(),
                            owner_user: None,
                            due: a.spec.due,
                            status: ActionStatus::Open,
                            done_on: None,
                            result: String::new(),
                            version: 1,
                        };
                        check_action_move(&item, a.status, &a.result).unwrap();
                    }
                }
            }
            for p in &z.projects {
                assert_eq!(
                    draft_of(&p.spec).parse().unwrap(),
                    p.spec,
                    "{}",
                    p.spec.name
                );
                let milestones: Vec<Milestone> = p
                    .milestones
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let d = MilestoneDraft {
                            name: m.name.clone(),
                            due: date_string(m.due),
                            done_on: m.done_on.map(date_string).unwrap_or_default(),
                            note: m.note.clone(),
                        };
                        assert_eq!(&d.parse().unwrap(), m);
                        assert!(m.done_on.is_none_or(|d| d <= w.today), "{}", p.spec.name);
                        Milestone {
                            id: i as i64 + 1,
                            project: 1,
                            name: m.name.clone(),
                            due: m.due,
                            done_on: m.done_on,
                            note: m.note.clone(),
                            version: 1,
                        }
                    })
                    .collect();
                let inv = &p.spec.investment;
                for s in 0..3 {
                    assert_eq!(inv.planned[s].0 % 100, 0, "whole yuan");
                    assert!(inv.actual[s] <= inv.planned[s], "{}", p.spec.name);
                }
                assert!(inv.planned_total() > Fen::ZERO);
                if p.status >= ProjectStatus::Building {
                    assert!(
                        p.spec.start.is_some_and(|s| s <= w.today),
                        "{}",
                        p.spec.name
                    );
                }
                if p.status.is_complete() {
                    assert!(p.spec.end.is_some_and(|e| e <= w.today), "{}", p.spec.name);
                }
                // Walk the flow from the first status to the project's own: every step is
                // allowed with the project's final sub-items and milestones.
                let mut project = Project {
                    id: 1,
                    zone: 1,
                    name: p.spec.name.clone(),
                    mechanism: p.spec.mechanism,
                    kind: p.spec.kind,
                    lead_unit: p.spec.lead_unit.clone(),
                    villages: p.spec.villages.clone(),
                    investment: p.spec.investment,
                    start: p.spec.start,
                    end: p.spec.end,
                    status: ProjectStatus::Conceived,
                    reported_progress: p.spec.reported_progress,
                    items: p.items.clone(),
                    origin: None,
                    note: p.spec.note.clone(),
                    version: 1,
                };
                for to in p.path_from(ProjectStatus::Conceived) {
                    check_move(&project, &milestones, to)
                        .unwrap_or_else(|e| panic!("{} → {to:?}: {}", p.spec.name, e.message));
                    project.status = to;
                }
                assert_eq!(project.status, p.status);
                assert_eq!(project.progress() == Percent::FULL, p.status.is_complete());
                match p.origin {
                    Some(DemoOrigin::PlanTask(t)) => assert!(t < z.plan.tasks.len()),
                    Some(DemoOrigin::Decision { meeting, decision }) => {
                        let m = &z.meetings[meeting];
                        assert!(m.spec.decisions[decision].contains(&p.spec.name));
                        if let Some(s) = p.spec.start {
                            assert!(s > m.spec.held_on, "{}", p.spec.name);
                        }
                    }
                    None => {}
                }
            }
        }
    }
}
