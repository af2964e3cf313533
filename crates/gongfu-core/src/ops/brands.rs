//! Brands and industry chains (产业共链): the regional public brand (鉴水源) and product
//! brands (平水日铸, 稽东香榧 …) with their geographical-indication details and licensed users,
//! and the "6+X" industry chains as links — growing, processing, sales, tourism — with the
//! actors and villages at each link and the chain's yearly output value.

use crate::text::bounded_text;
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

/// A licence to use a brand (品牌授权), to an actor of the registry, for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub brand: i64,
    pub actor: i64,
    pub from: Date,
    pub to: Date,
}

impl Licence {
    pub fn valid_on(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
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

/// An industry chain (e.g. 茶产业链), its brand, links and yearly output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    pub brand: Option<i64>,
    pub links: Vec<ChainLink>,
    /// (year, output value in fen), by year.
    pub output: Vec<(DataYear, Fen)>,
    pub version: i64,
}

impl Chain {
    /// Every village at any link, once, in order.
    pub fn villages(&self) -> Vec<VillageCode> {
        let mut v: Vec<VillageCode> = self
            .links
            .iter()
            .flat_map(|l| l.villages.iter().cloned())
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
            links: links.clone(),
            output: vec![],
            version: 1,
        };
        assert_eq!(chain.villages().len(), 2);
        let mut twice = links;
        twice.push(link(LinkKind::Growing, &[]));
        assert_eq!(Chain::check_links(&twice).unwrap_err().code, "duplicate");
        let l = Licence {
            brand: 1,
            actor: 2,
            from: date!(2025 - 01 - 01),
            to: date!(2027 - 12 - 31),
        };
        assert!(l.valid_on(date!(2026 - 11 - 29)) && !l.valid_on(date!(2028 - 01 - 01)));
    }
}
