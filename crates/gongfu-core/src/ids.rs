//! Identifiers that can only hold valid values: statistical division codes (统计用区划代码),
//! data years (数据年度) and zone ids.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// 12-digit statistical code of a village (村委会) or community (居委会).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VillageCode(String);

impl VillageCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if all_digits(t, 12) {
            Ok(VillageCode(t.to_string()))
        } else {
            Err(DomainError::new(
                "invalid_code",
                "village_code",
                format!("村代码「{t}」无效：应为 12 位数字"),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The 9-digit town (乡镇/街道) part of the code.
    pub fn town(&self) -> TownCode {
        TownCode(self.0[..9].to_string())
    }
}

impl TryFrom<String> for VillageCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        VillageCode::parse(&s)
    }
}
impl From<VillageCode> for String {
    fn from(c: VillageCode) -> String {
        c.0
    }
}
impl fmt::Display for VillageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 9-digit statistical code of a town or street (乡镇 / 街道).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TownCode(String);

impl TownCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if all_digits(t, 9) {
            Ok(TownCode(t.to_string()))
        } else {
            Err(DomainError::new(
                "invalid_code",
                "town_code",
                format!("镇街代码「{t}」无效：应为 9 位数字"),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for TownCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        TownCode::parse(&s)
    }
}
impl From<TownCode> for String {
    fn from(c: TownCode) -> String {
        c.0
    }
}
impl fmt::Display for TownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 数据年度: the year a yearly figure belongs to. Bounded so a typo such as 20245 is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct DataYear(i32);

impl DataYear {
    pub const MIN: i32 = 2000;
    pub const MAX: i32 = 2100;
    pub fn new(y: i64) -> Result<Self, DomainError> {
        if (Self::MIN as i64..=Self::MAX as i64).contains(&y) {
            Ok(DataYear(y as i32))
        } else {
            Err(DomainError::new(
                "invalid_year",
                "year",
                format!(
                    "数据年度 {y} 无效：应在 {} 至 {} 之间",
                    Self::MIN,
                    Self::MAX
                ),
            ))
        }
    }
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim().trim_end_matches('年');
        match t.parse::<i64>() {
            Ok(y) => DataYear::new(y),
            Err(_) => Err(DomainError::new(
                "invalid_year",
                "year",
                format!("数据年度「{}」不是整数年份", s.trim()),
            )),
        }
    }
    pub fn get(self) -> i32 {
        self.0
    }
    pub fn previous(self) -> Option<DataYear> {
        DataYear::new(self.0 as i64 - 1).ok()
    }
}
impl TryFrom<i64> for DataYear {
    type Error = DomainError;
    fn try_from(y: i64) -> Result<Self, DomainError> {
        DataYear::new(y)
    }
}
impl From<DataYear> for i64 {
    fn from(y: DataYear) -> i64 {
        y.0 as i64
    }
}
impl fmt::Display for DataYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Database id of a zone (片区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ZoneId(pub i64);

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_twelve_digit_code_is_a_village_code() {
        let c = VillageCode::parse(" 330603105201 ").unwrap();
        assert_eq!(c.as_str(), "330603105201");
        assert_eq!(c.town().as_str(), "330603105");
    }

    #[test]
    fn a_code_with_letters_or_the_wrong_length_is_rejected() {
        assert!(VillageCode::parse("33060310520").is_err());
        assert!(VillageCode::parse("3306031052011").is_err());
        assert!(VillageCode::parse("33060310520a").is_err());
        assert!(TownCode::parse("33060310").is_err());
    }

    #[test]
    fn a_year_outside_the_range_is_rejected_and_a_trailing_nian_is_accepted() {
        assert_eq!(DataYear::parse("2024年").unwrap().get(), 2024);
        assert!(DataYear::parse("20245").is_err());
        assert!(DataYear::parse("abc").is_err());
    }
}
