//! View models shared by the pages and the API: the rows and figures a screen shows, computed
//! from a snapshot. Both skins read the same numbers from here.

use gongfu_core::money::{growth_bp, median};
use gongfu_core::targets::{Progress, progress};
use gongfu_core::village::{DivisionKind, date_string};
use gongfu_core::zone::{MemberRole, Tier};
use gongfu_core::{Fen, VillageCode, ZoneId};
use gongfu_store::snapshot::{Snapshot, ZoneRec};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One village as lists show it, with the figures of one data year.
#[derive(Debug, Clone, Serialize)]
pub struct VillageRow {
    pub code: String,
    pub name: String,
    pub official_name: String,
    pub town_code: String,
    pub town: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub role: Option<&'static str>,
    pub year: Option<i32>,
    pub population: Option<i64>,
    pub households: Option<i64>,
    pub operating_income_fen: Option<i64>,
    pub disposable_income_fen: Option<i64>,
    pub area_km2: Option<f64>,
    pub weak: Option<bool>,
    pub tags: Vec<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

impl VillageRow {
    pub fn kind_label(&self) -> &'static str {
        if self.kind == "village" {
            "行政村"
        } else {
            "社区"
        }
    }
    pub fn status_label(&self) -> &'static str {
        match self.status {
            "merged" => "已撤并",
            "withdrawn" => "已撤销",
            _ => "正常",
        }
    }
    pub fn role_label(&self) -> &'static str {
        match self.role {
            Some("key") => "重点村",
            Some("linked") => "联结村",
            _ => "",
        }
    }
    pub fn income_wan(&self) -> String {
        self.operating_income_fen
            .map(|f| Fen(f).wan_yuan_string())
            .unwrap_or_else(|| "—".into())
    }
    pub fn disposable_yuan(&self) -> String {
        self.disposable_income_fen
            .map(|f| group(f / 100))
            .unwrap_or_else(|| "—".into())
    }
    pub fn population_text(&self) -> String {
        self.population.map(group).unwrap_or_else(|| "—".into())
    }
    pub fn tags_text(&self) -> String {
        self.tags.join("、")
    }
}

/// Thousands separators for counts.
pub fn group(n: i64) -> String {
    gongfu_core::money::count_string(n)
}

pub fn village_row(snap: &Snapshot, idx: usize, day: Date, year: Option<i32>) -> VillageRow {
    let d = &snap.divisions[idx];
    let code = &d.division.code;
    let m = snap.membership_of(code, day);
    let zone = m.and_then(|m| snap.zone(m.zone));
    let f = year.and_then(|y| snap.figures(code, y));
    VillageRow {
        code: code.as_str().to_string(),
        name: d.division.name.clone(),
        official_name: d.official_name.clone(),
        town_code: d.division.town.as_str().to_string(),
        town: snap.town_name(&d.division.town).to_string(),
        kind: d.division.kind.as_str(),
        status: d.division.status.as_str(),
        zone_id: zone.map(|z| z.id.0),
        zone_name: zone.map(|z| z.name.clone()),
        role: m.map(|m| m.role.as_str()),
        year: f.map(|f| f.year.get()),
        population: f.map(|f| f.population),
        households: f.map(|f| f.households),
        operating_income_fen: f.map(|f| f.operating_income.0),
        disposable_income_fen: f.map(|f| f.disposable_income.0),
        area_km2: f.map(|f| f.area_km2),
        weak: if d.division.kind == DivisionKind::Village {
            f.map(|f| snap.weak_rule.is_weak(f))
        } else {
            None
        },
        tags: d.tags.clone(),
        lon: d.lon,
        lat: d.lat,
    }
}

/// Filters of the village list (query string of both the page and the API).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct VillageQuery {
    pub q: Option<String>,
    pub town: Option<String>,
    /// A zone id, `none` for villages in no zone, or empty for all.
    pub zone: Option<String>,
    /// `1` weak only, `0` not weak.
    pub weak: Option<String>,
    /// `village` (default), `community`, or `all`.
    pub kind: Option<String>,
    pub year: Option<i32>,
    /// `code` (default), `name`, `income`, `-income`, `population`, `-population`, `town`.
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

pub struct VillagePage {
    pub rows: Vec<VillageRow>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
    pub year: Option<i32>,
}

pub fn village_page(snap: &Snapshot, day: Date, q: &VillageQuery) -> VillagePage {
    let (year, hits) = village_hits(snap, day, q);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let total = hits.len();
    let pages = total.div_ceil(per_page).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows = hits
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| village_row(snap, *i, day, year))
        .collect();
    VillagePage {
        rows,
        total,
        page,
        per_page,
        pages,
        year,
    }
}

/// The divisions a village query selects, in its sort order (positions in
/// `snap.divisions`), with the data year it used. Filters and sorts on cheap keys, so that
/// full rows are built only for what is shown.
pub fn village_hits(snap: &Snapshot, day: Date, q: &VillageQuery) -> (Option<i32>, Vec<usize>) {
    let year = q.year.or_else(|| snap.latest_year());
    let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let town = q.town.as_deref().filter(|s| !s.is_empty());
    let zone = q.zone.as_deref().filter(|s| !s.is_empty());
    let weak = q.weak.as_deref().filter(|s| !s.is_empty());
    let kind = q.kind.as_deref().unwrap_or("village");
    struct Hit {
        idx: usize,
        income: Option<i64>,
        population: Option<i64>,
    }
    let mut hits: Vec<Hit> = Vec::new();
    for (i, d) in snap.divisions.iter().enumerate() {
        if kind != "all" && d.division.kind.as_str() != kind {
            continue;
        }
        if let Some(t) = town
            && d.division.town.as_str() != t
        {
            continue;
        }
        if let Some(t) = text
            && !d.division.name.contains(t)
            && !d.division.code.as_str().starts_with(t)
            && !d.tags.iter().any(|g| g == t)
        {
            continue;
        }
        if let Some(z) = zone {
            let m = snap.membership_of(&d.division.code, day);
            let ok = match z {
                "none" => m.is_none(),
                "any" => m.is_some(),
                id => m.is_some_and(|m| m.zone.to_string() == id),
            };
            if !ok {
                continue;
            }
        }
        let f = year.and_then(|y| snap.figures(&d.division.code, y));
        if let Some(w) = weak {
            let is_weak = (d.division.kind == DivisionKind::Village)
                .then(|| f.map(|f| snap.weak_rule.is_weak(f)))
                .flatten();
            if is_weak != Some(w == "1") {
                continue;
            }
        }
        hits.push(Hit {
            idx: i,
            income: f.map(|f| f.operating_income.0),
            population: f.map(|f| f.population),
        });
    }
    let name = |h: &Hit| &snap.divisions[h.idx].division.name;
    let town_of = |h: &Hit| snap.divisions[h.idx].division.town.as_str();
    match q.sort.as_deref().unwrap_or("code") {
        "name" => hits.sort_by(|a, b| name(a).cmp(name(b))),
        "town" => hits.sort_by(|a, b| (town_of(a), a.idx).cmp(&(town_of(b), b.idx))),
        "income" => hits.sort_by_key(|h| (h.income.unwrap_or(i64::MAX), h.idx)),
        "-income" => hits.sort_by_key(|h| (std::cmp::Reverse(h.income.unwrap_or(i64::MIN)), h.idx)),
        "population" => hits.sort_by_key(|h| (h.population.unwrap_or(i64::MAX), h.idx)),
        "-population" => {
            hits.sort_by_key(|h| (std::cmp::Reverse(h.population.unwrap_or(i64::MIN)), h.idx))
        }
        _ => {}
    }
    (year, hits.into_iter().map(|h| h.idx).collect())
}

/// A zone as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneRow {
    pub id: i64,
    pub name: String,
    pub theme: String,
    pub key_village: String,
    pub key_village_name: String,
    pub villages: Vec<String>,
    pub village_names: Vec<String>,
    pub towns: Vec<String>,
    pub lead_official: String,
    pub tier: Option<&'static str>,
    pub tier_label: String,
    pub designation_year: Option<i32>,
    pub designation_status: Option<&'static str>,
    pub founded_on: String,
    pub dissolved_on: Option<String>,
    pub year: Option<i32>,
    pub operating_income_fen: i64,
    pub population: i64,
    pub weak_villages: usize,
    pub version: i64,
}

impl ZoneRow {
    pub fn income_wan(&self) -> String {
        Fen(self.operating_income_fen).wan_yuan_string()
    }
    pub fn towns_text(&self) -> String {
        self.towns.join("、")
    }
    pub fn linked_text(&self) -> String {
        self.village_names
            .iter()
            .filter(|n| **n != self.key_village_name)
            .cloned()
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub fn zone_row(snap: &Snapshot, z: &ZoneRec, day: Date) -> ZoneRow {
    let year = snap.latest_year();
    let at = if z.dissolved_on.is_some_and(|d| d <= day) {
        z.dissolved_on.and_then(|d| d.previous_day()).unwrap_or(day)
    } else {
        day
    };
    let members = snap.members(z.id, at);
    let mut towns: Vec<String> = Vec::new();
    let mut income = Fen::ZERO;
    let mut population = 0;
    let mut weak = 0;
    for m in &members {
        if let Some(d) = snap.division(&m.village) {
            let t = snap.town_name(&d.division.town).to_string();
            if !towns.contains(&t) {
                towns.push(t);
            }
        }
        if let Some(f) = year.and_then(|y| snap.figures(&m.village, y)) {
            income = income + f.operating_income;
            population += f.population;
            if snap.weak_rule.is_weak(f) {
                weak += 1;
            }
        }
    }
    let des = snap.tier_in(z.id, year.unwrap_or(day.year()).max(day.year()));
    let name_of = |c: &VillageCode| {
        snap.division(c)
            .map(|d| d.division.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    ZoneRow {
        id: z.id.0,
        name: z.name.clone(),
        theme: z.theme.clone(),
        key_village: z.key_village.as_str().to_string(),
        key_village_name: name_of(&z.key_village),
        villages: members
            .iter()
            .map(|m| m.village.as_str().to_string())
            .collect(),
        village_names: members.iter().map(|m| name_of(&m.village)).collect(),
        towns,
        lead_official: z.lead_official.clone(),
        tier: des.map(|d| d.tier.as_str()),
        tier_label: des
            .map(|d| format!("{}（{}年{}）", d.tier.label(), d.year, d.status.label()))
            .unwrap_or_else(|| "未定级".into()),
        designation_year: des.map(|d| d.year),
        designation_status: des.map(|d| d.status.as_str()),
        founded_on: date_string(z.founded_on),
        dissolved_on: z.dissolved_on.map(date_string),
        year,
        operating_income_fen: income.0,
        population,
        weak_villages: weak,
        version: z.version,
    }
}

/// Every zone's row, dissolved ones included, built once per snapshot and day.
pub fn cached_zone_rows(snap: &Snapshot, day: Date) -> std::sync::Arc<Vec<ZoneRow>> {
    snap.derived
        .get_or_insert(&format!("zone_rows:{day}"), || zone_rows(snap, day, true))
}

pub fn zone_rows(snap: &Snapshot, day: Date, include_dissolved: bool) -> Vec<ZoneRow> {
    snap.zones
        .iter()
        .filter(|z| include_dissolved || z.dissolved_on.is_none_or(|d| d > day))
        .map(|z| zone_row(snap, z, day))
        .collect()
}

/// Filters of the zone list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ZoneQuery {
    pub q: Option<String>,
    pub town: Option<String>,
    /// A tier key (`provincial` …) or `none` for zones without a designation.
    pub tier: Option<String>,
    /// `id` (default), `name`, `-income`, `-villages`, `-weak`.
    pub sort: Option<String>,
    pub page: Option<usize>,
}

/// Live zones matching a query, sorted.
pub fn zone_list(snap: &Snapshot, day: Date, q: &ZoneQuery) -> Vec<ZoneRow> {
    let all = cached_zone_rows(snap, day);
    filter_zones(
        snap,
        all.iter()
            .filter(|z| z.dissolved_on.is_none())
            .cloned()
            .collect(),
        q,
    )
}

/// Keeps the live rows a query selects, sorted as it asks.
pub fn filter_zones(snap: &Snapshot, all: Vec<ZoneRow>, q: &ZoneQuery) -> Vec<ZoneRow> {
    let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let town = q.town.as_deref().filter(|s| !s.is_empty());
    let tier = q.tier.as_deref().filter(|s| !s.is_empty());
    let town_name = town.and_then(|t| {
        snap.towns
            .iter()
            .find(|x| x.code.as_str() == t)
            .map(|x| x.name.clone())
    });
    let mut rows: Vec<ZoneRow> = all
        .into_iter()
        .filter(|z| z.dissolved_on.is_none())
        .filter(|z| {
            text.is_none_or(|t| {
                z.name.contains(t)
                    || z.theme.contains(t)
                    || z.village_names.iter().any(|n| n.contains(t))
            })
        })
        .filter(|z| town_name.as_ref().is_none_or(|t| z.towns.contains(t)))
        .filter(|z| match tier {
            None => true,
            Some("none") => z.tier.is_none(),
            Some(t) => z.tier == Some(t),
        })
        .collect();
    match q.sort.as_deref().unwrap_or("id") {
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "-income" => rows.sort_by_key(|z| (std::cmp::Reverse(z.operating_income_fen), z.id)),
        "-villages" => rows.sort_by_key(|z| (std::cmp::Reverse(z.villages.len()), z.id)),
        "-weak" => rows.sort_by_key(|z| (std::cmp::Reverse(z.weak_villages), z.id)),
        _ => {}
    }
    rows
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub day: String,
    pub is_demo: bool,
    pub year: Option<i32>,
    pub villages_total: usize,
    pub villages_covered: usize,
    pub coverage_bp: i64,
    pub communities: usize,
    pub zones_live: usize,
    pub zones_by_tier: Vec<TierCount>,
    pub weak_villages: usize,
    pub income_total_fen: i64,
    pub income_median_fen: Option<i64>,
    pub income_growth_bp: Option<i64>,
    pub income_by_year: Vec<(i32, i64)>,
    pub income_bands: Vec<(String, usize)>,
    pub by_town: Vec<TownStat>,
    pub targets: Vec<Progress>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierCount {
    pub tier: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub target: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TownStat {
    pub code: String,
    pub name: String,
    pub villages: usize,
    pub covered: usize,
    pub weak: usize,
    pub income_median_fen: Option<i64>,
}

pub const INCOME_BANDS: [(i64, &str); 7] = [
    (50, "50万以下"),
    (80, "50–80万"),
    (100, "80–100万"),
    (150, "100–150万"),
    (300, "150–300万"),
    (1000, "300–1000万"),
    (i64::MAX, "1000万以上"),
];

pub fn dashboard(snap: &Snapshot, day: Date) -> Dashboard {
    let year = snap.latest_year();
    let cov = snap.coverage(day);
    let mut incomes = Vec::new();
    let mut weak = 0;
    let mut bands = vec![0usize; INCOME_BANDS.len()];
    let mut town_incomes: BTreeMap<String, Vec<Fen>> = BTreeMap::new();
    let mut town_weak: BTreeMap<String, usize> = BTreeMap::new();
    let mut communities = 0;
    for d in &snap.divisions {
        if d.division.kind == DivisionKind::Community {
            communities += 1;
        }
        if !d.division.counts_for_coverage_on(day) {
            continue;
        }
        if let Some(f) = year.and_then(|y| snap.figures(&d.division.code, y)) {
            incomes.push(f.operating_income);
            let wan = f.operating_income.0 / 1_000_000;
            let b = INCOME_BANDS
                .iter()
                .position(|(hi, _)| wan < *hi)
                .unwrap_or(INCOME_BANDS.len() - 1);
            bands[b] += 1;
            town_incomes
                .entry(d.division.town.as_str().to_string())
                .or_default()
                .push(f.operating_income);
            if snap.weak_rule.is_weak(f) {
                weak += 1;
                *town_weak
                    .entry(d.division.town.as_str().to_string())
                    .or_default() += 1;
            }
        }
    }
    let totals = snap.income_totals(day);
    let facts = gongfu_core::targets::TargetFacts {
        designations: snap.designations.clone(),
        income_totals: totals.clone(),
        coverage_bp: cov.share_bp(),
    };
    let growth = year.and_then(|y| {
        let now = totals.get(&y)?;
        let before = totals.get(&(y - 1))?;
        growth_bp(*before, *now)
    });
    let live: Vec<&ZoneRec> = snap.zones.iter().filter(|z| z.is_live_on(day)).collect();
    let this_year = day.year();
    let prog = progress(&snap.targets, &facts);
    let zones_by_tier = Tier::ALL
        .iter()
        .map(|t| TierCount {
            tier: t.as_str(),
            label: t.label(),
            count: live
                .iter()
                .filter(|z| {
                    snap.tier_in(z.id, this_year)
                        .is_some_and(|d| d.tier == *t && d.status.counts())
                })
                .count(),
            target: snap
                .targets
                .iter()
                .filter(|x| x.metric == gongfu_core::targets::Metric::ZonesOfTier(*t))
                .filter(|x| x.year <= this_year)
                .max_by_key(|x| x.year)
                .map(|x| x.value),
        })
        .collect();
    Dashboard {
        day: date_string(day),
        is_demo: snap.is_demo,
        year,
        villages_total: cov.total,
        villages_covered: cov.covered,
        coverage_bp: cov.share_bp(),
        communities,
        zones_live: live.len(),
        zones_by_tier,
        weak_villages: weak,
        income_total_fen: incomes.iter().map(|f| f.0).sum(),
        income_median_fen: median(&incomes).map(|f| f.0),
        income_growth_bp: growth,
        income_by_year: totals.iter().map(|(y, f)| (*y, f.0)).collect(),
        income_bands: INCOME_BANDS
            .iter()
            .zip(bands)
            .map(|((_, l), n)| (l.to_string(), n))
            .collect(),
        by_town: cov
            .by_town
            .iter()
            .map(|t| TownStat {
                code: t.town_code.as_str().to_string(),
                name: t.town.clone(),
                villages: t.total,
                covered: t.covered,
                weak: town_weak.get(t.town_code.as_str()).copied().unwrap_or(0),
                income_median_fen: town_incomes
                    .get(t.town_code.as_str())
                    .and_then(|v| median(v))
                    .map(|f| f.0),
            })
            .collect(),
        targets: prog,
    }
}

/// The dashboard with its JSON, computed once per snapshot and day.
pub struct CachedDashboard {
    pub dashboard: Dashboard,
    pub json: axum::body::Bytes,
}

pub fn cached_dashboard(snap: &Snapshot, day: Date) -> std::sync::Arc<CachedDashboard> {
    snap.derived.get_or_insert(&format!("dashboard:{day}"), || {
        let dashboard = dashboard(snap, day);
        let json = serde_json::to_vec(&dashboard).unwrap_or_default().into();
        CachedDashboard { dashboard, json }
    })
}

/// Member row of a zone detail page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub village: VillageRow,
    pub role: &'static str,
    pub from: String,
}

pub fn zone_members(snap: &Snapshot, zone: ZoneId, day: Date) -> Vec<MemberRow> {
    let year = snap.latest_year();
    snap.members(zone, day)
        .into_iter()
        .filter_map(|m| {
            let idx = snap.division_index(&m.village)?;
            Some(MemberRow {
                village: village_row(snap, idx, day, year),
                role: if m.role == MemberRole::Key {
                    "重点村"
                } else {
                    "联结村"
                },
                from: date_string(m.from),
            })
        })
        .collect()
}

/// 审计日志 action names in Chinese, for the log and the history sections.
pub fn action_label(action: &str) -> &str {
    match action {
        "create" => "新建",
        "update" => "修改",
        "dissolve" => "撤销片区",
        "move_village" => "调整归属",
        "set_designation" => "设定等级",
        "set_status" => "撤并/撤销",
        "set_tags" => "修改标签",
        "import" => "导入",
        "set" => "设置",
        "seed" => "生成演示数据",
        "sign_in" => "登录",
        "sign_in_failed" => "登录失败",
        "sign_in_locked" => "登录失败并锁定",
        "change_password" => "修改密码",
        "revoke" => "撤销令牌",
        "save" => "保存方案",
        "delete" => "删除方案",
        "adopt" => "采纳方案",
        "status" => "变更状态",
        "items" => "修改子项",
        "submit" => "提交审议",
        "return" => "退回修改",
        "approve" => "批复",
        "retire" => "退出",
        "zone_role" => "设置片区角色",
        "attach" => "上传附件",
        other => other,
    }
}

/// A stored RFC 3339 UTC time as officials read it: Beijing time to the minute.
pub fn local_time(stored: &str) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::parse(stored, &time::format_description::well_known::Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => stored.to_string(),
    }
}
