//! Common-prosperity elements (共富元素): 共富工坊, 共富市集, 共富基地, 共富学堂, 共富驿站,
//! 共富食堂 and 共富品牌, placed in a village of a zone, with the jobs they give (and how many
//! go to people from low-income households), the average monthly income gain per person
//! employed, and the yearly income they bring the village collective.

use super::{parse_count, parse_money, past_date};
use crate::facilities::{check_near_village, parse_point};
use crate::text::bounded_text;
use crate::work::{parse_choice, parse_optional_date};
use crate::{DomainError, Fen, VillageCode};
use serde::{Deserialize, Serialize};
use time::Date;

pub const NAME_MAX: usize = 60;
pub const NOTE_MAX: usize = 2_000;
/// Largest number of jobs one element may report (a typo guard).
pub const JOBS_MAX: i64 = 100_000;

/// 共富元素类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementType {
    /// 共富工坊
    Workshop,
    /// 共富市集
    Market,
    /// 共富基地
    Base,
    /// 共富学堂
    School,
    /// 共富驿站
    Station,
    /// 共富食堂
    Canteen,
    /// 共富品牌
    Brand,
}

impl ElementType {
    pub const ALL: [ElementType; 7] = [
        ElementType::Workshop,
        ElementType::Market,
        ElementType::Base,
        ElementType::School,
        ElementType::Station,
        ElementType::Canteen,
        ElementType::Brand,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ElementType::Workshop => "workshop",
            ElementType::Market => "market",
            ElementType::Base => "base",
            ElementType::School => "school",
            ElementType::Station => "station",
            ElementType::Canteen => "canteen",
            ElementType::Brand => "brand",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ElementType::Workshop => "共富工坊",
            ElementType::Market => "共富市集",
            ElementType::Base => "共富基地",
            ElementType::School => "共富学堂",
            ElementType::Station => "共富驿站",
            ElementType::Canteen => "共富食堂",
            ElementType::Brand => "共富品牌",
        }
    }
    pub fn parse(s: &str) -> Result<ElementType, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_type",
                "type",
                format!(
                    "共富元素类型「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
}

/// A common-prosperity element as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Element {
    pub id: i64,
    pub kind: ElementType,
    pub name: String,
    pub village: VillageCode,
    /// Its own point; `None` means the seat of its village.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub opened_on: Date,
    /// Closed elements keep their record; they stop counting from this day.
    pub closed_on: Option<Date>,
    pub jobs: i64,
    /// Of `jobs`, people from low-income households (低收入农户).
    pub low_income_jobs: i64,
    /// Average monthly income gain per person employed, fen.
    pub monthly_gain: Fen,
    /// Yearly income to the village collective, fen.
    pub collective_income: Fen,
    pub operator: String,
    pub note: String,
    pub version: i64,
}

impl Element {
    /// Open at some point of `year`.
    pub fn active_in(&self, year: i32) -> bool {
        self.opened_on.year() <= year && self.closed_on.is_none_or(|c| c.year() >= year)
    }
}

/// What a person types for an element.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ElementDraft {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub opened_on: String,
    #[serde(default)]
    pub closed_on: String,
    #[serde(default)]
    pub jobs: String,
    #[serde(default)]
    pub low_income_jobs: String,
    #[serde(default)]
    pub monthly_gain: String,
    #[serde(default)]
    pub collective_income: String,
    #[serde(default)]
    pub operator: String,
    #[serde(default)]
    pub note: String,
}

/// An element's fields, valid.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementSpec {
    pub kind: ElementType,
    pub name: String,
    pub village: VillageCode,
    pub point: Option<(f64, f64)>,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub jobs: i64,
    pub low_income_jobs: i64,
    pub monthly_gain: Fen,
    pub collective_income: Fen,
    pub operator: String,
    pub note: String,
}

impl ElementDraft {
    /// Parses every field, naming each bad one. `today` bounds the dates (an element opens on
    /// a day that has come).
    pub fn parse(&self, today: Date) -> Result<ElementSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        fn keep<T>(errors: &mut Vec<DomainError>, r: Result<T, DomainError>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        let kind = keep(
            &mut errors,
            if self.kind.trim().is_empty() {
                Err(DomainError::new("required", "type", "请选择共富元素类型"))
            } else {
                ElementType::parse(&self.kind)
            },
        );
        let name = keep(
            &mut errors,
            bounded_text(&self.name, "name", "名称", NAME_MAX, Some("请填写名称")),
        );
        let village = keep(
            &mut errors,
            VillageCode::parse(&self.village_code).map_err(|mut e| {
                e.field = "village_code".into();
                if self.village_code.trim().is_empty() {
                    e.code = "required";
                    e.message = "请选择所在村".into();
                }
                e
            }),
        );
        let point = keep(&mut errors, parse_point(self.lon, self.lat));
        let opened_on = past_date(
            "opened_on",
            &self.opened_on,
            "开业日期",
            "开业日期不能晚于今天：登记的是已经开办的",
            today,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let closed_on = keep(
            &mut errors,
            parse_optional_date("closed_on", &self.closed_on),
        );
        if let (Some(o), Some(Some(c))) = (opened_on, closed_on)
            && c < o
        {
            errors.push(DomainError::new(
                "closed_before_opened",
                "closed_on",
                "停办日期不能早于开业日期",
            ));
        }
        let jobs = keep(
            &mut errors,
            parse_count(&self.jobs, "jobs", "吸纳就业人数", JOBS_MAX),
        );
        let low = keep(
            &mut errors,
            parse_count(
                &self.low_income_jobs,
                "low_income_jobs",
                "其中低收入农户人数",
                JOBS_MAX,
            ),
        );
        if let (Some(j), Some(l)) = (jobs, low)
            && l > j
        {
            errors.push(DomainError::new(
                "more_than_total",
                "low_income_jobs",
                format!("其中低收入农户人数（{l}）不能超过吸纳就业人数（{j}）"),
            ));
        }
        let monthly_gain = keep(
            &mut errors,
            parse_money(&self.monthly_gain, "monthly_gain", "人均月增收"),
        );
        let collective_income = keep(
            &mut errors,
            parse_money(
                &self.collective_income,
                "collective_income",
                "带动村集体年收入",
            ),
        );
        let operator = keep(
            &mut errors,
            bounded_text(&self.operator, "operator", "运营主体", NAME_MAX, None),
        );
        let note = keep(
            &mut errors,
            bounded_text(&self.note, "note", "备注", NOTE_MAX, None),
        );
        match (
            kind,
            name,
            village,
            point,
            opened_on,
            closed_on,
            jobs,
            low,
            monthly_gain,
            collective_income,
            operator,
            note,
        ) {
            (
                Some(kind),
                Some(name),
                Some(village),
                Some(point),
                Some(opened_on),
                Some(closed_on),
                Some(jobs),
                Some(low_income_jobs),
                Some(monthly_gain),
                Some(collective_income),
                Some(operator),
                Some(note),
            ) if errors.is_empty() => Ok(ElementSpec {
                kind,
                name,
                village,
                point,
                opened_on,
                closed_on,
                jobs,
                low_income_jobs,
                monthly_gain,
                collective_income,
                operator,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Checks an element's own point against the seat of its village, as facilities are.
pub fn check_element_point(
    spec: &ElementSpec,
    seat: Option<(f64, f64)>,
) -> Result<(), DomainError> {
    match (spec.point, seat) {
        (Some(p), Some(s)) => check_near_village(p, s, spec.village.as_str()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn draft() -> ElementDraft {
        ElementDraft {
            kind: "共富工坊".into(),
            name: "漓渚兰花共富工坊".into(),
            village_code: "330603110201".into(),
            opened_on: "2025-03-01".into(),
            jobs: "46".into(),
            low_income_jobs: "12".into(),
            monthly_gain: "2,300".into(),
            collective_income: "180000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_workshop_parses() {
        let s = draft().parse(date!(2025 - 06 - 30)).unwrap();
        assert_eq!(s.kind, ElementType::Workshop);
        assert_eq!((s.jobs, s.low_income_jobs), (46, 12));
        assert_eq!(s.monthly_gain, Fen(230_000));
        assert_eq!(s.collective_income, Fen(18_000_000));
    }

    #[test]
    fn every_bad_field_is_named() {
        let d = ElementDraft {
            kind: "共富超市".into(),
            name: " ".into(),
            village_code: "".into(),
            opened_on: "2025-07-01".into(),
            jobs: "10".into(),
            low_income_jobs: "11".into(),
            monthly_gain: "-5".into(),
            ..Default::default()
        };
        let fields: Vec<String> = d
            .parse(date!(2025 - 06 - 30))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "type",
                "name",
                "village_code",
                "opened_on",
                "low_income_jobs",
                "monthly_gain"
            ]
        );
    }

    #[test]
    fn activity_by_year() {
        let mut e = Element {
            id: 1,
            kind: ElementType::Market,
            name: "市集".into(),
            village: VillageCode::parse("330603110201").unwrap(),
            lon: None,
            lat: None,
            opened_on: date!(2024 - 05 - 01),
            closed_on: None,
            jobs: 0,
            low_income_jobs: 0,
            monthly_gain: Fen::ZERO,
            collective_income: Fen::ZERO,
            operator: String::new(),
            note: String::new(),
            version: 1,
        };
        assert!(!e.active_in(2023));
        assert!(e.active_in(2024) && e.active_in(2026));
        e.closed_on = Some(date!(2025 - 02 - 01));
        assert!(e.active_in(2025) && !e.active_in(2026));
    }
}
