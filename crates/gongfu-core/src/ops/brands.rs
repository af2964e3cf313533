//! Brands and industry chains (产业共链): the regional public brand (鉴水源) and product
//! brands (平水日铸, 稽东香榧 …) with their geographical-indication details and licensed users,
//! and the "6+X" industry chains as links — growing, processing, sales, tourism — with the
//! actors and villages at each link and the chain's yearly output value.

use crate::text::bounded_text;
use crate::village::parse_date;
use crate::work::parse_choice;
use crate::{DataYear, DomainError, Fen, VillageCode};
use serde::{Deserialize, Serialize};
use time::Date;

pub const NAME_MAX: usize = 60;
pub const TEXT_MAX: usize = 2_000;

/// 品牌类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrandKind {
    /// 区域公用品牌 (鉴水源)
    Regional,
    /// 产品品牌
    Product,
}

impl BrandKind {
    pub const ALL: [BrandKind; 2] = [BrandKind::Regional, BrandKind::Product];
    pub fn key(self) -> &'static str {
        match self {
            BrandKind::Regional => "regional",
            BrandKind::Product => "product",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            BrandKind::Regional => "区域公用品牌",
            BrandKind::Product => "产品品牌",
        }
    }
    pub fn parse(s: &str) -> Result<BrandKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!("品牌类别「{}」无效：应为区域公用品牌或产品品牌", s.trim()),
            )
        })
    }
}

/// 地理标志 (geographical indication) details of a brand, when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoIndication {
    /// 登记 / 注册编号 (e.g. 农产品地理标志登记证书编号, 地理标志证明商标注册号).
    pub number: String,
    /// 持有人 / 注册人.
    pub holder: String,
    /// 保护范围 (the area it covers).
    pub area: String,
}

/// A brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    pub id: i64,
    pub name: String,
    pub kind: BrandKind,
    /// The product it names (日铸茶, 香榧 …); empty for the regional brand.
    pub product: String,
    pub gi: Option<GeoIndication>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BrandDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub gi_number: String,
    #[serde(default)]
    pub gi_holder: String,
    #[serde(default)]
    pub gi_area: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandSpec {
    pub name: String,
    pub kind: BrandKind,
    pub product: String,
    pub gi: Option<GeoIndication>,
}

impl BrandDraft {
    pub fn parse(&self) -> Result<BrandSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(
            &self.name,
            "name",
            "品牌名称",
            NAME_MAX,
            Some("请填写品牌名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let kind = BrandKind::parse(&self.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let product = bounded_text(&self.product, "product", "产品", NAME_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        if kind == Some(BrandKind::Product) && product.as_deref().is_some_and(str::is_empty) {
            errors.push(DomainError::new(
                "required",
                "product",
                "产品品牌请填写所指的产品",
            ));
        }
        let gi_parts = [&self.gi_number, &self.gi_holder, &self.gi_area];
        let gi = if gi_parts.iter().all(|p| p.trim().is_empty()) {
            None
        } else {
            let mut part = |s: &str, field: &str, what: &str| {
                bounded_text(
                    s,
                    field,
                    what,
                    NAME_MAX,
                    Some(&format!("填写地理标志时请同时填写{what}")),
                )
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
            };
            Some(GeoIndication {
                number: part(&self.gi_number, "gi_number", "登记编号"),
                holder: part(&self.gi_holder, "gi_holder", "持有人"),
                area: part(&self.gi_area, "gi_area", "保护范围"),
            })
        };
        match (name, kind, product) {
            (Some(name), Some(kind), Some(product)) if errors.is_empty() => Ok(BrandSpec {
                name,
                kind,
                product,
                gi,
            }),
            _ => Err(errors),
        }
    }
}

/// A licence to use a brand (品牌授权), to an actor of the registry, for a period. Revoking
/// keeps the row: the day it was revoked ends it early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub id: i64,
    pub brand: i64,
    pub actor: i64,
    pub from: Date,
    pub to: Date,
    /// 撤销日期: from this day on the licence no longer holds.
    pub revoked_on: Option<Date>,
    pub note: String,
    pub version: i64,
}

/// Where a licence stands on a day (授权状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    /// 未生效
    Pending,
    /// 有效
    Valid,
    /// 已到期
    Expired,
    /// 已撤销
    Revoked,
}

impl LicenceStatus {
    pub fn key(self) -> &'static str {
        match self {
            LicenceStatus::Pending => "pending",
            LicenceStatus::Valid => "valid",
            LicenceStatus::Expired => "expired",
            LicenceStatus::Revoked => "revoked",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LicenceStatus::Pending => "未生效",
            LicenceStatus::Valid => "有效",
            LicenceStatus::Expired => "已到期",
            LicenceStatus::Revoked => "已撤销",
        }
    }
}

impl Licence {
    pub fn valid_on(&self, day: Date) -> bool {
        self.status_on(day) == LicenceStatus::Valid
    }
    pub fn status_on(&self, day: Date) -> LicenceStatus {
        if self.revoked_on.is_some_and(|r| r <= day) {
            LicenceStatus::Revoked
        } else if day < self.from {
            LicenceStatus::Pending
        } else if day > self.to {
            LicenceStatus::Expired
        } else {
            LicenceStatus::Valid
        }
    }
}

/// A typed field that JSON clients may also send as a number (an id, an amount).
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum T {
        S(String),
        I(i64),
        F(f64),
        N(()),
    }
    Ok(match T::deserialize(d)? {
        T::S(s) => s,
        T::I(i) => i.to_string(),
        T::F(f) => f.to_string(),
        T::N(()) => String::new(),
    })
}

/// A licence as typed: the actor by its registry id, the period, and (to revoke) a day.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LicenceDraft {
    #[serde(default, deserialize_with = "text_or_number")]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub revoked_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceSpec {
    pub actor: i64,
    pub from: Date,
    pub to: Date,
    pub revoked_on: Option<Date>,
    pub note: String,
}

/// A registry id typed or picked: a positive whole number.
pub fn parse_ref(s: &str, field: &str, what: &str) -> Result<i64, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::new("required", field, format!("请选择{what}")));
    }
    match t.parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(DomainError::new(
            "invalid_ref",
            field,
            format!("{what}编号「{t}」无效：应为正整数"),
        )),
    }
}

impl LicenceDraft {
    pub fn parse(&self) -> Result<LicenceSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let actor = parse_ref(&self.actor, "actor", "被授权主体")
            .map_err(|e| errors.push(e))
            .ok();
        let day = |s: &str, field: &str, what: &str, errors: &mut Vec<DomainError>| {
            if s.trim().is_empty() {
                errors.push(DomainError::new("required", field, format!("请填写{what}")));
                return None;
            }
            parse_date(field, s)
                .map_err(|mut e| {
                    e.message = format!("{what}「{}」无效：应为 YYYY-MM-DD", s.trim());
                    errors.push(e)
                })
                .ok()
        };
        let from = day(&self.from, "from", "授权起始日期", &mut errors);
        let to = day(&self.to, "to", "授权截止日期", &mut errors);
        let revoked_on = if self.revoked_on.trim().is_empty() {
            None
        } else {
            day(&self.revoked_on, "revoked_on", "撤销日期", &mut errors)
        };
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push(DomainError::new(
                "invalid_period",
                "to",
                "授权截止日期不能早于起始日期",
            ));
        }
        let note = bounded_text(&self.note, "note", "备注", TEXT_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (actor, from, to, note) {
            (Some(actor), Some(from), Some(to), Some(note)) if errors.is_empty() => {
                Ok(LicenceSpec {
                    actor,
                    from,
                    to,
                    revoked_on: if self.revoked_on.trim().is_empty() {
                        None
                    } else {
                        revoked_on
                    },
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 产业链环节.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// 种养
    Growing,
    /// 加工
    Processing,
    /// 销售
    Sales,
    /// 文旅
    Tourism,
}

impl LinkKind {
    pub const ALL: [LinkKind; 4] = [
        LinkKind::Growing,
        LinkKind::Processing,
        LinkKind::Sales,
        LinkKind::Tourism,
    ];
    pub fn key(self) -> &'static str {
        match self {
            LinkKind::Growing => "growing",
            LinkKind::Processing => "processing",
            LinkKind::Sales => "sales",
            LinkKind::Tourism => "tourism",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Growing => "种养",
            LinkKind::Processing => "加工",
            LinkKind::Sales => "销售",
            LinkKind::Tourism => "文旅",
        }
    }
    pub fn parse(s: &str) -> Result<LinkKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_link",
                "link",
                format!(
                    "产业链环节「{}」无效：应为种养、加工、销售、文旅之一",
                    s.trim()
                ),
            )
        })
    }
}

/// One link of a chain: who and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    pub kind: LinkKind,
    pub actors: Vec<i64>,
    pub villages: Vec<VillageCode>,
}

/// One year's output value of a chain (产值), kept with its own version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainOutput {
    pub year: DataYear,
    pub value: Fen,
    pub version: i64,
}

/// An industry chain (e.g. 茶产业链), its brand, links and yearly output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    pub brand: Option<i64>,
    pub note: String,
    /// In [`LinkKind::ALL`] order; a kind with no actors and no villages has no link.
    pub links: Vec<ChainLink>,
    /// By year.
    pub output: Vec<ChainOutput>,
    pub version: i64,
}

/// One link as typed: its kind, the registry ids of its actors and the village codes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChainLinkDraft {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub actors: Vec<i64>,
    #[serde(default)]
    pub villages: Vec<String>,
}

/// A chain as typed (name, optional brand, note, links).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChainDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub brand: Option<i64>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub links: Vec<ChainLinkDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSpec {
    pub name: String,
    pub brand: Option<i64>,
    pub note: String,
    pub links: Vec<ChainLink>,
}

impl ChainDraft {
    /// Errors name the field: `links.<kind>.villages` for a bad village code of a link.
    pub fn parse(&self) -> Result<ChainSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(
            &self.name,
            "name",
            "产业链名称",
            NAME_MAX,
            Some("请填写产业链名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let note = bounded_text(&self.note, "note", "说明", TEXT_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        if let Some(b) = self.brand
            && b <= 0
        {
            errors.push(DomainError::new(
                "invalid_ref",
                "brand",
                format!("品牌编号 {b} 无效"),
            ));
        }
        let mut links: Vec<ChainLink> = Vec::new();
        for d in &self.links {
            let kind = match LinkKind::parse(&d.kind) {
                Ok(k) => k,
                Err(mut e) => {
                    e.field = "links".into();
                    errors.push(e);
                    continue;
                }
            };
            let mut villages = Vec::new();
            for v in &d.villages {
                if v.trim().is_empty() {
                    continue;
                }
                match VillageCode::parse(v) {
                    Ok(c) => villages.push(c),
                    Err(_) => errors.push(DomainError::new(
                        "invalid_village",
                        format!("links.{}.villages", kind.key()),
                        format!(
                            "{}环节的村代码「{}」无效：应为 12 位数字",
                            kind.label(),
                            v.trim()
                        ),
                    )),
                }
            }
            villages.sort();
            villages.dedup();
            let mut actors = Vec::new();
            for &a in &d.actors {
                if a <= 0 {
                    errors.push(DomainError::new(
                        "invalid_ref",
                        format!("links.{}.actors", kind.key()),
                        format!("{}环节的主体编号 {a} 无效", kind.label()),
                    ));
                } else {
                    actors.push(a);
                }
            }
            actors.sort();
            actors.dedup();
            links.push(ChainLink {
                kind,
                actors,
                villages,
            });
        }
        if let Err(e) = Chain::check_links(&links) {
            errors.push(e);
        }
        links.retain(|l| !l.actors.is_empty() || !l.villages.is_empty());
        links.sort_by_key(|l| l.kind);
        match (name, note) {
            (Some(name), Some(note)) if errors.is_empty() => Ok(ChainSpec {
                name,
                brand: self.brand,
                note,
                links,
            }),
            _ => Err(errors),
        }
    }
}

/// One year's output as typed: the value in yuan and the version read (0 for a new year).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutputDraft {
    #[serde(default, deserialize_with = "text_or_number")]
    pub output: String,
    #[serde(default)]
    pub version: i64,
}

impl OutputDraft {
    pub fn parse(&self) -> Result<Fen, Vec<DomainError>> {
        if self.output.trim().is_empty() {
            return Err(vec![DomainError::new(
                "required",
                "output",
                "请填写产业链年产值（元）",
            )]);
        }
        super::parse_money(&self.output, "output", "产业链年产值").map_err(|e| vec![e])
    }
}

/// Every village at any of `links`, once, in order.
pub fn chain_villages(links: &[ChainLink]) -> Vec<VillageCode> {
    let mut v: Vec<VillageCode> = links
        .iter()
        .flat_map(|l| l.villages.iter().cloned())
        .collect();
    v.sort();
    v.dedup();
    v
}

impl Chain {
    /// Every village at any link, once, in order.
    pub fn villages(&self) -> Vec<VillageCode> {
        chain_villages(&self.links)
    }
    /// The link of a kind, if the chain has one.
    pub fn link(&self, kind: LinkKind) -> Option<&ChainLink> {
        self.links.iter().find(|l| l.kind == kind)
    }
    /// The output of a year, if reported.
    pub fn output_in(&self, year: i32) -> Option<&ChainOutput> {
        self.output.iter().find(|o| o.year.get() == year)
    }
    /// Every actor at any link, once, in order.
    pub fn actors(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .links
            .iter()
            .flat_map(|l| l.actors.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    /// Links are one per kind: a second 加工 link is the same link.
    pub fn check_links(links: &[ChainLink]) -> Result<(), DomainError> {
        for (i, l) in links.iter().enumerate() {
            if links[..i].iter().any(|x| x.kind == l.kind) {
                return Err(DomainError::new(
                    "duplicate",
                    "links",
                    format!("环节「{}」重复：每个环节只登记一次", l.kind.label()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn brands_with_and_without_gi() {
        let b = BrandDraft {
            name: "平水日铸".into(),
            kind: "产品品牌".into(),
            product: "日铸茶".into(),
            gi_number: "AGI02345".into(),
            gi_holder: "绍兴市柯桥区茶业协会".into(),
            gi_area: "柯桥区平水镇等".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(b.gi.unwrap().holder, "绍兴市柯桥区茶业协会");
        let r = BrandDraft {
            name: "鉴水源".into(),
            kind: "区域公用品牌".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert!(r.gi.is_none() && r.product.is_empty());
        let e = BrandDraft {
            name: "稽东香榧".into(),
            kind: "product".into(),
            gi_number: "X1".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["product", "gi_holder", "gi_area"]);
    }

    #[test]
    fn chains_and_licences() {
        let v = |s: &str| VillageCode::parse(s).unwrap();
        let link = |kind, vs: &[&str]| ChainLink {
            kind,
            actors: vec![],
            villages: vs.iter().map(|s| v(s)).collect(),
        };
        let links = vec![
            link(LinkKind::Growing, &["330603110201", "330603110202"]),
            link(LinkKind::Processing, &["330603110201"]),
        ];
        Chain::check_links(&links).unwrap();
        let chain = Chain {
            id: 1,
            name: "茶产业链".into(),
            brand: None,
            note: String::new(),
            links: links.clone(),
            output: vec![],
            version: 1,
        };
        assert_eq!(chain.villages().len(), 2);
        let mut twice = links;
        twice.push(link(LinkKind::Growing, &[]));
        assert_eq!(Chain::check_links(&twice).unwrap_err().code, "duplicate");
        let mut l = Licence {
            id: 1,
            brand: 1,
            actor: 2,
            from: date!(2025 - 01 - 01),
            to: date!(2027 - 12 - 31),
            revoked_on: None,
            note: String::new(),
            version: 1,
        };
        assert!(l.valid_on(date!(2026 - 11 - 29)) && !l.valid_on(date!(2028 - 01 - 01)));
        assert_eq!(l.status_on(date!(2024 - 12 - 31)), LicenceStatus::Pending);
        assert_eq!(l.status_on(date!(2028 - 01 - 01)), LicenceStatus::Expired);
        l.revoked_on = Some(date!(2026 - 06 - 01));
        assert_eq!(l.status_on(date!(2026 - 05 - 31)), LicenceStatus::Valid);
        assert_eq!(l.status_on(date!(2026 - 06 - 01)), LicenceStatus::Revoked);
    }

    #[test]
    fn licence_drafts() {
        let ok = LicenceDraft {
            actor: "12".into(),
            from: "2025-01-01".into(),
            to: "2027-12-31".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!((ok.actor, ok.revoked_on), (12, None));
        let e = LicenceDraft {
            actor: "".into(),
            from: "2025-13-01".into(),
            to: "".into(),
            revoked_on: "x".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["actor", "from", "to", "revoked_on"]);
        let e = LicenceDraft {
            actor: "3".into(),
            from: "2025-01-01".into(),
            to: "2024-12-31".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e[0].field, "to");
    }

    #[test]
    fn chain_drafts() {
        let d = ChainDraft {
            name: "茶产业链".into(),
            brand: Some(1),
            note: String::new(),
            links: vec![
                ChainLinkDraft {
                    kind: "加工".into(),
                    actors: vec![3, 3],
                    villages: vec!["330603110201".into()],
                },
                ChainLinkDraft {
                    kind: "growing".into(),
                    actors: vec![],
                    villages: vec!["330603110202".into(), "330603110201".into()],
                },
                ChainLinkDraft {
                    kind: "文旅".into(),
                    ..Default::default()
                },
            ],
        };
        let s = d.parse().unwrap();
        assert_eq!(
            s.links.iter().map(|l| l.kind).collect::<Vec<_>>(),
            [LinkKind::Growing, LinkKind::Processing],
            "in order, the empty 文旅 link dropped"
        );
        assert_eq!(s.links[1].actors, [3]);
        assert_eq!(chain_villages(&s.links).len(), 2);
        let e = ChainDraft {
            name: " ".into(),
            links: vec![
                ChainLinkDraft {
                    kind: "销售".into(),
                    actors: vec![0],
                    villages: vec!["3306".into()],
                },
                ChainLinkDraft {
                    kind: "物流".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "links.sales.villages",
                "links.sales.actors",
                "links"
            ]
        );
        assert!(e[1].message.contains("销售环节"));
        assert_eq!(
            OutputDraft {
                output: "1,234.5".into(),
                version: 0
            }
            .parse()
            .unwrap(),
            Fen(123_450)
        );
        assert_eq!(
            OutputDraft::default().parse().unwrap_err()[0].field,
            "output"
        );
    }
}
