//! Villages (行政村) and communities (社区), their status over time and their yearly figures.

use crate::{DataYear, DomainError, Fen, TownCode, VillageCode};
use serde::{Deserialize, Serialize};
use time::Date;

/// Whether a division is a village committee (村委会) or a residents' committee (居委会/社区).
/// Communities are kept in the registry but never counted in consortium coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionKind {
    Village,
    Community,
}

impl DivisionKind {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "village" | "村" => Ok(DivisionKind::Village),
            "community" | "社区" => Ok(DivisionKind::Community),
            other => Err(DomainError::new(
                "invalid_kind",
                "kind",
                format!("类型「{other}」无效：应为 village（村）或 community（社区）"),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionKind::Village => "village",
            DivisionKind::Community => "community",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DivisionKind::Village => "行政村",
            DivisionKind::Community => "社区",
        }
    }
}

/// A village's life: active, or from an effective date merged into another village (撤并) or
/// withdrawn (撤销). Counts as of a date follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VillageStatus {
    Active,
    Merged { from: Date, into: VillageCode },
    Withdrawn { from: Date },
}

impl VillageStatus {
    /// Whether the division still exists on `day`.
    pub fn is_active_on(&self, day: Date) -> bool {
        match self {
            VillageStatus::Active => true,
            VillageStatus::Merged { from, .. } | VillageStatus::Withdrawn { from } => day < *from,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            VillageStatus::Active => "active",
            VillageStatus::Merged { .. } => "merged",
            VillageStatus::Withdrawn { .. } => "withdrawn",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            VillageStatus::Active => "正常",
            VillageStatus::Merged { .. } => "已撤并",
            VillageStatus::Withdrawn { .. } => "已撤销",
        }
    }
}

/// One division of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Division {
    pub code: VillageCode,
    pub town: TownCode,
    /// Short name as people say it (`棠棣村`); the statistical name keeps 村委会.
    pub name: String,
    pub kind: DivisionKind,
    pub status: VillageStatus,
}

impl Division {
    /// Counted in coverage on `day`: a village (not a community) that exists on that day.
    pub fn counts_for_coverage_on(&self, day: Date) -> bool {
        self.kind == DivisionKind::Village && self.status.is_active_on(day)
    }
}

/// Turns the statistical name into the name people use: `棠棣村村委会` → `棠棣村`,
/// `管墅社区居委会` → `管墅社区`.
pub fn short_name(statistical: &str) -> String {
    let s = statistical.trim();
    for suffix in ["村民委员会", "居民委员会"] {
        if let Some(base) = s.strip_suffix(suffix) {
            return if suffix == "村民委员会" {
                format!("{base}村")
            } else {
                format!("{base}社区")
            };
        }
    }
    if let Some(base) = s.strip_suffix("村委会") {
        return if base.ends_with('村') {
            base.to_string()
        } else {
            format!("{base}村")
        };
    }
    if let Some(base) = s.strip_suffix("居委会") {
        return if base.ends_with("社区") {
            base.to_string()
        } else {
            format!("{base}社区")
        };
    }
    s.to_string()
}

/// Yearly figures of a village (one row per data year, 数据年度).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearlyFigures {
    pub year: DataYear,
    /// 户籍人口 registered population.
    pub population: i64,
    /// 户数 households.
    pub households: i64,
    /// 村集体经营性收入 collective operating income.
    pub operating_income: Fen,
    /// 农村居民人均可支配收入 rural per-capita disposable income.
    pub disposable_income: Fen,
    /// 面积 (km²), a measurement, so f64.
    pub area_km2: f64,
}

impl YearlyFigures {
    /// Checks the ranges a statistician would: no negative people, households not above the
    /// population, a finite non-negative area. Operating income may be negative (a loss year).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.population < 0 {
            return Err(DomainError::new(
                "out_of_range",
                "population",
                "户籍人口不能为负数",
            ));
        }
        if self.households < 0 {
            return Err(DomainError::new(
                "out_of_range",
                "households",
                "户数不能为负数",
            ));
        }
        if self.households > self.population {
            return Err(DomainError::new(
                "out_of_range",
                "households",
                format!(
                    "户数（{}）不能大于户籍人口（{}）",
                    self.households, self.population
                ),
            ));
        }
        if self.disposable_income.0 < 0 {
            return Err(DomainError::new(
                "out_of_range",
                "disposable_income",
                "人均可支配收入不能为负数",
            ));
        }
        if !self.area_km2.is_finite() || self.area_km2 < 0.0 {
            return Err(DomainError::new(
                "out_of_range",
                "area_km2",
                "面积应为非负数（平方公里）",
            ));
        }
        Ok(())
    }
}

/// The rule that makes a village weak (薄弱村): operating income in a data year below a
/// threshold. Configurable by the bureau; the flag is always derived, never stored by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeakRule {
    pub income_below: Fen,
}

impl Default for WeakRule {
    /// 80万元: Zhejiang tracks 50万 / 80万 / 100万 thresholds and this district is rich.
    fn default() -> Self {
        WeakRule {
            income_below: Fen::from_yuan(800_000),
        }
    }
}

impl WeakRule {
    pub fn is_weak(&self, figures: &YearlyFigures) -> bool {
        figures.operating_income < self.income_below
    }
}

/// Parses an ISO date (`2025-01-01`) given by a user.
pub fn parse_date(field: &str, s: &str) -> Result<Date, DomainError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).map_err(|_| {
        DomainError::new(
            "invalid_date",
            field,
            format!("日期「{}」无效：应为 YYYY-MM-DD 格式", s.trim()),
        )
    })
}

/// ISO text of a date, the form dates are stored in.
pub fn date_string(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap_or_default()
}

/// Industry and resource tags (产业与资源标签): short Chinese words, de-duplicated, at most
/// 12 characters each, at most 20 per village.
pub fn parse_tags(input: &str) -> Result<Vec<String>, DomainError> {
    let mut tags: Vec<String> = Vec::new();
    for t in input.split([',', '，', '、', ';', '；', ' ']) {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > 12 {
            return Err(DomainError::new(
                "invalid_tag",
                "tags",
                format!("标签「{t}」过长：每个标签不超过 12 个字"),
            ));
        }
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    if tags.len() > 20 {
        return Err(DomainError::new(
            "invalid_tag",
            "tags",
            "标签过多：每村不超过 20 个",
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn figures(income_yuan: i64) -> YearlyFigures {
        YearlyFigures {
            year: DataYear::new(2024).unwrap(),
            population: 2000,
            households: 700,
            operating_income: Fen::from_yuan(income_yuan),
            disposable_income: Fen::from_yuan(50_000),
            area_km2: 3.2,
        }
    }

    #[test]
    fn a_village_below_the_threshold_is_weak_and_one_at_it_is_not() {
        let rule = WeakRule::default();
        assert!(rule.is_weak(&figures(799_999)));
        assert!(!rule.is_weak(&figures(800_000)));
        let strict = WeakRule {
            income_below: Fen::from_yuan(1_000_000),
        };
        assert!(strict.is_weak(&figures(800_000)));
    }

    #[test]
    fn a_merged_village_stops_counting_on_its_effective_date() {
        let d = Division {
            code: VillageCode::parse("330603105201").unwrap(),
            town: TownCode::parse("330603105").unwrap(),
            name: "同康村".into(),
            kind: DivisionKind::Village,
            status: VillageStatus::Merged {
                from: date!(2024 - 01 - 01),
                into: VillageCode::parse("330603105202").unwrap(),
            },
        };
        assert!(d.counts_for_coverage_on(date!(2023 - 12 - 31)));
        assert!(!d.counts_for_coverage_on(date!(2024 - 01 - 01)));
    }

    #[test]
    fn a_community_never_counts_for_coverage() {
        let d = Division {
            code: VillageCode::parse("330603001008").unwrap(),
            town: TownCode::parse("330603001").unwrap(),
            name: "管墅社区".into(),
            kind: DivisionKind::Community,
            status: VillageStatus::Active,
        };
        assert!(!d.counts_for_coverage_on(date!(2025 - 01 - 01)));
    }

    #[test]
    fn statistical_names_shorten_to_the_spoken_name() {
        assert_eq!(short_name("棠棣村村委会"), "棠棣村");
        assert_eq!(short_name("同康村民委员会"), "同康村");
        assert_eq!(short_name("管墅社区居委会"), "管墅社区");
        assert_eq!(short_name("滨海居民社区"), "滨海居民社区");
    }

    #[test]
    fn households_above_population_are_refused() {
        let mut f = figures(1);
        f.households = 3000;
        assert_eq!(f.validate().unwrap_err().field, "households");
    }

    #[test]
    fn tags_split_on_chinese_and_western_separators_without_duplicates() {
        assert_eq!(
            parse_tags("茶叶、竹笋,茶叶；旅游").unwrap(),
            vec!["茶叶", "竹笋", "旅游"]
        );
        assert!(parse_tags("这是一个非常非常非常长的标签名称").is_err());
    }
}
