//! The award list workbook (奖补名单): an [`AwardResult`] for officials — 片区奖补 (zones in
//! ranking order), 运营团队奖补 (teams in their award order) and 计算依据 (every input that
//! produced the list). Amounts are written exactly with [`write_fen`], with a totals row, so
//! Σ 核定金额 in Excel is the result's `paid_total` to the fen. The same lines feed the PDF
//! ([`crate::scoring_pdf::award_pdf`]).

use crate::IoError;
use crate::work_xlsx::write_fen;
use crate::xlsx_export::{Formats, Grid};
use gongfu_core::Fen;
use gongfu_core::scoring::params::value_text;
use gongfu_core::scoring::{AwardResult, Points, Unit, ZoneAwardMode};
use rust_xlsxwriter::{Workbook, XlsxError};
use std::collections::BTreeMap;

pub const ZONES_SHEET: &str = "片区奖补";
pub const TEAMS_SHEET: &str = "运营团队奖补";
pub const BASIS_SHEET: &str = "计算依据";

pub const ZONE_HEADERS: [&str; 11] = [
    "排名",
    "片区",
    "总分",
    "等级",
    "是否区级重点片区",
    "是否否决",
    "计算方式",
    "公式",
    "申请额（元）",
    "核定金额（元）",
    "说明/不符合原因",
];

pub const TEAM_HEADERS: [&str; 8] = [
    "排名",
    "团队",
    "总分",
    "是否过线",
    "申请额（元）",
    "金额（元）",
    "退出预警",
    "说明",
];

/// One zone's line of the list, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneLine {
    /// 1-based; zones equal in (veto, total) share a place.
    pub rank: usize,
    pub name: String,
    pub total: Points,
    pub rating: &'static str,
    pub district_key: bool,
    pub vetoed: bool,
    pub mode: &'static str,
    pub formula: String,
    pub claim: Fen,
    pub amount: Fen,
    pub note: String,
}

/// One team's line of the list, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamLine {
    /// The place among eligible distinct teams; `None` when not eligible.
    pub rank: Option<usize>,
    pub name: String,
    pub total: Points,
    pub passes: bool,
    pub claim: Fen,
    pub amount: Fen,
    pub exit_flag: bool,
    pub note: String,
}

fn name_of(names: &BTreeMap<i64, String>, id: i64, what: &str) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| format!("{what} {id}"))
}

/// Basis points exactly as a percentage: 8,000 → 80%.
fn pct(bp: i64) -> String {
    value_text(bp, Unit::Percent)
}

/// A total as a number with two decimals, so the column sorts and sums in Excel.
pub(crate) fn score_cell(
    g: &mut Grid,
    f: &Formats,
    r: u32,
    c: u16,
    p: Points,
) -> Result<(), XlsxError> {
    g.ws.write_number_with_format(r, c, p.0 as f64 / 100.0, &f.area)?;
    g.seen(r, c, p.hundredths_string().len() + 1);
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn note(reasons: &[String], partial: bool) -> String {
    let mut v = reasons.to_vec();
    if partial && !v.iter().any(|r| r.contains("部分")) {
        v.push("部分拨付".to_string());
    }
    v.join("；")
}

/// The zone lines in ranking order: not vetoed first, then total descending, then zone id.
pub fn zone_lines(result: &AwardResult, zones: &BTreeMap<i64, String>) -> Vec<ZoneLine> {
    let cand = |id: i64| result.input.zones.iter().find(|c| c.zone == id);
    let mut order: Vec<_> = result
        .zones
        .iter()
        .map(|z| {
            let vetoed = cand(z.zone).is_some_and(|c| c.vetoed);
            (z, vetoed)
        })
        .collect();
    let key = |(z, v): &(&gongfu_core::scoring::ZoneAward, bool)| (*v, std::cmp::Reverse(z.total));
    order.sort_by(|a, b| key(a).cmp(&key(b)).then(a.0.zone.cmp(&b.0.zone)));
    let mut out: Vec<ZoneLine> = Vec::with_capacity(order.len());
    for (i, entry) in order.iter().enumerate() {
        let (z, vetoed) = *entry;
        let rank = match (i.checked_sub(1).map(|p| &order[p]), out.last()) {
            (Some(prev), Some(l)) if key(prev) == key(entry) => l.rank,
            _ => i + 1,
        };
        out.push(ZoneLine {
            rank,
            name: name_of(zones, z.zone, "片区"),
            total: z.total,
            rating: z.rating.label(),
            district_key: cand(z.zone).is_some_and(|c| c.district_key),
            vetoed,
            mode: if z.eligible {
                result.input.zone_rules.mode.label()
            } else {
                ""
            },
            formula: z.formula.clone(),
            claim: z.claim,
            amount: z.amount,
            note: note(&z.reasons, z.partial),
        });
    }
    out
}

/// The team lines in the allocation's order (ranked, tie-breakers applied).
pub fn team_lines(result: &AwardResult, teams: &BTreeMap<i64, String>) -> Vec<TeamLine> {
    let share = result.input.team_rules.pass_share_bp;
    result
        .teams
        .iter()
        .map(|t| TeamLine {
            rank: t.position,
            name: name_of(teams, t.team, "团队"),
            total: t.total,
            passes: i128::from(t.total.0) * 10_000 >= i128::from(t.max.0) * i128::from(share),
            claim: t.claim,
            amount: t.amount,
            exit_flag: t.exit_flag,
            note: note(&t.reasons, t.partial),
        })
        .collect()
}

/// 计算依据 as (item, value) lines; money values as yuan text.
pub fn basis_lines(result: &AwardResult) -> Vec<(String, String)> {
    let i = &result.input;
    let z = &i.zone_rules;
    let t = &i.team_rules;
    let mode = match z.mode {
        ZoneAwardMode::Grade {
            excellent_bp,
            good_bp,
            pass_bp,
        } => format!(
            "按等次：优秀 {}、良好 {}、合格 {}（占上限的比例）",
            pct(excellent_bp),
            pct(good_bp),
            pct(pass_bp)
        ),
        ZoneAwardMode::Linear { low, high } => format!(
            "按分数线性：{} 分起、{} 分及以上全额",
            low.short_string(),
            high.short_string()
        ),
    };
    let mut v = vec![
        ("年度".to_string(), i.year.to_string()),
        (
            "评分细则版本（片区）".to_string(),
            format!("{} 年第 {} 版", i.year, i.zone_rubric_version),
        ),
        (
            "评分细则版本（运营团队）".to_string(),
            format!("{} 年第 {} 版", i.year, i.team_rubric_version),
        ),
        ("片区奖补模式".to_string(), mode),
        ("片区奖补上限（元）".to_string(), z.cap.yuan_string()),
        (
            "投资额比例上限".to_string(),
            z.investment_share_bp
                .map(|r| format!("合格投资额的 {}", pct(r)))
                .unwrap_or_else(|| "未启用".to_string()),
        ),
        (
            "运营团队奖补".to_string(),
            format!(
                "每个团队 {} 元，每年最多 {} 个，合格线为满分的 {}",
                t.amount.yuan_string(),
                t.max_teams,
                pct(t.pass_share_bp)
            ),
        ),
        (
            "年度预算（元）".to_string(),
            i.budget
                .map(|b| b.yuan_string())
                .unwrap_or_else(|| "不限".to_string()),
        ),
        ("预算不足时".to_string(), i.shortfall.label().to_string()),
        (
            "缩放比例".to_string(),
            match result.scale {
                Some(f) => format!("{} / {}", f.num, f.den),
                None => "无（全额拨付）".to_string(),
            },
        ),
        (
            "应奖合计（元）".to_string(),
            result.claims_total.yuan_string(),
        ),
        (
            "实奖合计（元）".to_string(),
            result.paid_total.yuan_string(),
        ),
        ("备注".to_string(), result.note.clone()),
    ];
    v.retain(|(_, s)| !s.is_empty());
    v
}

/// The award list workbook: 片区奖补, 运营团队奖补 and 计算依据. `zones` and `teams` name the
/// ids (an id without a name is written 「片区 7」).
pub fn export_awards(
    result: &AwardResult,
    zones: &BTreeMap<i64, String>,
    teams: &BTreeMap<i64, String>,
) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let ws = book.add_worksheet();
        ws.set_name(ZONES_SHEET)?;
        let mut g = Grid::new(ws, &ZONE_HEADERS, &f)?;
        let lines = zone_lines(result, zones);
        for (i, l) in lines.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, 0, l.rank as i64)?;
            g.text(r, 1, &l.name)?;
            score_cell(&mut g, &f, r, 2, l.total)?;
            g.text(r, 3, l.rating)?;
            g.text(r, 4, yes(l.district_key))?;
            g.text(r, 5, yes(l.vetoed))?;
            g.text(r, 6, l.mode)?;
            g.text(r, 7, &l.formula)?;
            write_fen(&mut g, &f, r, 8, l.claim)?;
            write_fen(&mut g, &f, r, 9, l.amount)?;
            g.text(r, 10, &l.note)?;
        }
        let r = lines.len() as u32 + 1;
        g.ws.write_string_with_format(r, 1, "合计", &f.header)?;
        write_fen(&mut g, &f, r, 8, lines.iter().map(|l| l.claim).sum())?;
        write_fen(&mut g, &f, r, 9, lines.iter().map(|l| l.amount).sum())?;
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(TEAMS_SHEET)?;
        let mut g = Grid::new(ws, &TEAM_HEADERS, &f)?;
        let lines = team_lines(result, teams);
        for (i, l) in lines.iter().enumerate() {
            let r = i as u32 + 1;
            if let Some(p) = l.rank {
                g.int(r, 0, p as i64)?;
            }
            g.text(r, 1, &l.name)?;
            score_cell(&mut g, &f, r, 2, l.total)?;
            g.text(r, 3, yes(l.passes))?;
            write_fen(&mut g, &f, r, 4, l.claim)?;
            write_fen(&mut g, &f, r, 5, l.amount)?;
            g.text(r, 6, if l.exit_flag { "是" } else { "" })?;
            g.text(r, 7, &l.note)?;
        }
        let r = lines.len() as u32 + 1;
        g.ws.write_string_with_format(r, 1, "合计", &f.header)?;
        write_fen(&mut g, &f, r, 4, lines.iter().map(|l| l.claim).sum())?;
        write_fen(&mut g, &f, r, 5, lines.iter().map(|l| l.amount).sum())?;
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(BASIS_SHEET)?;
        let mut g = Grid::new(ws, &["项目", "内容"], &f)?;
        for (i, (k, v)) in basis_lines(result).iter().enumerate() {
            let r = i as u32 + 1;
            g.text(r, 0, k)?;
            g.text(r, 1, v)?;
        }
        g.finish()?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use gongfu_core::scoring::{
        AwardInput, Rating, Shortfall, TeamAwardRules, TeamCandidate, ZoneAwardRules,
        ZoneCandidate, allocate,
    };
    use std::io::Cursor;

    fn zc(zone: i64, total: i64, rating: Rating, key: bool, vetoed: bool) -> ZoneCandidate {
        ZoneCandidate {
            zone,
            district_key: key,
            total: Points(total),
            max: Points::whole(100),
            rating,
            vetoed,
            eligible_investment: None,
        }
    }

    fn tc(team: i64, total: i64, income: i64) -> TeamCandidate {
        TeamCandidate {
            team,
            total: Points(total),
            max: Points::whole(100),
            vetoed: false,
            collective_income_increase: Fen(income),
            revenue: Fen(0),
            contract_start: None,
            last_total: Some(Points(5_000)),
        }
    }

    /// The docs' worked example: four zones, three teams, 2,400,000 元 pro rata (× 8/9).
    pub(crate) fn example() -> (AwardResult, BTreeMap<i64, String>, BTreeMap<i64, String>) {
        let input = AwardInput {
            year: 2025,
            zone_rubric_version: 2,
            team_rubric_version: 1,
            zone_rules: ZoneAwardRules::default(),
            team_rules: TeamAwardRules::default(),
            budget: Some(Fen(240_000_000)),
            shortfall: Shortfall::ProRata,
            zones: vec![
                zc(1, 9_816, Rating::Excellent, true, false),
                zc(2, 8_044, Rating::Good, true, false),
                zc(3, 7_066, Rating::Pass, true, false),
                zc(4, 10_000, Rating::Fail, true, true),
            ],
            teams: vec![
                tc(11, 8_250, 60_000_000),
                tc(12, 8_250, 45_000_000),
                tc(13, 5_500, 0),
            ],
        };
        let result = allocate(&input).unwrap();
        let zones = [
            (1, "平水若耶片区"),
            (2, "王坛舜源片区"),
            (3, "稽东云上片区"),
        ]
        .into_iter()
        .map(|(i, n)| (i, n.to_string()))
        .collect();
        let teams = [
            (11, "若耶运营公司"),
            (12, "舜源文旅团队"),
            (13, "云上乡村CEO"),
        ]
        .into_iter()
        .map(|(i, n)| (i, n.to_string()))
        .collect();
        (result, zones, teams)
    }

    fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range(name).unwrap();
        range.rows().map(|r| r.to_vec()).collect()
    }

    fn fen(d: &Data) -> i64 {
        match d {
            Data::Float(f) => (f * 100.0).round() as i64,
            Data::Int(i) => i * 100,
            other => panic!("not an amount: {other:?}"),
        }
    }

    #[test]
    fn the_amounts_in_the_sheets_add_up_to_the_paid_total() {
        let (result, zones, teams) = example();
        assert!(result.scale.is_some());
        let bytes = export_awards(&result, &zones, &teams).unwrap();
        let z = sheet(&bytes, ZONES_SHEET);
        let t = sheet(&bytes, TEAMS_SHEET);
        assert_eq!(z[0][9], Data::String("核定金额（元）".into()));
        let body = |rows: &[Vec<Data>]| rows.len() - 2;
        let zone_sum: i64 = z[1..=body(&z)].iter().map(|r| fen(&r[9])).sum();
        let team_sum: i64 = t[1..=body(&t)].iter().map(|r| fen(&r[5])).sum();
        assert_eq!(zone_sum + team_sum, result.paid_total.0);
        assert_eq!(result.paid_total, Fen(240_000_000));
        // The totals rows say the same.
        assert_eq!(fen(&z.last().unwrap()[9]), zone_sum);
        assert_eq!(fen(&t.last().unwrap()[5]), team_sum);
        // Ranking order, names, the vetoed zone last with its reason.
        assert_eq!(z[1][1], Data::String("平水若耶片区".into()));
        assert_eq!(fen(&z[1][9]), 88_888_889);
        assert_eq!(z[4][1], Data::String("片区 4".into()));
        assert_eq!(z[4][5], Data::String("是".into()));
        assert!(z[4][10].to_string().contains("一票否决"));
        // Team 13 is under the pass line two years running.
        assert_eq!(t[3][3], Data::String("否".into()));
        assert_eq!(t[3][6], Data::String("是".into()));
        let basis = sheet(&bytes, BASIS_SHEET);
        let text: Vec<String> = basis.iter().map(|r| r[1].to_string()).collect();
        assert!(text.contains(&"8 / 9".to_string()), "{text:?}");
        assert!(text.contains(&"2025 年第 2 版".to_string()));
    }
}
