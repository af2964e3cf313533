//! Actors (主体联合): enterprises, co-operatives, associations, social organisations,
//! financial institutions and state companies taking part in the zones, identified by their
//! unified social credit code (统一社会信用代码, GB 32100-2015) with its check character.

use super::parse_choice;
use crate::DomainError;
use crate::text::bounded_text;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const NAME_MAX: usize = 80;
pub const CONTACT_MAX: usize = 40;
pub const ROLE_MAX: usize = 60;
pub const NOTE_MAX: usize = 2_000;

/// 主体类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// 企业
    Enterprise,
    /// 农民专业合作社
    Cooperative,
    /// 行业协会
    Association,
    /// 社会组织
    SocialOrganisation,
    /// 金融机构
    Financial,
    /// 国有企业
    StateCompany,
    /// 村集体经济组织
    Collective,
}

impl ActorKind {
    pub const ALL: [ActorKind; 7] = [
        ActorKind::Enterprise,
        ActorKind::Cooperative,
        ActorKind::Association,
        ActorKind::SocialOrganisation,
        ActorKind::Financial,
        ActorKind::StateCompany,
        ActorKind::Collective,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ActorKind::Enterprise => "enterprise",
            ActorKind::Cooperative => "cooperative",
            ActorKind::Association => "association",
            ActorKind::SocialOrganisation => "social_org",
            ActorKind::Financial => "financial",
            ActorKind::StateCompany => "state_company",
            ActorKind::Collective => "collective",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ActorKind::Enterprise => "企业",
            ActorKind::Cooperative => "合作社",
            ActorKind::Association => "行业协会",
            ActorKind::SocialOrganisation => "社会组织",
            ActorKind::Financial => "金融机构",
            ActorKind::StateCompany => "国有企业",
            ActorKind::Collective => "村集体经济组织",
        }
    }
    pub fn parse(s: &str) -> Result<ActorKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "主体类型「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
}

/// The 31 characters a credit code is written in (no I, O, S, V, Z), in value order.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// 统一社会信用代码: 18 characters whose last is the check character of the first 17.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// The check character of 17 valid characters.
    fn check_char(body: &[u8]) -> Option<u8> {
        let mut sum = 0u32;
        for (c, w) in body.iter().zip(USCC_WEIGHTS) {
            let v = USCC_CHARS.iter().position(|x| x == c)? as u32;
            sum += v * w;
        }
        let v = (31 - sum % 31) % 31;
        Some(USCC_CHARS[v as usize])
    }

    /// Parses a code typed by a person: spaces removed, letters upper-cased; the length, the
    /// characters, the division digits and the check character are all checked.
    pub fn parse(s: &str) -> Result<CreditCode, DomainError> {
        let code: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let err = |why: String| {
            DomainError::new(
                "invalid_credit_code",
                "credit_code",
                format!("统一社会信用代码「{}」无效：{why}", s.trim()),
            )
        };
        if code.chars().count() != 18 {
            return Err(err(format!("应为 18 位，实际 {} 位", code.chars().count())));
        }
        let bytes = code.as_bytes();
        if let Some(bad) = code
            .chars()
            .find(|c| !c.is_ascii() || !USCC_CHARS.contains(&(*c as u8)))
        {
            return Err(err(format!(
                "含有不允许的字符「{bad}」（不使用 I、O、S、V、Z）"
            )));
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(err("第 3–8 位应为行政区划代码（数字）".into()));
        }
        let expected =
            Self::check_char(&bytes[..17]).ok_or_else(|| err("含有不允许的字符".into()))?;
        if bytes[17] != expected {
            return Err(err(format!(
                "校验位应为「{}」，实际为「{}」，请核对是否抄错",
                expected as char, bytes[17] as char
            )));
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 17 characters with their check character (for generated demo codes).
    pub fn complete(body17: &str) -> Result<CreditCode, DomainError> {
        let bytes = body17.as_bytes();
        let check = (bytes.len() == 17)
            .then(|| Self::check_char(bytes))
            .flatten()
            .ok_or_else(|| {
                DomainError::new("invalid_credit_code", "credit_code", "需要 17 位有效字符")
            })?;
        CreditCode::parse(&format!("{body17}{}", check as char))
    }
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&s).map_err(|e| e.message)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registered actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub kind: ActorKind,
    pub credit_code: CreditCode,
    pub contact_person: String,
    pub phone: String,
    pub address: String,
    pub note: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActorDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorSpec {
    pub name: String,
    pub kind: ActorKind,
    pub credit_code: CreditCode,
    pub contact_person: String,
    pub phone: String,
    pub address: String,
    pub note: String,
}

/// A phone number: digits with optional `+`, `-` and spaces, 5 to 20 of them; empty is none.
pub fn parse_phone(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let shape_ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    if !shape_ok || !(5..=20).contains(&digits) {
        return Err(DomainError::new(
            "invalid_phone",
            "phone",
            format!("联系电话「{t}」无效：应为手机号或带区号的座机号"),
        ));
    }
    Ok(t.to_string())
}

impl ActorDraft {
    pub fn parse(&self) -> Result<ActorSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(
            &self.name,
            "name",
            "主体名称",
            NAME_MAX,
            Some("请填写主体名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let kind = if self.kind.trim().is_empty() {
            errors.push(DomainError::new("required", "kind", "请选择主体类型"));
            None
        } else {
            ActorKind::parse(&self.kind)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let credit_code = if self.credit_code.trim().is_empty() {
            errors.push(DomainError::new(
                "required",
                "credit_code",
                "请填写统一社会信用代码（18 位）",
            ));
            None
        } else {
            CreditCode::parse(&self.credit_code)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let contact_person = bounded_text(
            &self.contact_person,
            "contact_person",
            "联系人",
            CONTACT_MAX,
            None,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let phone = parse_phone(&self.phone).map_err(|e| errors.push(e)).ok();
        let address = bounded_text(&self.address, "address", "地址", NAME_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let note = bounded_text(&self.note, "note", "备注", NOTE_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (
            name,
            kind,
            credit_code,
            contact_person,
            phone,
            address,
            note,
        ) {
            (
                Some(name),
                Some(kind),
                Some(credit_code),
                Some(contact_person),
                Some(phone),
                Some(address),
                Some(note),
            ) if errors.is_empty() => Ok(ActorSpec {
                name,
                kind,
                credit_code,
                contact_person,
                phone,
                address,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// An actor's role in one zone (e.g. 运营主体, 产业龙头, 金融支持).
pub fn parse_zone_role(s: &str) -> Result<String, DomainError> {
    bounded_text(
        s,
        "role",
        "在片区中的角色",
        ROLE_MAX,
        Some("请填写该主体在片区中的角色"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_codes_pass_their_check() {
        for c in [
            "9144030071526726XG",
            "914403001922038216",
            "91330100716105852F",
            "91110000100017643K",
        ] {
            assert_eq!(CreditCode::parse(c).unwrap().as_str(), c);
        }
        // Lower case and spaces are forgiven.
        assert!(CreditCode::parse(" 9144 0300 7152 6726xg ").is_ok());
    }

    #[test]
    fn bad_codes_say_why() {
        let e = CreditCode::parse("9144030071526726XH").unwrap_err();
        assert!(e.message.contains("校验位应为「G」"), "{}", e.message);
        let e = CreditCode::parse("91440300715267").unwrap_err();
        assert!(e.message.contains("18 位"), "{}", e.message);
        let e = CreditCode::parse("9144030071526726OG").unwrap_err();
        assert!(e.message.contains("「O」"), "{}", e.message);
        let e = CreditCode::parse("91A4030071526726XG").unwrap_err();
        assert!(e.message.contains("行政区划"), "{}", e.message);
    }

    #[test]
    fn drafts_check_every_field() {
        let e = ActorDraft {
            phone: "call me".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "credit_code", "phone"]);
    }

    proptest! {
        /// Any single changed character is caught by the check character (a weighted sum
        /// modulo the prime 31 with weights prime to it).
        #[test]
        fn one_wrong_character_is_caught(
            body in prop::collection::vec(0usize..31, 17),
            pos in 0usize..18,
            delta in 1usize..31,
        ) {
            let mut s: Vec<u8> = body.iter().map(|&i| USCC_CHARS[i]).collect();
            for b in &mut s[2..8] {
                *b = b'0' + (*b % 10);
            }
            let good = CreditCode::complete(std::str::from_utf8(&s).unwrap()).unwrap();
            let mut bad = good.as_str().as_bytes().to_vec();
            let i = USCC_CHARS.iter().position(|c| *c == bad[pos]).unwrap();
            bad[pos] = USCC_CHARS[(i + delta) % 31];
            let bad = String::from_utf8(bad).unwrap();
            // Changing a division digit to a letter fails the digit rule instead: still refused.
            prop_assert!(CreditCode::parse(&bad).is_err());
        }
    }
}
