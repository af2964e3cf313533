//! The printed documents of scoring and awards, laid out with [`crate::pdf`]: the award list
//! (奖补名单) with the inputs that produced it and signature lines, and one zone's or team's
//! scorecard (评分表) with every indicator's points and how they were computed. Pure: the
//! engine's results in, bytes out.

use crate::award_xlsx::{basis_lines, team_lines, zone_lines};
use crate::pdf::{Align, Column, Document, MARGIN, PAGE_WIDTH};
use gongfu_core::Fen;
use gongfu_core::scoring::{AwardResult, ItemScore, RubricKind, Scorecard};
use std::collections::BTreeMap;

const DEMO_LINE: &str =
    "演示数据：本文件中的片区、团队、得分和金额均由程序生成，不得引用、上报或用于决策。";

fn body_width() -> f64 {
    PAGE_WIDTH - 2.0 * MARGIN
}

fn signatures(doc: &mut Document) {
    doc.skip(16.0);
    doc.paragraph(
        "经办：＿＿＿＿＿＿＿＿　　复核：＿＿＿＿＿＿＿＿　　审批：＿＿＿＿＿＿＿＿",
        11.0,
    );
    doc.skip(6.0);
    doc.paragraph(
        "日期：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿",
        11.0,
    );
}

fn yes(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// 奖补名单 as a PDF: the inputs (rubric versions, mode, budget, scale …), the zone list in
/// ranking order and the team list in award order, each with its totals, then signature lines
/// for 经办 / 复核 / 审批. `zones` and `teams` name the ids.
pub fn award_pdf(
    result: &AwardResult,
    zones: &BTreeMap<i64, String>,
    teams: &BTreeMap<i64, String>,
    demo: bool,
) -> Vec<u8> {
    let year = result.input.year;
    let mut doc = Document::new(&format!("{year} 年度共富片区及运营团队奖补名单"));
    doc.heading(&format!("{year} 年度共富片区及运营团队奖补名单"), 16.0);
    if demo {
        doc.paragraph(DEMO_LINE, 10.0);
    }
    doc.heading("计算依据", 12.0);
    let w = body_width();
    let basis: Vec<Vec<String>> = basis_lines(result)
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    doc.table(
        &[
            Column::new("项目", 130.0, Align::Left),
            Column::new("内容", w - 130.0, Align::Left),
        ],
        &basis,
        &[],
    );

    doc.heading("片区奖补", 12.0);
    let cols = [
        Column::new("排名", 24.0, Align::Center),
        Column::new("片区", 66.0, Align::Left),
        Column::new("总分", 38.0, Align::Right),
        Column::new("等级", 38.0, Align::Center),
        Column::new("重点片区", 28.0, Align::Center),
        Column::new("否决", 26.0, Align::Center),
        Column::new("计算方式 / 公式", 76.0, Align::Left),
        // Wide enough for 「10,000,000.00」 on one line.
        Column::new("申请额（元）", 70.0, Align::Right),
        Column::new("核定金额（元）", 70.0, Align::Right),
        Column::new("说明 / 不符合原因", w - 436.0, Align::Left),
    ];
    let lines = zone_lines(result, zones);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let how = if l.mode.is_empty() {
                l.formula.clone()
            } else {
                format!("{}：{}", l.mode, l.formula)
            };
            vec![
                l.rank.to_string(),
                l.name.clone(),
                l.total.hundredths_string(),
                l.rating.to_string(),
                yes(l.district_key),
                yes(l.vetoed),
                how,
                l.claim.yuan_string(),
                l.amount.yuan_string(),
                l.note.clone(),
            ]
        })
        .collect();
    let sum = |f: fn(&crate::award_xlsx::ZoneLine) -> Fen| -> String {
        lines.iter().map(f).sum::<Fen>().yuan_string()
    };
    let mut total = vec![String::new(); cols.len()];
    total[1] = format!("合计（{} 个）", lines.len());
    total[7] = sum(|l| l.claim);
    total[8] = sum(|l| l.amount);
    doc.table(&cols, &rows, &[total]);

    doc.heading("运营团队奖补", 12.0);
    let cols = [
        Column::new("排名", 30.0, Align::Center),
        Column::new("团队", 90.0, Align::Left),
        Column::new("总分", 45.0, Align::Right),
        Column::new("是否过线", 45.0, Align::Center),
        Column::new("申请额（元）", 70.0, Align::Right),
        Column::new("金额（元）", 70.0, Align::Right),
        Column::new("退出预警", 45.0, Align::Center),
        Column::new("说明", w - 395.0, Align::Left),
    ];
    let lines = team_lines(result, teams);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.rank.map(|r| r.to_string()).unwrap_or_default(),
                l.name.clone(),
                l.total.hundredths_string(),
                yes(l.passes),
                l.claim.yuan_string(),
                l.amount.yuan_string(),
                if l.exit_flag { "是" } else { "" }.to_string(),
                l.note.clone(),
            ]
        })
        .collect();
    let mut total = vec![String::new(); cols.len()];
    total[1] = format!("合计（{} 个）", lines.len());
    total[4] = lines.iter().map(|l| l.claim).sum::<Fen>().yuan_string();
    total[5] = lines.iter().map(|l| l.amount).sum::<Fen>().yuan_string();
    doc.table(&cols, &rows, &[total]);
    doc.paragraph(
        &format!(
            "实奖合计 {} 元（片区与运营团队），应奖合计 {} 元。",
            result.paid_total.yuan_string(),
            result.claims_total.yuan_string()
        ),
        10.0,
    );
    signatures(&mut doc);
    doc.finish()
}

fn item_rows(kind: &str, items: &[ItemScore], sign: &str) -> Vec<Vec<String>> {
    items
        .iter()
        .filter(|i| i.count > 0)
        .map(|i| {
            vec![
                kind.to_string(),
                format!("{} {}", i.id, i.label),
                i.count.to_string(),
                if sign.is_empty() {
                    String::new()
                } else {
                    format!("{sign}{}", i.points)
                },
                i.note.clone(),
            ]
        })
        .collect()
}

/// 评分表 of one zone or team as a PDF: per dimension, each indicator with its maximum, its
/// points, how they were computed (one line per rule) and the responsible department; then
/// the bonus, penalty and veto items that applied, and the total with its grade.
pub fn scorecard_pdf(card: &Scorecard, subject: &str, demo: bool) -> Vec<u8> {
    let whom = match card.kind {
        RubricKind::Zone => "共富片区",
        RubricKind::Team => "运营团队",
    };
    let title = format!("{subject} {} 年度{whom}评分表", card.year);
    let mut doc = Document::new(&title);
    doc.heading(&title, 16.0);
    doc.paragraph(
        &format!(
            "评分细则：{} 年第 {} 版　满分 {} 分　总分 {} 分　等级 {}",
            card.year,
            card.version,
            card.max.short_string(),
            card.total.hundredths_string(),
            card.rating.label()
        ),
        10.0,
    );
    if demo {
        doc.paragraph(DEMO_LINE, 10.0);
    }
    let w = body_width();
    let cols = [
        Column::new("指标", 150.0, Align::Left),
        Column::new("分值", 36.0, Align::Right),
        Column::new("得分", 36.0, Align::Right),
        Column::new("计分说明", w - 150.0 - 72.0 - 86.0, Align::Left),
        Column::new("责任部门", 86.0, Align::Left),
    ];
    for d in &card.dimensions {
        doc.heading(
            &format!(
                "{} {}（得分 {} / 满分 {}）",
                d.id,
                d.name,
                d.points,
                d.max.short_string()
            ),
            11.0,
        );
        let rows: Vec<Vec<String>> = d
            .indicators
            .iter()
            .map(|i| {
                let why = if i.rules.len() == 1 {
                    i.rules[0].explanation.clone()
                } else {
                    i.rules
                        .iter()
                        .map(|r| format!("{}：{}", r.label, r.explanation))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                vec![
                    format!("{} {}", i.id, i.name),
                    i.max.short_string(),
                    i.points.hundredths_string(),
                    why,
                    i.department.clone(),
                ]
            })
            .collect();
        doc.table(&cols, &rows, &[]);
    }

    doc.heading("加分、扣分与一票否决", 11.0);
    let mut rows = item_rows("加分", &card.bonus, "+");
    rows.extend(item_rows("扣分", &card.penalties, "−"));
    rows.extend(item_rows("否决", &card.vetoes, ""));
    if rows.is_empty() {
        doc.paragraph("无加分、扣分或否决事项。", 10.0);
    } else {
        doc.table(
            &[
                Column::new("类别", 36.0, Align::Center),
                Column::new("项目", 220.0, Align::Left),
                Column::new("次数", 36.0, Align::Right),
                Column::new("分值", 50.0, Align::Right),
                Column::new("说明", w - 342.0, Align::Left),
            ],
            &rows,
            &[],
        );
    }

    doc.heading("合计", 11.0);
    let mut summary = vec![
        vec!["基础分".to_string(), card.base.hundredths_string()],
        vec![
            "加分".to_string(),
            if card.bonus_total < card.bonus_before_cap {
                format!(
                    "+{}（各项合计 {}，超出加分上限）",
                    card.bonus_total, card.bonus_before_cap
                )
            } else {
                format!("+{}", card.bonus_total)
            },
        ],
        vec!["扣分".to_string(), format!("−{}", card.penalty_total)],
        vec!["总分".to_string(), card.total.hundredths_string()],
        vec!["等级".to_string(), card.rating.label().to_string()],
    ];
    if card.vetoed() {
        summary.push(vec![
            "一票否决".to_string(),
            "触发否决项：等级为不合格，不予奖补".to_string(),
        ]);
    }
    doc.table(
        &[
            Column::new("项目", 100.0, Align::Left),
            Column::new("分数", w - 100.0, Align::Left),
        ],
        &summary,
        &[],
    );
    doc.paragraph(
        "说明：比例类得分向下取整到 0.01 分，不超过指标满分；总分按基础分 + 加分 − 扣分计算，不低于 0。",
        9.0,
    );
    signatures(&mut doc);
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::award_xlsx::tests::example;
    use gongfu_core::scoring::{Input, Inputs, Mark, Ratio, default_zone_rubric, score};

    /// Every cross-reference offset points at its object, and streams have their length.
    fn assert_structure(pdf: &[u8]) {
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(pdf).into_owned();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n"));
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        let mut lines = table.lines().skip(1);
        let n: usize = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        lines.next();
        for (i, l) in lines.take(n - 1).enumerate() {
            let o: usize = l[..10].parse().unwrap();
            assert!(pdf[o..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        for part in text.split("<< /Length ").skip(1) {
            let (len, rest) = part.split_once(" >>\nstream\n").unwrap();
            let len: usize = len.parse().unwrap();
            assert!(rest.as_bytes()[len..].starts_with(b"\nendstream"));
        }
    }

    /// pdftotext's text, or `None` (with a notice) where poppler is not installed; on CI a
    /// missing pdftotext fails the test.
    fn pdftotext(pdf: &[u8]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.pdf");
        std::fs::write(&path, pdf).unwrap();
        match std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
        {
            Ok(out) => {
                assert!(out.status.success());
                Some(String::from_utf8(out.stdout).unwrap())
            }
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "pdftotext is missing on CI: {e}"
                );
                eprintln!("skipped: pdftotext not installed (apt-get install poppler-utils)");
                None
            }
        }
    }

    #[test]
    fn the_award_list_pdf_shows_zones_amounts_and_signatures() {
        let (result, zones, teams) = example();
        let pdf = award_pdf(&result, &zones, &teams, false);
        assert_structure(&pdf);
        if let Some(text) = pdftotext(&pdf) {
            assert!(text.contains("平水若耶片区"), "{text}");
            assert!(text.contains("888,888.89"), "{text}");
            assert!(text.contains("2,400,000.00"), "{text}");
            // A space is narrow (0.207 em): extraction may drop it.
            assert!(text.replace(' ', "").contains("8/9"), "{text}");
            assert!(text.contains("审批"), "{text}");
        }
    }

    #[test]
    fn a_scorecard_pdf_shows_the_subject_the_explanations_and_the_total() {
        let rubric = default_zone_rubric(2025);
        let mut inputs = Inputs::default();
        inputs.values.insert("1.1".into(), Input::Mark(Mark::B));
        inputs.values.insert("1.2".into(), Input::Number(7_200));
        inputs
            .values
            .insert("1.3".into(), Input::Ratio(Ratio::new(2, 3).unwrap()));
        inputs.bonus.insert("B3".into(), 3);
        inputs.penalties.insert("P3".into(), 1);
        let card = score(&rubric, &inputs);
        let pdf = scorecard_pdf(&card, "平水若耶片区", true);
        assert_structure(&pdf);
        if let Some(text) = pdftotext(&pdf) {
            assert!(text.contains("平水若耶片区"), "{text}");
            assert!(text.contains(&card.total.hundredths_string()), "{text}");
            assert!(text.contains("4 × min(1, 72% ÷ 90%) = 3.20"), "{text}");
            assert!(text.contains("区农业农村局"), "{text}");
            assert!(text.contains("演示数据"), "{text}");
        }
    }
}
