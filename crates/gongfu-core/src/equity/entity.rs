//! Entities, holders and share classes (股权主体、股东与股份类别).
//!
//! An entity is a joint company or co-operative that holds a share register; its holders are
//! village collectives, enterprises, state companies and households; its share classes each
//! say what a holding is measured in (its basis) and which part of the distributed residual
//! goes to the class (its split, in basis points, adding to 100 %).

use super::{BP_FULL, Bp};
use crate::text::bounded_text;
use crate::work::parse_choice;
use crate::{DomainError, VillageCode};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 60;

/// A holder (股东) of an entity; the id is the store's, trusted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HolderId(pub i64);

/// A share class (股份类别) of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClassId(pub i64);

macro_rules! choice {
    ($(#[$m:meta])* $name:ident, $what:literal, [$($(#[$vm:meta])* $v:ident = $key:literal / $label:literal),+ $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str { match self { $($name::$v => $key),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $label),+ } }
            /// Accepts the machine key or the Chinese label.
            pub fn parse(s: &str, field: &str) -> Result<$name, DomainError> {
                parse_choice(s, Self::ALL, Self::key, Self::label).ok_or_else(|| {
                    let labels: Vec<&str> = Self::ALL.iter().map(|c| c.label()).collect();
                    DomainError::new(
                        "invalid_choice",
                        field,
                        format!("{}「{}」无效：应为{}之一", $what, s.trim(), labels.join("、")),
                    )
                })
            }
        }
    };
}

choice!(
    /// 主体类型: the kind of entity that keeps a register and distributes income.
    EntityKind, "主体类型", [
        /// 强村公司 (district, town or village strong-village company)
        StrongVillageCompany = "strong_village_company" / "强村公司",
        /// 片区平台公司 (the zone's joint platform company)
        ZonePlatform = "zone_platform" / "片区平台公司",
        /// 股份经济合作社 (a village's joint-stock economic co-operative, 经合社)
        JointStockCooperative = "joint_stock_cooperative" / "股份经济合作社",
        /// 农民专业合作社: bound by the co-operative law's 60 % patronage refund
        Cooperative = "cooperative" / "合作社",
    ]
);

choice!(
    /// 股东类型.
    HolderKind, "股东类型", [
        /// 村集体 (the village collective, usually through its 经合社)
        VillageCollective = "village_collective" / "村集体",
        /// 企业
        Enterprise = "enterprise" / "企业",
        /// 国有公司 (state company, e.g. the district investment company)
        StateCompany = "state_company" / "国有公司",
        /// 农户
        Household = "household" / "农户",
        /// 社员 / 成员 (member of a co-operative)
        Member = "member" / "社员",
    ]
);

choice!(
    /// 分配依据: what one unit of holding in a class measures, and so how the class pool is
    /// shared among its holders.
    Basis, "分配依据", [
        /// 按户/按村均等 (天衡 "以村为基数"): every holder with a holding weighs the same
        Equal = "equal" / "均等",
        /// 按人口: units are persons
        Population = "population" / "人口",
        /// 按出资: units are fen of capital contributed (cash or valued in kind)
        Capital = "capital" / "出资额",
        /// 按土地面积: units are 0.01 亩, so 12.5 亩 is 1,250 units
        LandArea = "land_area" / "土地面积",
        /// 按交易量 (惠顾返还, patronage): units are fen of trade with the entity
        TradeVolume = "trade_volume" / "交易量",
        /// 按股数: units are shares (集体股, 个人股, 激励股 counted in shares)
        Shares = "shares" / "股数",
    ]
);

choice!(
    /// 股份性质: whose shares these are, which the policy tracks apart from how they weigh.
    ClassKind, "股份性质", [
        /// 普通股
        Ordinary = "ordinary" / "普通股",
        /// 集体股 (held by the collective for all members)
        Collective = "collective" / "集体股",
        /// 个人股 (quantified to members, 农民变股东)
        Individual = "individual" / "个人股",
        /// 激励股 (e.g. a government-held incentive stake, 天衡 35 %)
        Incentive = "incentive" / "激励股",
    ]
);

impl Basis {
    /// Units as people read them: yuan for capital and trade (units are fen), 亩 with two
    /// decimals for land (units are 0.01 亩), persons, shares, or households (份).
    pub fn units_text(self, units: i64) -> String {
        match self {
            Basis::Capital | Basis::TradeVolume => {
                format!("{} 元", crate::Fen(units).yuan_string())
            }
            Basis::LandArea => format!("{} 亩", hundredths(units)),
            Basis::Population => format!("{} 人", crate::money::count_string(units)),
            Basis::Shares => format!("{} 股", crate::money::count_string(units)),
            Basis::Equal => format!("{} 份", crate::money::count_string(units)),
        }
    }

    /// A distribution weight as people read it: the units, or with time-weighting the units
    /// × days held (「元·天」, 「亩·天」; an equal class weighs the days held).
    pub fn weight_text(self, weight: i64, time_weighted: bool) -> String {
        if !time_weighted {
            return if self == Basis::Equal {
                format!("{weight} 份")
            } else {
                self.units_text(weight)
            };
        }
        match self {
            Basis::Capital | Basis::TradeVolume => {
                format!("{} 元·天", crate::Fen(weight).yuan_string())
            }
            Basis::LandArea => format!("{} 亩·天", hundredths(weight)),
            Basis::Population => format!("{} 人·天", crate::money::count_string(weight)),
            Basis::Shares => format!("{} 股·天", crate::money::count_string(weight)),
            Basis::Equal => format!("{} 天", crate::money::count_string(weight)),
        }
    }

    /// What one unit means, for labels: 「元」 is shown for fen-based classes after conversion.
    pub fn unit_label(self) -> &'static str {
        match self {
            Basis::Equal => "户/村",
            Basis::Population => "人",
            Basis::Capital | Basis::TradeVolume => "分",
            Basis::LandArea => "0.01亩",
            Basis::Shares => "股",
        }
    }
}

/// Hundredths with two decimals and thousands separators: 125050 → 「1,250.50」.
fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        crate::money::count_string((a / 100) as i64),
        a % 100
    )
}

/// A holder as the register knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub id: HolderId,
    pub name: String,
    pub kind: HolderKind,
    /// The village a collective or household belongs to, for income attribution (D8).
    pub village: Option<VillageCode>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HolderDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub village_code: String,
}

impl HolderDraft {
    pub fn parse(&self, id: HolderId) -> Result<Holder, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(
            &self.name,
            "name",
            "股东名称",
            NAME_MAX,
            Some("请填写股东名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let kind = HolderKind::parse(&self.kind, "kind")
            .map_err(|e| errors.push(e))
            .ok();
        let village = if self.village_code.trim().is_empty() {
            None
        } else {
            VillageCode::parse(&self.village_code)
                .map_err(|e| errors.push(e))
                .ok()
        };
        // A village collective without its village could not be attributed its income.
        if kind == Some(HolderKind::VillageCollective) && self.village_code.trim().is_empty() {
            errors.push(DomainError::new(
                "required",
                "village_code",
                "村集体股东请填写所属村代码",
            ));
        }
        match (name, kind) {
            (Some(name), Some(kind)) if errors.is_empty() => Ok(Holder {
                id,
                name,
                kind,
                village,
            }),
            _ => Err(errors),
        }
    }
}

/// A share class with its basis and its split of the distributed residual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareClass {
    pub id: ClassId,
    pub name: String,
    pub kind: ClassKind,
    pub basis: Basis,
    /// Its part of the distributed residual (e.g. 40 / 25 / 35 %).
    pub split: Bp,
}

/// An entity whose classes are known to be consistent: at least one class, ids unique, splits
/// adding to exactly 10,000 bp, and a co-operative has a trade-volume (patronage) class. Only
/// [`EntityDraft::parse`] and [`EntitySpec::new`] make one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitySpec {
    name: String,
    kind: EntityKind,
    classes: Vec<ShareClass>,
}

impl EntitySpec {
    /// Checks typed parts (from the store, or from tests) with the same rules as a draft.
    pub fn new(
        name: &str,
        kind: EntityKind,
        classes: Vec<ShareClass>,
    ) -> Result<EntitySpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(name, "name", "主体名称", NAME_MAX, Some("请填写主体名称"))
            .map_err(|e| errors.push(e))
            .ok();
        check_classes(kind, &classes, &mut errors);
        match name {
            Some(name) if errors.is_empty() => Ok(EntitySpec {
                name,
                kind,
                classes,
            }),
            _ => Err(errors),
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn kind(&self) -> EntityKind {
        self.kind
    }
    /// Classes in their configured order, which is also the tie-break order between classes.
    pub fn classes(&self) -> &[ShareClass] {
        &self.classes
    }
    pub fn class(&self, id: ClassId) -> Option<&ShareClass> {
        self.classes.iter().find(|c| c.id == id)
    }
}

fn check_classes(kind: EntityKind, classes: &[ShareClass], errors: &mut Vec<DomainError>) {
    if classes.is_empty() {
        errors.push(DomainError::new(
            "required",
            "classes",
            "至少设置一个股份类别",
        ));
        return;
    }
    for (i, c) in classes.iter().enumerate() {
        if classes[..i].iter().any(|o| o.id == c.id) {
            errors.push(DomainError::new(
                "duplicate",
                format!("classes[{i}].id"),
                format!("股份类别编号 {} 重复", c.id.0),
            ));
        }
    }
    let total: i64 = classes.iter().map(|c| c.split.get()).sum();
    if total != BP_FULL {
        errors.push(DomainError::new(
            "split_not_full",
            "classes",
            format!(
                "各股份类别的分配比例合计应为 100%，现为 {}.{:02}%",
                total / 100,
                total % 100
            ),
        ));
    }
    // 农民专业合作社法: the surplus is returned mainly by trade volume, so a co-operative
    // without a patronage class could never pass the 60 % test.
    if kind == EntityKind::Cooperative && !classes.iter().any(|c| c.basis == Basis::TradeVolume) {
        errors.push(DomainError::new(
            "no_patronage_class",
            "classes",
            "合作社须设置按交易量（额）返还的股份类别",
        ));
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShareClassDraft {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub basis: String,
    /// 分配比例 as a percentage, e.g. `40` or `37.5`.
    #[serde(default)]
    pub split_percent: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntityDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub classes: Vec<ShareClassDraft>,
}

impl EntityDraft {
    /// Every error at once, each naming its field (`classes[1].split_percent` …) in Chinese.
    pub fn parse(&self) -> Result<EntitySpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let kind = EntityKind::parse(&self.kind, "kind")
            .map_err(|e| errors.push(e))
            .ok();
        let mut classes = Vec::new();
        for (i, c) in self.classes.iter().enumerate() {
            let f = |n: &str| format!("classes[{i}].{n}");
            let name = bounded_text(
                &c.name,
                &f("name"),
                "类别名称",
                NAME_MAX,
                Some("请填写类别名称"),
            )
            .map_err(|e| errors.push(e))
            .ok();
            let ck = ClassKind::parse(&c.kind, &f("kind"))
                .map_err(|e| errors.push(e))
                .ok();
            let basis = Basis::parse(&c.basis, &f("basis"))
                .map_err(|e| errors.push(e))
                .ok();
            let split = Bp::parse_percent(&c.split_percent, &f("split_percent"), "分配比例")
                .map_err(|e| errors.push(e))
                .ok();
            if let (Some(name), Some(kind), Some(basis), Some(split)) = (name, ck, basis, split) {
                classes.push(ShareClass {
                    id: ClassId(c.id),
                    name,
                    kind,
                    basis,
                    split,
                });
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => EntitySpec::new(&self.name, kind, classes),
            _ => {
                // The name is checked by `EntitySpec::new`, which is not reached here: say
                // it now too, so that a form learns every problem at once.
                if let Err(e) = bounded_text(
                    &self.name,
                    "name",
                    "主体名称",
                    NAME_MAX,
                    Some("请填写主体名称"),
                ) {
                    errors.insert(0, e);
                }
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(id: i64, name: &str, basis: &str, pct: &str) -> ShareClassDraft {
        ShareClassDraft {
            id,
            name: name.into(),
            kind: "普通股".into(),
            basis: basis.into(),
            split_percent: pct.into(),
        }
    }

    #[test]
    fn a_mixed_basis_split_of_40_25_35_parses() {
        let d = EntityDraft {
            name: "稽东共富强村公司".into(),
            kind: "强村公司".into(),
            classes: vec![
                class(1, "均等股", "均等", "40"),
                class(2, "人口股", "population", "25"),
                class(3, "激励股", "股数", "35"),
            ],
        };
        let e = d.parse().unwrap();
        assert_eq!(e.kind(), EntityKind::StrongVillageCompany);
        let splits: Vec<i64> = e.classes().iter().map(|c| c.split.get()).collect();
        assert_eq!(splits, vec![4000, 2500, 3500]);
        assert_eq!(
            e.class(ClassId(2)).map(|c| c.basis),
            Some(Basis::Population)
        );
    }

    #[test]
    fn splits_not_adding_to_100_are_refused_with_the_sum() {
        let d = EntityDraft {
            name: "平台公司".into(),
            kind: "zone_platform".into(),
            classes: vec![
                class(1, "甲", "均等", "40"),
                class(2, "乙", "出资额", "50.5"),
            ],
        };
        let errs = d.parse().unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.code == "split_not_full" && e.message.contains("90.50%"))
        );
    }

    #[test]
    fn every_field_error_is_reported_at_once_in_chinese() {
        let d = EntityDraft {
            name: "".into(),
            kind: "银行".into(),
            classes: vec![class(1, "", "面积", "12.345")],
        };
        let errs = d.parse().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"name"));
        assert!(fields.contains(&"kind"));
        assert!(fields.contains(&"classes[0].name"));
        assert!(fields.contains(&"classes[0].basis"));
        assert!(fields.contains(&"classes[0].split_percent"));
        assert!(
            errs.iter()
                .any(|e| e.message.contains("主体类型「银行」无效"))
        );
    }

    #[test]
    fn a_cooperative_needs_a_patronage_class_and_unique_ids() {
        let d = EntityDraft {
            name: "兰花专业合作社".into(),
            kind: "合作社".into(),
            classes: vec![
                class(1, "出资", "出资额", "50"),
                class(1, "人口", "人口", "50"),
            ],
        };
        let errs = d.parse().unwrap_err();
        assert!(errs.iter().any(|e| e.code == "no_patronage_class"));
        assert!(errs.iter().any(|e| e.code == "duplicate"));
    }

    #[test]
    fn a_village_collective_holder_needs_its_village() {
        let h = HolderDraft {
            name: "上旺村股份经济合作社".into(),
            kind: "村集体".into(),
            village_code: "".into(),
        };
        assert!(
            h.parse(HolderId(1)).unwrap_err()[0]
                .message
                .contains("村代码")
        );
        let ok = HolderDraft {
            village_code: "330603100201".into(),
            ..h
        };
        assert_eq!(
            ok.parse(HolderId(1)).unwrap().kind,
            HolderKind::VillageCollective
        );
    }
}
