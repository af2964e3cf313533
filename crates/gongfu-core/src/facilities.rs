//! Shared facilities (设施共通): the registry of public-service and production facilities
//! (type, status, location, capacity, the unit responsible for upkeep 管护责任单位), the
//! infrastructure checklist per village (一片一标准: public transport, water, power, gas,
//! network), and service coverage — the share of the population within reach of an open
//! facility of a type.
//!
//! Pure: parsers turn user text into these types once, at the edge; the rules and the
//! coverage computation are plain functions over plain data.
//!
//! **Assumptions, stated wherever coverage is shown:**
//! - Distances are great-circle (haversine) distances on the WGS84 mean sphere between the
//!   village seat (村委会驻地) and the facility, not road distances.
//! - A reach given in minutes becomes a straight-line radius: minutes / 60 × speed (km/h) ×
//!   1000 / detour, where the detour factor (default [`DEFAULT_DETOUR`] = 1.3) is how much
//!   longer the road is than the straight line.
//! - We do not store ages. Elderly demand is [`ELDERLY_SHARE_BP`] (22 %) of the registered
//!   population, children's demand [`CHILDREN_SHARE_BP`] (12 %).

use crate::text::bounded_text;
use crate::{DataYear, DomainError, VillageCode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Share of the registered population counted as elderly (60 and over) for elderly-care
/// coverage, in basis points: 22 %. An assumption (Zhejiang's rural ageing is about this),
/// because the platform stores no ages.
pub const ELDERLY_SHARE_BP: i64 = 2_200;
/// Share of the registered population counted as children (0–14) for childcare and school
/// coverage, in basis points: 12 %. An assumption, as above.
pub const CHILDREN_SHARE_BP: i64 = 1_200;
/// Road distance over straight-line distance assumed when a reach is given in minutes.
pub const DEFAULT_DETOUR: f64 = 1.3;
/// Mean Earth radius of WGS84 (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// A facility's own point may lie at most this far from the seat of its village: a larger
/// distance is almost always swapped or mistyped coordinates.
pub const MAX_FROM_VILLAGE_M: f64 = 25_000.0;
/// Longest facility name, upkeep unit and gap note, in characters.
pub const NAME_MAX: usize = 60;
pub const UPKEEP_MAX: usize = 60;
pub const NOTE_MAX: usize = 2_000;
pub const GAP_MAX: usize = 500;
/// Largest capacity accepted (a typo guard, not a rule of the world).
pub const CAPACITY_MAX: i64 = 10_000_000;

/// Whose needs a facility type serves, for coverage: everyone, the elderly or children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Demand {
    All,
    Elderly,
    Children,
}

impl Demand {
    pub fn as_str(self) -> &'static str {
        match self {
            Demand::All => "all",
            Demand::Elderly => "elderly",
            Demand::Children => "children",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Demand::All => "户籍人口",
            Demand::Elderly => "老年人口",
            Demand::Children => "儿童",
        }
    }
    /// Share of the registered population this demand counts, in basis points.
    pub fn share_bp(self) -> i64 {
        match self {
            Demand::All => 10_000,
            Demand::Elderly => ELDERLY_SHARE_BP,
            Demand::Children => CHILDREN_SHARE_BP,
        }
    }
    /// The people of a village this demand counts, rounded to whole persons.
    pub fn weight(self, population: i64) -> i64 {
        let p = population.max(0);
        (p * self.share_bp() + 5_000) / 10_000
    }
    /// How the demand is counted, in Chinese, for the `method` line.
    pub fn explain(self) -> String {
        match self {
            Demand::All => "需求按户籍人口计".to_string(),
            Demand::Elderly => format!(
                "需求按老年人口计，平台不存年龄，按户籍人口的 {}% 估算",
                ELDERLY_SHARE_BP / 100
            ),
            Demand::Children => format!(
                "需求按儿童计，平台不存年龄，按户籍人口的 {}% 估算",
                CHILDREN_SHARE_BP / 100
            ),
        }
    }
}

/// Facility type (设施类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityType {
    /// 医共体/卫生服务站点
    Clinic,
    /// 养老服务
    ElderlyCare,
    /// 托育
    Childcare,
    /// 学校
    School,
    /// 文化礼堂/文化设施
    Culture,
    /// 便民服务中心/邻里中心
    ServiceCentre,
    /// 农贸市场
    FarmersMarket,
    /// 农业社会化服务中心
    AgriService,
    /// 农产品加工
    Processing,
    /// 冷链物流
    ColdChain,
}

impl FacilityType {
    pub const ALL: [FacilityType; 10] = [
        FacilityType::Clinic,
        FacilityType::ElderlyCare,
        FacilityType::Childcare,
        FacilityType::School,
        FacilityType::Culture,
        FacilityType::ServiceCentre,
        FacilityType::FarmersMarket,
        FacilityType::AgriService,
        FacilityType::Processing,
        FacilityType::ColdChain,
    ];
    pub fn key(self) -> &'static str {
        match self {
            FacilityType::Clinic => "clinic",
            FacilityType::ElderlyCare => "elderly_care",
            FacilityType::Childcare => "childcare",
            FacilityType::School => "school",
            FacilityType::Culture => "culture",
            FacilityType::ServiceCentre => "service_centre",
            FacilityType::FarmersMarket => "farmers_market",
            FacilityType::AgriService => "agri_service",
            FacilityType::Processing => "processing",
            FacilityType::ColdChain => "cold_chain",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FacilityType::Clinic => "医共体/卫生服务站点",
            FacilityType::ElderlyCare => "养老服务",
            FacilityType::Childcare => "托育",
            FacilityType::School => "学校",
            FacilityType::Culture => "文化礼堂/文化设施",
            FacilityType::ServiceCentre => "便民服务中心/邻里中心",
            FacilityType::FarmersMarket => "农贸市场",
            FacilityType::AgriService => "农业社会化服务中心",
            FacilityType::Processing => "农产品加工",
            FacilityType::ColdChain => "冷链物流",
        }
    }
    /// Whose needs it serves.
    pub fn demand(self) -> Demand {
        match self {
            FacilityType::ElderlyCare => Demand::Elderly,
            FacilityType::Childcare | FacilityType::School => Demand::Children,
            _ => Demand::All,
        }
    }
    /// A public service (公共服务, laid out as hub + service points) rather than a shared
    /// production facility (共享生产设施).
    pub fn is_public_service(self) -> bool {
        !matches!(
            self,
            FacilityType::AgriService | FacilityType::Processing | FacilityType::ColdChain
        )
    }
    pub fn category_label(self) -> &'static str {
        if self.is_public_service() {
            "公共服务"
        } else {
            "共享生产设施"
        }
    }
    /// What the capacity counts, for a label next to the number.
    pub fn capacity_unit(self) -> &'static str {
        match self {
            FacilityType::Clinic | FacilityType::ElderlyCare => "床位",
            FacilityType::Childcare => "托位",
            FacilityType::School => "学位",
            FacilityType::Culture => "座位",
            FacilityType::ServiceCentre => "服务窗口",
            FacilityType::FarmersMarket => "摊位",
            FacilityType::AgriService => "服务面积（亩）",
            FacilityType::Processing => "年加工能力（吨）",
            FacilityType::ColdChain => "库容（吨）",
        }
    }
    /// Accepts the key (`clinic`), the full label (`医共体/卫生服务站点`) or one part of it
    /// (`文化礼堂`, `邻里中心`).
    pub fn parse(s: &str) -> Result<FacilityType, DomainError> {
        let t = s.trim();
        FacilityType::ALL
            .into_iter()
            .find(|x| x.key() == t || x.label() == t || x.label().split('/').any(|p| p == t))
            .ok_or_else(|| {
                let all: Vec<&str> = FacilityType::ALL.iter().map(|x| x.label()).collect();
                DomainError::new(
                    "invalid_type",
                    "type",
                    if t.is_empty() {
                        "请选择设施类型".to_string()
                    } else {
                        format!("设施类型「{t}」无效：应为 {}", all.join("、"))
                    },
                )
            })
    }
}

impl fmt::Display for FacilityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Facility status (设施状态): 规划 → 在建 → 运行, and 停用.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityStatus {
    Planned,
    Building,
    Open,
    Closed,
}

impl FacilityStatus {
    pub const ALL: [FacilityStatus; 4] = [
        FacilityStatus::Planned,
        FacilityStatus::Building,
        FacilityStatus::Open,
        FacilityStatus::Closed,
    ];
    pub fn key(self) -> &'static str {
        match self {
            FacilityStatus::Planned => "planned",
            FacilityStatus::Building => "building",
            FacilityStatus::Open => "open",
            FacilityStatus::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FacilityStatus::Planned => "规划",
            FacilityStatus::Building => "在建",
            FacilityStatus::Open => "运行",
            FacilityStatus::Closed => "停用",
        }
    }
    pub fn parse(s: &str) -> Result<FacilityStatus, DomainError> {
        let t = s.trim();
        FacilityStatus::ALL
            .into_iter()
            .find(|x| x.key() == t || x.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_status",
                    "status",
                    format!("设施状态「{t}」无效：应为 规划、在建、运行 或 停用"),
                )
            })
    }
    /// The allowed moves: 规划 → 在建 / 运行 / 停用 (shelved); 在建 → 运行 / 停用;
    /// 运行 → 停用; 停用 → 运行 (reopened). Nothing goes back to 规划 or 在建 once it
    /// has been built or opened, and staying put is not a move.
    pub fn can_move_to(self, next: FacilityStatus) -> bool {
        use FacilityStatus::*;
        matches!(
            (self, next),
            (Planned, Building | Open | Closed)
                | (Building, Open | Closed)
                | (Open, Closed)
                | (Closed, Open)
        )
    }
    /// Checks a move and explains a refusal in Chinese, naming the facility.
    pub fn check_move(self, next: FacilityStatus, facility: &str) -> Result<(), DomainError> {
        if self.can_move_to(next) {
            return Ok(());
        }
        let allowed: Vec<&str> = FacilityStatus::ALL
            .into_iter()
            .filter(|s| self.can_move_to(*s))
            .map(|s| s.label())
            .collect();
        let message = if self == next {
            format!("设施「{facility}」已是「{}」状态", self.label())
        } else {
            format!(
                "设施「{facility}」的状态不能从「{}」改为「{}」：「{}」只能改为 {}",
                self.label(),
                next.label(),
                self.label(),
                allowed.join("、")
            )
        };
        Err(DomainError::new("invalid_transition", "status", message))
    }
    /// Counted in today's coverage.
    pub fn serves(self) -> bool {
        self == FacilityStatus::Open
    }
    /// Will serve once finished (counted when planned coverage is asked for).
    pub fn is_pipeline(self) -> bool {
        matches!(self, FacilityStatus::Planned | FacilityStatus::Building)
    }
}

impl fmt::Display for FacilityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An infrastructure item of the per-zone standard (一片一标准).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfraItem {
    PublicTransport,
    Water,
    Power,
    Gas,
    Network,
}

impl InfraItem {
    pub const ALL: [InfraItem; 5] = [
        InfraItem::PublicTransport,
        InfraItem::Water,
        InfraItem::Power,
        InfraItem::Gas,
        InfraItem::Network,
    ];
    pub fn key(self) -> &'static str {
        match self {
            InfraItem::PublicTransport => "public_transport",
            InfraItem::Water => "water",
            InfraItem::Power => "power",
            InfraItem::Gas => "gas",
            InfraItem::Network => "network",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InfraItem::PublicTransport => "公交",
            InfraItem::Water => "供水",
            InfraItem::Power => "供电",
            InfraItem::Gas => "燃气",
            InfraItem::Network => "网络",
        }
    }
    pub fn parse(s: &str) -> Result<InfraItem, DomainError> {
        let t = s.trim();
        InfraItem::ALL
            .into_iter()
            .find(|x| x.key() == t || x.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_item",
                    "item",
                    format!("基础设施项目「{t}」无效：应为 公交、供水、供电、燃气 或 网络"),
                )
            })
    }
}

/// A village's compliance with one item of the standard. "Not yet assessed" is the absence
/// of a record, never a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    Compliant,
    NonCompliant,
    NotApplicable,
}

impl Compliance {
    pub const ALL: [Compliance; 3] = [
        Compliance::Compliant,
        Compliance::NonCompliant,
        Compliance::NotApplicable,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Compliance::Compliant => "compliant",
            Compliance::NonCompliant => "non_compliant",
            Compliance::NotApplicable => "not_applicable",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Compliance::Compliant => "达标",
            Compliance::NonCompliant => "未达标",
            Compliance::NotApplicable => "不适用",
        }
    }
    pub fn parse(s: &str) -> Result<Compliance, DomainError> {
        let t = s.trim();
        Compliance::ALL
            .into_iter()
            .find(|x| x.key() == t || x.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_status",
                    "status",
                    format!("达标情况「{t}」无效：应为 达标、未达标 或 不适用"),
                )
            })
    }
}

/// A gap note (差距说明): trimmed, at most [`GAP_MAX`] characters, and required when the
/// village does not comply — a gap nobody describes cannot be closed.
pub fn parse_gap(status: Compliance, gap: &str) -> Result<String, DomainError> {
    let g = gap.trim();
    if g.chars().count() > GAP_MAX {
        return Err(DomainError::new(
            "too_long",
            "gap",
            format!("差距说明不超过 {GAP_MAX} 个字"),
        ));
    }
    if status == Compliance::NonCompliant && g.is_empty() {
        return Err(DomainError::new(
            "required",
            "gap",
            "未达标时请填写差距说明（缺什么、差多少）",
        ));
    }
    Ok(g.to_string())
}

/// One village's record for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfraRecord {
    pub item: InfraItem,
    pub status: Compliance,
    pub gap: String,
    pub version: i64,
}

/// A facility as the registry holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: FacilityType,
    pub name: String,
    pub village: VillageCode,
    /// The facility's own point (WGS84 degrees); `None` means the seat of its village.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub capacity: Option<i64>,
    pub status: FacilityStatus,
    pub opening_year: Option<DataYear>,
    /// 管护责任单位: who keeps it up; never empty.
    pub upkeep_unit: String,
    pub note: String,
    pub version: i64,
}

impl Facility {
    pub fn spec(&self) -> FacilitySpec {
        FacilitySpec {
            kind: self.kind,
            name: self.name.clone(),
            village: self.village.clone(),
            point: self.lon.zip(self.lat),
            capacity: self.capacity,
            status: self.status,
            opening_year: self.opening_year,
            upkeep_unit: self.upkeep_unit.clone(),
            note: self.note.clone(),
        }
    }
}

/// What a user asks a facility to be, every field checked ([`FacilityDraft::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FacilitySpec {
    pub kind: FacilityType,
    pub name: String,
    pub village: VillageCode,
    /// (lon, lat) in degrees, or `None` for the village's seat.
    pub point: Option<(f64, f64)>,
    pub capacity: Option<i64>,
    pub status: FacilityStatus,
    pub opening_year: Option<DataYear>,
    pub upkeep_unit: String,
    pub note: String,
}

/// A facility as it arrives from a form or the API, before anything is checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FacilityDraft {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(alias = "village", default)]
    pub village_code: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub capacity: Option<i64>,
    /// Defaults to 规划 when absent.
    pub status: Option<String>,
    pub opening_year: Option<i64>,
    #[serde(default)]
    pub upkeep_unit: String,
    #[serde(default)]
    pub note: String,
}

impl FacilityDraft {
    /// Checks every field and reports every problem at once.
    pub fn parse(&self) -> Result<FacilitySpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let kind = FacilityType::parse(&self.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let name = parse_facility_name(&self.name)
            .map_err(|e| errors.push(e))
            .ok();
        let village = VillageCode::parse(&self.village_code)
            .map_err(|mut e| {
                if self.village_code.trim().is_empty() {
                    e.code = "required";
                    e.message = "请选择设施所在村".into();
                }
                errors.push(e)
            })
            .ok();
        let point = parse_point(self.lon, self.lat)
            .map_err(|e| errors.push(e))
            .ok();
        let capacity = self
            .capacity
            .map(parse_capacity)
            .transpose()
            .map_err(|e| errors.push(e))
            .ok();
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Some(FacilityStatus::Planned),
            Some(s) => FacilityStatus::parse(s).map_err(|e| errors.push(e)).ok(),
        };
        let opening_year = self
            .opening_year
            .map(|y| {
                DataYear::new(y).map_err(|mut e| {
                    e.field = "opening_year".into();
                    e.message = format!(
                        "开办年份 {y} 无效：应在 {} 至 {} 之间",
                        DataYear::MIN,
                        DataYear::MAX
                    );
                    e
                })
            })
            .transpose()
            .map_err(|e| errors.push(e))
            .ok();
        let upkeep_unit = parse_upkeep_unit(&self.upkeep_unit)
            .map_err(|e| errors.push(e))
            .ok();
        let note = parse_note(&self.note).map_err(|e| errors.push(e)).ok();
        match (
            kind,
            name,
            village,
            point,
            capacity,
            status,
            opening_year,
            upkeep_unit,
            note,
        ) {
            (
                Some(kind),
                Some(name),
                Some(village),
                Some(point),
                Some(capacity),
                Some(status),
                Some(opening_year),
                Some(upkeep_unit),
                Some(note),
            ) if errors.is_empty() => Ok(FacilitySpec {
                kind,
                name,
                village,
                point,
                capacity,
                status,
                opening_year,
                upkeep_unit,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// 设施名称: trimmed, not empty, at most [`NAME_MAX`] characters.
pub fn parse_facility_name(s: &str) -> Result<String, DomainError> {
    bounded_text(s, "name", "设施名称", NAME_MAX, Some("请填写设施名称"))
}

/// 管护责任单位: required — every facility has someone who keeps it up.
pub fn parse_upkeep_unit(s: &str) -> Result<String, DomainError> {
    bounded_text(
        s,
        "upkeep_unit",
        "管护责任单位",
        UPKEEP_MAX,
        Some("请填写管护责任单位（如「XX镇人民政府」「XX村股份经济合作社」）"),
    )
}

pub fn parse_note(s: &str) -> Result<String, DomainError> {
    bounded_text(s, "note", "备注", NOTE_MAX, None)
}

/// 容量: a whole number from 0 to [`CAPACITY_MAX`].
pub fn parse_capacity(n: i64) -> Result<i64, DomainError> {
    if n < 0 {
        return Err(DomainError::new(
            "out_of_range",
            "capacity",
            "容量不能为负数",
        ));
    }
    if n > CAPACITY_MAX {
        return Err(DomainError::new(
            "out_of_range",
            "capacity",
            format!("容量 {n} 过大：不超过 {CAPACITY_MAX}"),
        ));
    }
    Ok(n)
}

/// Longitude and latitude in WGS84 degrees: both or neither (neither: the village's seat).
pub fn parse_point(lon: Option<f64>, lat: Option<f64>) -> Result<Option<(f64, f64)>, DomainError> {
    match (lon, lat) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(DomainError::new(
            "required",
            "lat",
            "已填经度，请同时填写纬度（或两者都不填，默认取所在村的位置）",
        )),
        (None, Some(_)) => Err(DomainError::new(
            "required",
            "lon",
            "已填纬度，请同时填写经度（或两者都不填，默认取所在村的位置）",
        )),
        (Some(x), Some(y)) => {
            if !x.is_finite() || !(-180.0..=180.0).contains(&x) {
                return Err(DomainError::new(
                    "out_of_range",
                    "lon",
                    format!("经度 {x} 无效：应在 -180 至 180 之间（WGS84 度）"),
                ));
            }
            if !y.is_finite() || !(-90.0..=90.0).contains(&y) {
                return Err(DomainError::new(
                    "out_of_range",
                    "lat",
                    format!("纬度 {y} 无效：应在 -90 至 90 之间（WGS84 度）"),
                ));
            }
            Ok(Some((x, y)))
        }
    }
}

/// Refuses a facility point implausibly far from the seat of its village
/// ([`MAX_FROM_VILLAGE_M`]): swapped or mistyped coordinates.
pub fn check_near_village(
    point: (f64, f64),
    village_point: (f64, f64),
    village_name: &str,
) -> Result<(), DomainError> {
    let d = haversine_m(point, village_point);
    if d > MAX_FROM_VILLAGE_M {
        return Err(DomainError::new(
            "too_far",
            "lon",
            format!(
                "坐标（{:.5}, {:.5}）距「{village_name}」约 {:.1} 公里，超过 {} 公里：请核对经纬度是否填反或填错",
                point.0,
                point.1,
                d / 1000.0,
                MAX_FROM_VILLAGE_M / 1000.0
            ),
        ));
    }
    Ok(())
}

/// Great-circle distance in metres between two (lon, lat) points in degrees (haversine on
/// the WGS84 mean sphere).
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (phi1, phi2) = (a.1.to_radians(), b.1.to_radians());
    let dphi = phi2 - phi1;
    let dlambda = (b.0 - a.0).to_radians();
    let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// How far a service reaches, as a straight-line radius.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reach {
    /// A straight-line radius in metres.
    Metres(f64),
    /// Minutes of travel at `speed_kmh`, with roads `detour` times longer than the straight
    /// line: radius = minutes / 60 × speed × 1000 / detour.
    Minutes {
        minutes: f64,
        speed_kmh: f64,
        detour: f64,
    },
}

impl Reach {
    /// A radius in metres, from 1 m to 100 km.
    pub fn metres(m: f64) -> Result<Reach, DomainError> {
        if !m.is_finite() || m <= 0.0 || m > 100_000.0 {
            return Err(DomainError::new(
                "out_of_range",
                "radius_m",
                format!("服务半径 {m} 米无效：应大于 0 且不超过 100000 米"),
            ));
        }
        Ok(Reach::Metres(m))
    }
    /// Minutes (up to 4 h) at a speed (up to 200 km/h) with a detour factor from 1 to 3
    /// ([`DEFAULT_DETOUR`] when `None`).
    pub fn minutes(
        minutes: f64,
        speed_kmh: f64,
        detour: Option<f64>,
    ) -> Result<Reach, DomainError> {
        let detour = detour.unwrap_or(DEFAULT_DETOUR);
        if !minutes.is_finite() || minutes <= 0.0 || minutes > 240.0 {
            return Err(DomainError::new(
                "out_of_range",
                "minutes",
                format!("时间 {minutes} 分钟无效：应大于 0 且不超过 240 分钟"),
            ));
        }
        if !speed_kmh.is_finite() || speed_kmh <= 0.0 || speed_kmh > 200.0 {
            return Err(DomainError::new(
                "out_of_range",
                "speed_kmh",
                format!("速度 {speed_kmh} 公里/小时无效：应大于 0 且不超过 200"),
            ));
        }
        if !detour.is_finite() || !(1.0..=3.0).contains(&detour) {
            return Err(DomainError::new(
                "out_of_range",
                "detour",
                format!("绕行系数 {detour} 无效：应在 1 至 3 之间（道路距离 / 直线距离）"),
            ));
        }
        Ok(Reach::Minutes {
            minutes,
            speed_kmh,
            detour,
        })
    }
    /// The straight-line radius, metres.
    pub fn radius_m(self) -> f64 {
        match self {
            Reach::Metres(m) => m,
            Reach::Minutes {
                minutes,
                speed_kmh,
                detour,
            } => minutes / 60.0 * speed_kmh * 1000.0 / detour,
        }
    }
    /// The assumption in words, to show beside every coverage number.
    pub fn explain(self) -> String {
        match self {
            Reach::Metres(m) => format!(
                "按直线距离计：村委会驻地与设施的球面直线距离（WGS84）不超过 {} 米即视为覆盖，未考虑道路绕行",
                trim_number(m)
            ),
            Reach::Minutes {
                minutes,
                speed_kmh,
                detour,
            } => format!(
                "按 {} 分钟、时速 {} 公里、绕行系数 {}（道路距离约为直线距离的 {} 倍）折算为直线半径 {} 米：半径 = 分钟 ÷ 60 × 时速 × 1000 ÷ 绕行系数；村委会驻地与设施的球面直线距离不超过该半径即视为覆盖",
                trim_number(minutes),
                trim_number(speed_kmh),
                trim_number(detour),
                trim_number(detour),
                self.radius_m().round()
            ),
        }
    }
}

/// `1000` for 1000.0, `1.3` for 1.3.
fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One place with people to serve: a village seat and its weight (persons counted).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    pub village: VillageCode,
    pub lon: f64,
    pub lat: f64,
    pub weight: i64,
}

/// What coverage found for one demand point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointCoverage {
    pub covered: bool,
    /// Distance to the nearest site, metres; `None` when there is no site.
    pub nearest_m: Option<f64>,
    /// Index of the nearest site in the `sites` given.
    pub nearest_site: Option<usize>,
}

/// A demand point beyond reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncovered {
    pub village: VillageCode,
    pub weight: i64,
    pub nearest_m: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoverageResult {
    pub radius_m: f64,
    pub covered_weight: i64,
    pub total_weight: i64,
    /// covered / total in basis points (10000 = 100 %), rounded down; 0 without demand.
    pub share_bp: i64,
    /// Per demand point, in the order given.
    pub points: Vec<PointCoverage>,
    /// The demand points beyond reach, farthest from any site first (no site at all first),
    /// then by village code.
    pub uncovered: Vec<Uncovered>,
}

/// covered / total in basis points, rounded down; 0 when total is 0.
pub fn share_bp(covered: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        ((covered as i128 * 10_000) / total as i128) as i64
    }
}

/// Nearest-site search: sites sorted by latitude, scanned outwards from the query's
/// latitude until the latitude gap alone (a lower bound of the great-circle distance) is
/// beyond the best distance found. Exact, and fast when sites are spread out.
struct NearestIndex {
    /// (lat in radians, lon, lat, index in the caller's list), by latitude.
    sorted: Vec<(f64, (f64, f64), usize)>,
}

impl NearestIndex {
    fn new(sites: &[(f64, f64)]) -> NearestIndex {
        let mut sorted: Vec<(f64, (f64, f64), usize)> = sites
            .iter()
            .enumerate()
            .map(|(i, &p)| (p.1.to_radians(), p, i))
            .collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        NearestIndex { sorted }
    }

    /// (distance, site index) of the nearest site; ties go to the lower index.
    fn nearest(&self, p: (f64, f64)) -> Option<(f64, usize)> {
        if self.sorted.is_empty() {
            return None;
        }
        let phi = p.1.to_radians();
        let start = self.sorted.partition_point(|s| s.0 < phi);
        let mut best: Option<(f64, usize)> = None;
        let better = |d: f64, i: usize, best: &Option<(f64, usize)>| match best {
            None => true,
            Some((bd, bi)) => d < *bd || (d == *bd && i < *bi),
        };
        // The latitude gap bounds the distance from below; the margin absorbs rounding so
        // the search never stops before a site the brute force would call nearer.
        let beyond = |gap: f64, best: &Option<(f64, usize)>| match best {
            None => false,
            Some((bd, _)) => EARTH_RADIUS_M * gap * (1.0 - 1e-9) > *bd + 1e-6,
        };
        let (mut up, mut down) = (start, start);
        loop {
            let mut moved = false;
            if up < self.sorted.len() {
                let (slat, sp, si) = self.sorted[up];
                if beyond(slat - phi, &best) {
                    up = self.sorted.len();
                } else {
                    let d = haversine_m(p, sp);
                    if better(d, si, &best) {
                        best = Some((d, si));
                    }
                    up += 1;
                    moved = true;
                }
            }
            if down > 0 {
                let (slat, sp, si) = self.sorted[down - 1];
                if beyond(phi - slat, &best) {
                    down = 0;
                } else {
                    let d = haversine_m(p, sp);
                    if better(d, si, &best) {
                        best = Some((d, si));
                    }
                    down -= 1;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        best
    }
}

/// Service coverage: which demand points have a site within `reach` (great-circle distance
/// at most the reach's radius), the covered and total weight, and the points beyond reach
/// with their distance to the nearest site. `sites` are (lon, lat) of the facilities that
/// count (the caller picks them, usually the open ones of one type).
pub fn service_coverage(
    demand: &[DemandPoint],
    sites: &[(f64, f64)],
    reach: Reach,
) -> CoverageResult {
    let radius = reach.radius_m();
    let index = NearestIndex::new(sites);
    let mut covered_weight = 0i64;
    let mut total_weight = 0i64;
    let mut points = Vec::with_capacity(demand.len());
    let mut uncovered = Vec::new();
    for d in demand {
        let w = d.weight.max(0);
        total_weight += w;
        let nearest = index.nearest((d.lon, d.lat));
        let covered = nearest.is_some_and(|(dist, _)| dist <= radius);
        if covered {
            covered_weight += w;
        } else {
            uncovered.push(Uncovered {
                village: d.village.clone(),
                weight: w,
                nearest_m: nearest.map(|(dist, _)| dist),
            });
        }
        points.push(PointCoverage {
            covered,
            nearest_m: nearest.map(|(dist, _)| dist),
            nearest_site: nearest.map(|(_, i)| i),
        });
    }
    uncovered.sort_by(|a, b| {
        let key = |u: &Uncovered| u.nearest_m.unwrap_or(f64::INFINITY);
        key(b).total_cmp(&key(a)).then(a.village.cmp(&b.village))
    });
    CoverageResult {
        radius_m: radius,
        covered_weight,
        total_weight,
        share_bp: share_bp(covered_weight, total_weight),
        points,
        uncovered,
    }
}

/// One item of a zone's infrastructure checklist: which villages comply, which do not (with
/// their gaps), which the item does not apply to, and which nobody assessed yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistItem {
    pub item: InfraItem,
    pub compliant: Vec<VillageCode>,
    /// Villages that fall short, each with its gap note.
    pub non_compliant: Vec<(VillageCode, String)>,
    pub not_applicable: Vec<VillageCode>,
    pub unknown: Vec<VillageCode>,
}

impl ChecklistItem {
    /// Every village that applies complies (不适用 does not count against the standard;
    /// unknown does).
    pub fn meets_standard(&self) -> bool {
        self.non_compliant.is_empty() && self.unknown.is_empty()
    }
}

/// The checklist of a set of villages (a zone's members), one entry per item in
/// [`InfraItem::ALL`] order; villages keep the order given.
pub fn infra_checklist<'a>(
    villages: &[VillageCode],
    records_of: impl Fn(&VillageCode) -> &'a [InfraRecord],
) -> Vec<ChecklistItem> {
    InfraItem::ALL
        .into_iter()
        .map(|item| {
            let mut c = ChecklistItem {
                item,
                compliant: Vec::new(),
                non_compliant: Vec::new(),
                not_applicable: Vec::new(),
                unknown: Vec::new(),
            };
            for v in villages {
                match records_of(v).iter().find(|r| r.item == item) {
                    None => c.unknown.push(v.clone()),
                    Some(r) => match r.status {
                        Compliance::Compliant => c.compliant.push(v.clone()),
                        Compliance::NonCompliant => {
                            c.non_compliant.push((v.clone(), r.gap.clone()))
                        }
                        Compliance::NotApplicable => c.not_applicable.push(v.clone()),
                    },
                }
            }
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(i: usize) -> VillageCode {
        VillageCode::parse(&format!("330603{i:06}")).unwrap()
    }

    fn point(i: usize, lon: f64, lat: f64, weight: i64) -> DemandPoint {
        DemandPoint {
            village: code(i),
            lon,
            lat,
            weight,
        }
    }

    #[test]
    fn types_parse_from_key_label_or_part_of_the_label() {
        assert_eq!(FacilityType::parse("clinic").unwrap(), FacilityType::Clinic);
        assert_eq!(
            FacilityType::parse(" 医共体/卫生服务站点 ").unwrap(),
            FacilityType::Clinic
        );
        assert_eq!(
            FacilityType::parse("文化礼堂").unwrap(),
            FacilityType::Culture
        );
        assert_eq!(
            FacilityType::parse("邻里中心").unwrap(),
            FacilityType::ServiceCentre
        );
        let e = FacilityType::parse("游乐场").unwrap_err();
        assert!(e.message.contains("游乐场") && e.message.contains("冷链物流"));
        for t in FacilityType::ALL {
            assert_eq!(FacilityType::parse(t.key()).unwrap(), t);
            assert_eq!(FacilityType::parse(t.label()).unwrap(), t);
        }
    }

    #[test]
    fn each_type_serves_a_stated_demand() {
        assert_eq!(FacilityType::ElderlyCare.demand(), Demand::Elderly);
        assert_eq!(FacilityType::Childcare.demand(), Demand::Children);
        assert_eq!(FacilityType::School.demand(), Demand::Children);
        assert_eq!(FacilityType::Clinic.demand(), Demand::All);
        assert_eq!(Demand::Elderly.weight(1000), 220);
        assert_eq!(Demand::Children.weight(1000), 120);
        assert_eq!(Demand::All.weight(1234), 1234);
        assert!(Demand::Elderly.explain().contains("22%"));
    }

    #[test]
    fn status_moves_forward_and_a_closed_facility_may_reopen() {
        use FacilityStatus::*;
        assert!(Planned.can_move_to(Building));
        assert!(Building.can_move_to(Open));
        assert!(Open.can_move_to(Closed));
        assert!(Closed.can_move_to(Open));
        assert!(!Open.can_move_to(Planned));
        assert!(!Open.can_move_to(Building));
        assert!(!Closed.can_move_to(Building));
        assert!(!Open.can_move_to(Open));
        let e = Open.check_move(Planned, "棠棣村文化礼堂").unwrap_err();
        assert_eq!(e.code, "invalid_transition");
        assert!(
            e.message.contains("不能从「运行」改为「规划」") && e.message.contains("停用"),
            "{}",
            e.message
        );
        assert!(
            Open.check_move(Open, "x")
                .unwrap_err()
                .message
                .contains("已是")
        );
        assert_eq!(FacilityStatus::parse("在建").unwrap(), Building);
        assert!(FacilityStatus::parse("拆除").is_err());
    }

    #[test]
    fn infra_items_and_compliance_parse_in_chinese_or_by_key() {
        assert_eq!(
            InfraItem::parse("公交").unwrap(),
            InfraItem::PublicTransport
        );
        assert_eq!(InfraItem::parse("gas").unwrap(), InfraItem::Gas);
        assert!(
            InfraItem::parse("暖气")
                .unwrap_err()
                .message
                .contains("暖气")
        );
        assert_eq!(
            Compliance::parse("未达标").unwrap(),
            Compliance::NonCompliant
        );
        assert_eq!(
            Compliance::parse("not_applicable").unwrap(),
            Compliance::NotApplicable
        );
        assert!(Compliance::parse("差不多").is_err());
    }

    #[test]
    fn a_shortfall_needs_a_gap_note() {
        assert_eq!(
            parse_gap(Compliance::NonCompliant, "").unwrap_err().field,
            "gap"
        );
        assert_eq!(
            parse_gap(Compliance::NonCompliant, " 缺公交站 ").unwrap(),
            "缺公交站"
        );
        assert_eq!(parse_gap(Compliance::Compliant, "").unwrap(), "");
        assert!(parse_gap(Compliance::Compliant, &"长".repeat(GAP_MAX + 1)).is_err());
    }

    #[test]
    fn a_draft_reports_every_bad_field_at_once() {
        let draft = FacilityDraft {
            kind: "游乐场".into(),
            name: " ".into(),
            village_code: "12".into(),
            lon: Some(120.5),
            lat: None,
            capacity: Some(-1),
            status: Some("拆除".into()),
            opening_year: Some(1900),
            upkeep_unit: "".into(),
            note: "".into(),
        };
        let errors = draft.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "type",
                "name",
                "village_code",
                "lat",
                "capacity",
                "status",
                "opening_year",
                "upkeep_unit"
            ]
        );
        assert!(
            errors
                .iter()
                .all(|e| e.message.chars().any(|c| c > '\u{4e00}'))
        );
    }

    #[test]
    fn a_good_draft_parses_and_defaults_to_planned() {
        let draft = FacilityDraft {
            kind: "养老服务".into(),
            name: "棠棣村居家养老服务照料中心".into(),
            village_code: "330603105209".into(),
            capacity: Some(30),
            upkeep_unit: "棠棣村股份经济合作社".into(),
            ..Default::default()
        };
        let s = draft.parse().unwrap();
        assert_eq!(s.kind, FacilityType::ElderlyCare);
        assert_eq!(s.status, FacilityStatus::Planned);
        assert_eq!(s.point, None);
        assert_eq!(s.capacity, Some(30));
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km on the mean sphere.
        let d = haversine_m((120.0, 30.0), (120.0, 31.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        // Shaoxing to Hangzhou, roughly 50 km.
        let d = haversine_m((120.58, 30.00), (120.16, 30.27));
        assert!((45_000.0..55_000.0).contains(&d), "{d}");
        assert_eq!(haversine_m((120.5, 30.0), (120.5, 30.0)), 0.0);
    }

    #[test]
    fn minutes_become_a_straight_line_radius_through_the_detour_factor() {
        let r = Reach::minutes(15.0, 20.0, None).unwrap();
        // 15 min at 20 km/h is 5 km of road, 5 / 1.3 km in a straight line.
        assert!((r.radius_m() - 5_000.0 / 1.3).abs() < 1e-9);
        assert!(r.explain().contains("绕行系数 1.3"), "{}", r.explain());
        assert!(Reach::metres(1500.0).unwrap().explain().contains("1500 米"));
        assert!(Reach::metres(0.0).is_err());
        assert!(Reach::metres(f64::NAN).is_err());
        assert_eq!(
            Reach::minutes(10.0, 30.0, Some(0.5)).unwrap_err().field,
            "detour"
        );
        assert_eq!(
            Reach::minutes(-1.0, 30.0, None).unwrap_err().field,
            "minutes"
        );
    }

    #[test]
    fn coverage_counts_weight_within_the_radius_and_lists_the_rest_farthest_first() {
        let demand = vec![
            point(1, 120.500, 30.000, 1000),
            point(2, 120.520, 30.000, 500), // ~1.93 km east
            point(3, 120.600, 30.000, 300), // ~9.6 km east
            point(4, 120.500, 30.100, 200), // ~11.1 km north
        ];
        let r = service_coverage(&demand, &[(120.5, 30.0)], Reach::Metres(2_000.0));
        assert_eq!((r.covered_weight, r.total_weight), (1500, 2000));
        assert_eq!(r.share_bp, 7500);
        let order: Vec<&VillageCode> = r.uncovered.iter().map(|u| &u.village).collect();
        assert_eq!(order, [&code(4), &code(3)]);
        assert!(r.uncovered[0].nearest_m.unwrap() > r.uncovered[1].nearest_m.unwrap());
        assert_eq!(r.points[1].nearest_site, Some(0));
        let none = service_coverage(&demand, &[], Reach::Metres(2_000.0));
        assert_eq!(none.covered_weight, 0);
        assert!(none.uncovered.iter().all(|u| u.nearest_m.is_none()));
        assert_eq!(service_coverage(&[], &[], Reach::Metres(1.0)).share_bp, 0);
    }

    #[test]
    fn the_checklist_sorts_villages_by_compliance_per_item() {
        let vs = vec![code(1), code(2), code(3)];
        let recs: Vec<Vec<InfraRecord>> = vec![
            vec![InfraRecord {
                item: InfraItem::Gas,
                status: Compliance::NonCompliant,
                gap: "未通管道燃气".into(),
                version: 1,
            }],
            vec![InfraRecord {
                item: InfraItem::Gas,
                status: Compliance::NotApplicable,
                gap: String::new(),
                version: 1,
            }],
            vec![],
        ];
        let list = infra_checklist(&vs, |v| {
            let i = vs.iter().position(|x| x == v).unwrap();
            recs[i].as_slice()
        });
        assert_eq!(list.len(), 5);
        let gas = list.iter().find(|c| c.item == InfraItem::Gas).unwrap();
        assert_eq!(
            gas.non_compliant,
            vec![(code(1), "未通管道燃气".to_string())]
        );
        assert_eq!(gas.not_applicable, vec![code(2)]);
        assert_eq!(gas.unknown, vec![code(3)]);
        assert!(!gas.meets_standard());
        let water = list.iter().find(|c| c.item == InfraItem::Water).unwrap();
        assert_eq!(water.unknown.len(), 3);
    }

    fn demand_strategy() -> impl Strategy<Value = Vec<DemandPoint>> {
        proptest::collection::vec((120.0f64..121.0, 29.5f64..30.5, 0i64..5_000), 0..40).prop_map(
            |v| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, (lon, lat, w))| point(i, lon, lat, w))
                    .collect()
            },
        )
    }

    fn sites_strategy() -> impl Strategy<Value = Vec<(f64, f64)>> {
        proptest::collection::vec((120.0f64..121.0, 29.5f64..30.5), 0..15)
    }

    proptest! {
        /// Adding a site never lowers coverage, and never moves any point's nearest
        /// distance up.
        #[test]
        fn adding_a_site_never_lowers_coverage(
            demand in demand_strategy(),
            sites in sites_strategy(),
            extra in (120.0f64..121.0, 29.5f64..30.5),
            radius in 100.0f64..30_000.0,
        ) {
            let before = service_coverage(&demand, &sites, Reach::Metres(radius));
            let mut more = sites.clone();
            more.push(extra);
            let after = service_coverage(&demand, &more, Reach::Metres(radius));
            prop_assert!(after.covered_weight >= before.covered_weight);
            prop_assert!(after.share_bp >= before.share_bp);
            prop_assert!(after.uncovered.len() <= before.uncovered.len());
            for (a, b) in after.points.iter().zip(&before.points) {
                prop_assert!(a.covered || !b.covered);
                if let (Some(x), Some(y)) = (a.nearest_m, b.nearest_m) {
                    prop_assert!(x <= y);
                }
            }
        }

        /// The reported coverage is exactly a brute-force count over every pair, and the
        /// nearest distances are the brute-force minima.
        #[test]
        fn coverage_matches_a_brute_force_count(
            demand in demand_strategy(),
            sites in sites_strategy(),
            minutes in 1.0f64..60.0,
            speed in 3.0f64..60.0,
            detour in 1.0f64..2.0,
        ) {
            let reach = Reach::minutes(minutes, speed, Some(detour)).unwrap();
            let r = service_coverage(&demand, &sites, reach);
            let radius = minutes / 60.0 * speed * 1000.0 / detour;
            let mut covered = 0;
            let mut total = 0;
            for (d, p) in demand.iter().zip(&r.points) {
                total += d.weight;
                let dists: Vec<f64> = sites.iter().map(|s| haversine_m((d.lon, d.lat), *s)).collect();
                let reached = dists.iter().any(|x| *x <= radius);
                if reached { covered += d.weight; }
                prop_assert_eq!(p.covered, reached);
                let min = dists.iter().copied().fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))));
                prop_assert_eq!(p.nearest_m, min);
            }
            prop_assert_eq!(r.covered_weight, covered);
            prop_assert_eq!(r.total_weight, total);
            prop_assert_eq!(r.share_bp, share_bp(covered, total));
            prop_assert_eq!(r.uncovered.len(), r.points.iter().filter(|p| !p.covered).count());
        }
    }
}
