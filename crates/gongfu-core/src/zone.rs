//! Zones (共富片区), each a consortium (乡村共富联合体) of one key village (重点村) and its
//! linked villages (联结村), with a membership history and yearly tier designations.
//!
//! The membership invariants live here and only here:
//! a village belongs to at most one zone at a time; the key village is a member; a zone has at
//! least two villages; members are villages (not communities) that exist on the day.

use crate::village::Division;
use crate::{DomainError, VillageCode, ZoneId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;

/// Designation tier (片区等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 省级共富片区
    Provincial,
    /// 市级共富片区
    Municipal,
    /// 区级重点片区
    DistrictKey,
    /// 区级共富片区
    District,
    /// 培育片区 (being cultivated)
    Cultivating,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Provincial,
        Tier::Municipal,
        Tier::DistrictKey,
        Tier::District,
        Tier::Cultivating,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Provincial => "provincial",
            Tier::Municipal => "municipal",
            Tier::DistrictKey => "district_key",
            Tier::District => "district",
            Tier::Cultivating => "cultivating",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Tier::Provincial => "省级",
            Tier::Municipal => "市级",
            Tier::DistrictKey => "区级重点",
            Tier::District => "区级",
            Tier::Cultivating => "培育",
        }
    }
    pub fn parse(s: &str) -> Result<Tier, DomainError> {
        let t = s.trim();
        Tier::ALL
            .into_iter()
            .find(|x| x.as_str() == t || x.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_tier",
                    "tier",
                    format!("等级「{t}」无效：应为 省级、市级、区级重点、区级 或 培育"),
                )
            })
    }
    /// A district-level zone or above (区级及以上): what the 2027 target of about ten counts.
    pub fn is_district_or_above(self) -> bool {
        self != Tier::Cultivating
    }
}

/// Status of a designation (申报 → 认定 → 验收, or 退出 from any of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationStatus {
    /// 申报
    Applied,
    /// 认定
    Recognised,
    /// 验收
    Accepted,
    /// 退出
    Exited,
}

impl DesignationStatus {
    pub const ALL: [DesignationStatus; 4] = [
        DesignationStatus::Applied,
        DesignationStatus::Recognised,
        DesignationStatus::Accepted,
        DesignationStatus::Exited,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DesignationStatus::Applied => "applied",
            DesignationStatus::Recognised => "recognised",
            DesignationStatus::Accepted => "accepted",
            DesignationStatus::Exited => "exited",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DesignationStatus::Applied => "申报",
            DesignationStatus::Recognised => "认定",
            DesignationStatus::Accepted => "验收",
            DesignationStatus::Exited => "退出",
        }
    }
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == t || x.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_status",
                    "status",
                    format!("状态「{t}」无效：应为 申报、认定、验收 或 退出"),
                )
            })
    }
    /// Whether a designation in this status counts towards a target (认定 or 验收).
    pub fn counts(self) -> bool {
        matches!(
            self,
            DesignationStatus::Recognised | DesignationStatus::Accepted
        )
    }
    /// The allowed next steps: 申报 → 认定 → 验收; any open status → 退出.
    pub fn can_move_to(self, next: DesignationStatus) -> bool {
        use DesignationStatus::*;
        matches!(
            (self, next),
            (Applied, Recognised)
                | (Recognised, Accepted)
                | (Applied | Recognised | Accepted, Exited)
        )
    }
}

/// A zone's designation for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    pub year: i32,
    pub tier: Tier,
    pub status: DesignationStatus,
}

/// Role of a member village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// 重点村 key village
    Key,
    /// 联结村 linked village
    Linked,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Key => "key",
            MemberRole::Linked => "linked",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MemberRole::Key => "重点村",
            MemberRole::Linked => "联结村",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "key" => Some(MemberRole::Key),
            "linked" => Some(MemberRole::Linked),
            _ => None,
        }
    }
}

/// One line of membership history: `village` was in `zone` from `from` (inclusive) until `to`
/// (exclusive; `None` while it lasts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub zone: ZoneId,
    pub village: VillageCode,
    pub role: MemberRole,
    pub from: Date,
    pub to: Option<Date>,
}

impl Membership {
    pub fn is_current_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|t| day < t)
    }
}

/// The members a user asks a zone to have: a key village and the full list of villages
/// (the key village is added if the list forgot it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRequest {
    pub key_village: VillageCode,
    pub villages: Vec<VillageCode>,
}

/// A member set that passed every invariant: key village included, at least two villages,
/// no duplicates, all existing villages, none held by another zone on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMembers {
    pub key_village: VillageCode,
    /// Sorted, de-duplicated, includes the key village.
    pub villages: Vec<VillageCode>,
}

/// Who holds each village on the day in question: village → (zone id, zone name).
pub type Holders = HashMap<VillageCode, (ZoneId, String)>;

/// Checks a requested member set against the registry and the other zones' members on `day`.
/// `this_zone` is the zone being edited (its own members are not a conflict). Returns every
/// problem at once so a form can show them together.
pub fn validate_members(
    req: &MemberRequest,
    registry: &HashMap<VillageCode, Division>,
    holders: &Holders,
    this_zone: Option<ZoneId>,
    day: Date,
) -> Result<ValidMembers, Vec<DomainError>> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, code) in req.villages.iter().enumerate() {
        if !seen.insert(code.clone()) && code != &req.key_village {
            errors.push(DomainError::new(
                "duplicate_member",
                format!("villages[{i}]"),
                format!("村「{code}」重复出现"),
            ));
        }
    }
    seen.insert(req.key_village.clone());
    for code in &seen {
        let field = if code == &req.key_village {
            "key_village".to_string()
        } else {
            format!(
                "villages[{}]",
                req.villages.iter().position(|c| c == code).unwrap_or(0)
            )
        };
        match registry.get(code) {
            None => errors.push(DomainError::new(
                "unknown_village",
                field,
                format!("村代码「{code}」不在区划名录中"),
            )),
            Some(d) if d.kind != crate::village::DivisionKind::Village => {
                errors.push(DomainError::new(
                    "not_a_village",
                    field,
                    format!("「{}」是社区，不纳入共富联合体", d.name),
                ))
            }
            Some(d) if !d.status.is_active_on(day) => errors.push(DomainError::new(
                "inactive_village",
                field,
                format!(
                    "「{}」已{}，不能加入片区",
                    d.name,
                    d.status.label().trim_start_matches('已')
                ),
            )),
            Some(d) => {
                if let Some((zone, zone_name)) = holders.get(code)
                    && Some(*zone) != this_zone
                {
                    errors.push(DomainError::new(
                        "already_in_zone",
                        field,
                        format!(
                            "「{}」已属于片区「{zone_name}」，一个村同一时间只能属于一个联合体",
                            d.name
                        ),
                    ));
                }
            }
        }
    }
    if seen.len() < 2 {
        errors.push(DomainError::new(
            "too_few_members",
            "villages",
            "一个片区至少包含 2 个村（重点村和至少 1 个联结村）",
        ));
    }
    if errors.is_empty() {
        Ok(ValidMembers {
            key_village: req.key_village.clone(),
            villages: seen.into_iter().collect(),
        })
    } else {
        Err(errors)
    }
}

/// A change to the membership history: close an open line on a day, or open a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipOp {
    Close {
        village: VillageCode,
        on: Date,
    },
    Open {
        village: VillageCode,
        role: MemberRole,
    },
}

/// The history edits that turn a zone's current members into `target` on `day`. A village
/// whose role changes (linked ↔ key) gets its line closed and a new one opened, so the history
/// shows when it became the key village.
pub fn membership_changes(
    current: &[Membership],
    target: &ValidMembers,
    day: Date,
) -> Vec<MembershipOp> {
    let want: BTreeMap<&VillageCode, MemberRole> = target
        .villages
        .iter()
        .map(|v| {
            let role = if *v == target.key_village {
                MemberRole::Key
            } else {
                MemberRole::Linked
            };
            (v, role)
        })
        .collect();
    let have: BTreeMap<&VillageCode, MemberRole> = current
        .iter()
        .filter(|m| m.to.is_none())
        .map(|m| (&m.village, m.role))
        .collect();
    let mut ops = Vec::new();
    for (v, role) in &have {
        if want.get(v) != Some(role) {
            ops.push(MembershipOp::Close {
                village: (*v).clone(),
                on: day,
            });
        }
    }
    for (v, role) in &want {
        if have.get(v) != Some(role) {
            ops.push(MembershipOp::Open {
                village: (*v).clone(),
                role: *role,
            });
        }
    }
    ops
}

/// Checks a whole membership history: no village is ever in two zones on the same day, and
/// every line ends after it starts. Used by tests and by the store's consistency check.
pub fn check_history(lines: &[Membership]) -> Result<(), String> {
    let mut by_village: BTreeMap<&VillageCode, Vec<&Membership>> = BTreeMap::new();
    for m in lines {
        if let Some(t) = m.to
            && t <= m.from
        {
            return Err(format!("{} 的成员记录结束日期不晚于开始日期", m.village));
        }
        by_village.entry(&m.village).or_default().push(m);
    }
    for (v, mut ms) in by_village {
        ms.sort_by_key(|m| m.from);
        for w in ms.windows(2) {
            let end = w[0].to;
            if end.is_none_or(|e| e > w[1].from) {
                return Err(format!("{v} 在同一时间属于两个片区"));
            }
        }
    }
    Ok(())
}

/// Zone name rules: trimmed, 2–40 characters.
pub fn parse_zone_name(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(DomainError::new("required", "name", "请填写片区名称"));
    }
    if n < 2 {
        return Err(DomainError::new("too_short", "name", "片区名称至少 2 个字"));
    }
    if n > 40 {
        return Err(DomainError::new(
            "too_long",
            "name",
            "片区名称不超过 40 个字",
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TownCode;
    use crate::village::{DivisionKind, VillageStatus};
    use proptest::prelude::*;
    use time::macros::date;

    fn code(n: u32) -> VillageCode {
        VillageCode::parse(&format!("330603105{n:03}")).unwrap()
    }

    fn registry(n: u32) -> HashMap<VillageCode, Division> {
        (1..=n)
            .map(|i| {
                let kind = if i == n {
                    DivisionKind::Community
                } else {
                    DivisionKind::Village
                };
                (
                    code(i),
                    Division {
                        code: code(i),
                        town: TownCode::parse("330603105").unwrap(),
                        name: format!("村{i}"),
                        kind,
                        status: VillageStatus::Active,
                    },
                )
            })
            .collect()
    }

    const DAY: Date = date!(2025 - 03 - 01);

    #[test]
    fn the_key_village_is_always_a_member() {
        let req = MemberRequest {
            key_village: code(1),
            villages: vec![code(2)],
        };
        let ok = validate_members(&req, &registry(5), &Holders::new(), None, DAY).unwrap();
        assert_eq!(ok.villages, vec![code(1), code(2)]);
    }

    #[test]
    fn a_zone_of_one_village_is_refused() {
        let req = MemberRequest {
            key_village: code(1),
            villages: vec![code(1)],
        };
        let errs = validate_members(&req, &registry(5), &Holders::new(), None, DAY).unwrap_err();
        assert!(errs.iter().any(|e| e.code == "too_few_members"));
    }

    #[test]
    fn a_village_held_by_another_zone_is_refused_with_that_zones_name() {
        let mut holders = Holders::new();
        holders.insert(code(2), (ZoneId(7), "棠棣兰花片区".into()));
        let req = MemberRequest {
            key_village: code(1),
            villages: vec![code(2), code(3)],
        };
        let errs = validate_members(&req, &registry(5), &holders, None, DAY).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("棠棣兰花片区"));
        // The zone that holds it may keep it.
        assert!(validate_members(&req, &registry(5), &holders, Some(ZoneId(7)), DAY).is_ok());
    }

    #[test]
    fn communities_unknown_codes_and_duplicates_are_all_reported_together() {
        let req = MemberRequest {
            key_village: code(1),
            villages: vec![code(5), code(99), code(2), code(2)],
        };
        let errs = validate_members(&req, &registry(5), &Holders::new(), None, DAY).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert!(codes.contains(&"not_a_village"));
        assert!(codes.contains(&"unknown_village"));
        assert!(codes.contains(&"duplicate_member"));
    }

    #[test]
    fn a_merged_village_cannot_join_after_its_merger() {
        let mut reg = registry(5);
        reg.get_mut(&code(3)).unwrap().status = VillageStatus::Merged {
            from: date!(2025 - 01 - 01),
            into: code(1),
        };
        let req = MemberRequest {
            key_village: code(1),
            villages: vec![code(3)],
        };
        let errs = validate_members(&req, &reg, &Holders::new(), None, DAY).unwrap_err();
        assert!(errs.iter().any(|e| e.code == "inactive_village"));
    }

    #[test]
    fn changing_the_key_village_closes_and_reopens_both_lines() {
        let current = vec![
            Membership {
                zone: ZoneId(1),
                village: code(1),
                role: MemberRole::Key,
                from: date!(2024 - 01 - 01),
                to: None,
            },
            Membership {
                zone: ZoneId(1),
                village: code(2),
                role: MemberRole::Linked,
                from: date!(2024 - 01 - 01),
                to: None,
            },
        ];
        let target = ValidMembers {
            key_village: code(2),
            villages: vec![code(1), code(2)],
        };
        let ops = membership_changes(&current, &target, DAY);
        assert_eq!(ops.len(), 4);
    }

    #[test]
    fn designations_move_forward_or_exit_only() {
        use DesignationStatus::*;
        assert!(Applied.can_move_to(Recognised));
        assert!(Recognised.can_move_to(Accepted));
        assert!(Accepted.can_move_to(Exited));
        assert!(!Accepted.can_move_to(Applied));
        assert!(!Exited.can_move_to(Recognised));
        assert!(!Applied.can_move_to(Accepted));
    }

    /// Applies ops the way the store does, for the property test below.
    fn apply(history: &mut Vec<Membership>, zone: ZoneId, ops: &[MembershipOp], day: Date) {
        for op in ops {
            match op {
                MembershipOp::Close { village, on } => {
                    for m in history.iter_mut() {
                        if &m.village == village && m.zone == zone && m.to.is_none() {
                            m.to = Some(*on);
                        }
                    }
                }
                MembershipOp::Open { village, role } => history.push(Membership {
                    zone,
                    village: village.clone(),
                    role: *role,
                    from: day,
                    to: None,
                }),
            }
        }
    }

    proptest! {
        /// Random sequences of zone edits that pass validation never put a village in two
        /// zones at once, and every zone keeps its key village and at least two members.
        #[test]
        fn validated_edits_never_double_book_a_village(
            edits in proptest::collection::vec((0i64..4, proptest::collection::vec(1u32..12, 1..6), 0usize..6), 1..40)
        ) {
            let reg = registry(12);
            let mut history: Vec<Membership> = Vec::new();
            let mut day = date!(2024 - 01 - 01);
            for (zone, villages, key_pick) in edits {
                day = day.next_day().unwrap();
                let zone = ZoneId(zone);
                let villages: Vec<VillageCode> = villages.into_iter().map(code).collect();
                let key = villages[key_pick % villages.len()].clone();
                let holders: Holders = history.iter().filter(|m| m.is_current_on(day))
                    .map(|m| (m.village.clone(), (m.zone, format!("片区{}", m.zone))))
                    .collect();
                let req = MemberRequest { key_village: key, villages };
                if let Ok(valid) = validate_members(&req, &reg, &holders, Some(zone), day) {
                    let current: Vec<Membership> = history.iter().filter(|m| m.zone == zone).cloned().collect();
                    let ops = membership_changes(&current, &valid, day);
                    apply(&mut history, zone, &ops, day);
                    let now: Vec<&Membership> = history.iter().filter(|m| m.zone == zone && m.to.is_none()).collect();
                    prop_assert!(now.len() >= 2);
                    prop_assert_eq!(now.iter().filter(|m| m.role == MemberRole::Key).count(), 1);
                }
                prop_assert!(check_history(&history).is_ok());
            }
        }
    }
}
