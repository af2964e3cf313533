//! Roles and scopes (角色与权限范围), and the rules that say who may change what. Pure: the
//! store asks these functions before every write, so scope is enforced below the UI.

use crate::{DomainError, TownCode, VillageCode};
use serde::{Deserialize, Serialize};

/// What a person may do, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// 区管理员 (区农业农村局): everything, including accounts, targets and settings.
    Admin,
    /// 部门用户: reads all; edits the records of its mechanisms (later issues).
    Department { unit: String },
    /// 镇街用户: its own town's villages and zones.
    Town { town: TownCode },
    /// 村用户: its own village.
    Village { village: VillageCode },
    /// 运营团队: its own team and the zones it serves.
    Operator { team: String },
    /// 查看 / 审计: reads everything, including the audit log; changes nothing.
    Viewer,
}

impl Role {
    pub fn key(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Department { .. } => "department",
            Role::Town { .. } => "town",
            Role::Village { .. } => "village",
            Role::Operator { .. } => "operator",
            Role::Viewer => "viewer",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Role::Admin => "区管理员",
            Role::Department { .. } => "部门",
            Role::Town { .. } => "镇街",
            Role::Village { .. } => "村",
            Role::Operator { .. } => "运营团队",
            Role::Viewer => "查看/审计",
        }
    }
    /// The scope as stored beside the role key: a town code, a village code, a unit or team
    /// name, or nothing.
    pub fn scope(&self) -> String {
        match self {
            Role::Admin | Role::Viewer => String::new(),
            Role::Department { unit } => unit.clone(),
            Role::Town { town } => town.to_string(),
            Role::Village { village } => village.to_string(),
            Role::Operator { team } => team.clone(),
        }
    }
    /// Rebuilds a role from its stored key and scope.
    pub fn parse(key: &str, scope: &str) -> Result<Role, DomainError> {
        let need = |what: &str| {
            DomainError::new(
                "invalid_scope",
                "scope",
                format!("角色「{key}」需要指定{what}"),
            )
        };
        let scope = scope.trim();
        Ok(match key {
            "admin" => Role::Admin,
            "viewer" => Role::Viewer,
            "department" if !scope.is_empty() => Role::Department {
                unit: scope.to_string(),
            },
            "department" => return Err(need("所属部门")),
            "town" => Role::Town {
                town: TownCode::parse(scope).map_err(|_| need("9 位镇街代码"))?,
            },
            "village" => Role::Village {
                village: VillageCode::parse(scope).map_err(|_| need("12 位村代码"))?,
            },
            "operator" if !scope.is_empty() => Role::Operator {
                team: scope.to_string(),
            },
            "operator" => return Err(need("运营团队名称")),
            other => {
                return Err(DomainError::new(
                    "invalid_role",
                    "role",
                    format!("角色「{other}」无效"),
                ));
            }
        })
    }
}

/// Why a write was refused: shown to the user as is.
pub fn forbidden(what: &str) -> DomainError {
    DomainError::new("forbidden", "", format!("无权操作：{what}"))
}

/// Whether `role` may change district-wide things: targets, settings, tiers, accounts.
pub fn may_administer(role: &Role) -> bool {
    matches!(role, Role::Admin)
}

/// Whether `role` may change a village's own facts (figures, tags, boundary).
pub fn may_edit_village(role: &Role, village: &VillageCode) -> bool {
    match role {
        Role::Admin => true,
        Role::Town { town } => village.town() == *town,
        Role::Village { village: own } => own == village,
        _ => false,
    }
}

/// Whether `role` may form or change a zone whose members (before and after the change) lie
/// in `towns`. A town user may only touch zones entirely inside its town; cross-town zones
/// are the district's.
pub fn may_edit_zone<'a>(role: &Role, towns: impl IntoIterator<Item = &'a TownCode>) -> bool {
    match role {
        Role::Admin => true,
        Role::Town { town } => towns.into_iter().all(|t| t == town),
        _ => false,
    }
}

/// Password rules: at least 10 characters, not only digits, not the user name.
pub fn check_password(username: &str, password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    let err = |m: &str| DomainError::new("weak_password", "password", m.to_string());
    if n < 10 {
        return Err(err("密码至少 10 个字符"));
    }
    if n > 200 {
        return Err(err("密码不超过 200 个字符"));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(err("密码不能全是数字"));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(err("密码不能与用户名相同"));
    }
    Ok(())
}

/// User names: 3–32 ASCII letters, digits, `.`, `_` or `-`.
pub fn parse_username(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    let ok = (3..=32).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if ok {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(DomainError::new(
            "invalid_username",
            "username",
            "用户名应为 3–32 位字母、数字或 . _ -",
        ))
    }
}

/// Sign-in throttling: how long to make the next attempt wait after `failures` consecutive
/// failures, and when to lock the account instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures after which the account is locked.
    pub lock_after: u32,
    /// Lock duration, seconds.
    pub lock_seconds: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            lock_after: 5,
            lock_seconds: 15 * 60,
        }
    }
}

impl Throttle {
    /// Delay before answering a failed attempt: grows with each failure, capped at 2 s.
    pub fn delay_ms(&self, failures: u32) -> u64 {
        (failures as u64 * 400).min(2_000)
    }
    pub fn locks(&self, failures: u32) -> bool {
        failures >= self.lock_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn town(c: &str) -> TownCode {
        TownCode::parse(c).unwrap()
    }
    fn village(c: &str) -> VillageCode {
        VillageCode::parse(c).unwrap()
    }

    #[test]
    fn a_town_user_edits_only_its_own_villages_and_zones() {
        let r = Role::Town {
            town: town("330603105"),
        };
        assert!(may_edit_village(&r, &village("330603105209")));
        assert!(!may_edit_village(&r, &village("330603107209")));
        assert!(may_edit_zone(&r, [&town("330603105")]));
        assert!(!may_edit_zone(&r, [&town("330603105"), &town("330603107")]));
        assert!(!may_administer(&r));
    }

    #[test]
    fn a_village_user_edits_only_its_village_and_no_zone() {
        let r = Role::Village {
            village: village("330603105209"),
        };
        assert!(may_edit_village(&r, &village("330603105209")));
        assert!(!may_edit_village(&r, &village("330603105210")));
        assert!(!may_edit_zone(&r, [&town("330603105")]));
    }

    #[test]
    fn viewers_and_departments_change_nothing_here() {
        for r in [
            Role::Viewer,
            Role::Department {
                unit: "区自然资源分局".into(),
            },
        ] {
            assert!(!may_edit_village(&r, &village("330603105209")));
            assert!(!may_edit_zone(&r, [&town("330603105")]));
            assert!(!may_administer(&r));
        }
    }

    #[test]
    fn roles_round_trip_through_key_and_scope_and_bad_scopes_are_refused() {
        for r in [
            Role::Admin,
            Role::Viewer,
            Role::Town {
                town: town("330603105"),
            },
            Role::Village {
                village: village("330603105209"),
            },
            Role::Department {
                unit: "组织部".into(),
            },
            Role::Operator {
                team: "竹韵文旅".into(),
            },
        ] {
            assert_eq!(Role::parse(r.key(), &r.scope()).unwrap(), r);
        }
        assert!(Role::parse("town", "").is_err());
        assert!(Role::parse("village", "33060310520").is_err());
        assert!(Role::parse("root", "").is_err());
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert!(check_password("zhang", "short").is_err());
        assert!(check_password("zhang", "1234567890").is_err());
        assert!(check_password("zhangsan01", "ZHANGSAN01").is_err());
        assert!(check_password("zhang", "柯桥共富2025年度").is_ok());
    }

    #[test]
    fn usernames_are_ascii_and_lowercased() {
        assert_eq!(parse_username(" Admin ").unwrap(), "admin");
        assert!(parse_username("张三").is_err());
        assert!(parse_username("ab").is_err());
    }

    #[test]
    fn throttling_slows_then_locks() {
        let t = Throttle::default();
        assert_eq!(t.delay_ms(0), 0);
        assert!(t.delay_ms(2) < t.delay_ms(3));
        assert_eq!(t.delay_ms(100), 2_000);
        assert!(!t.locks(4));
        assert!(t.locks(5));
    }
}
