//! The ranking workbook (评分排名): a year's zones or teams in ranking order with total, grade,
//! status, change on last year, each dimension's points, and base / bonus / penalty — the hub's
//! table for officials to file or compare in Excel. Points are written as numbers to 0.01.

use crate::IoError;
use crate::award_xlsx::score_cell;
use crate::xlsx_export::{Formats, Grid};
use gongfu_core::scoring::{Points, Ranked, Scorecard};
use rust_xlsxwriter::Workbook;

/// One ranked subject: its place, name, scorecard and status label (经办 / 复核 / 已审批).
pub struct RankingLine<'a> {
    pub ranked: &'a Ranked,
    pub name: &'a str,
    pub card: &'a Scorecard,
    pub status: &'a str,
}

/// The workbook; the dimension columns follow the first line's scorecard (one rubric a year).
pub fn export_ranking(title: &str, lines: &[RankingLine]) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let dims: Vec<String> = lines
        .first()
        .map(|l| {
            l.card
                .dimensions
                .iter()
                .map(|d| format!("{}（{}）", d.name, d.max.short_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut headers: Vec<&str> = vec!["名次", "名称", "总分", "等级", "否决", "状态", "较上年"];
    headers.extend(dims.iter().map(String::as_str));
    headers.extend(["基础分", "加分", "扣分"]);
    {
        let ws = book.add_worksheet();
        ws.set_name(title)?;
        let mut g = Grid::new(ws, &headers, &f)?;
        for (i, l) in lines.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, 0, l.ranked.position as i64)?;
            g.text(r, 1, l.name)?;
            score_cell(&mut g, &f, r, 2, l.card.total)?;
            g.text(r, 3, l.card.rating.label())?;
            g.text(r, 4, if l.card.vetoed() { "是" } else { "否" })?;
            g.text(r, 5, l.status)?;
            match l.ranked.change {
                Some(c) => score_cell(&mut g, &f, r, 6, c)?,
                None => g.text(r, 6, "—")?,
            }
            let mut c = 7u16;
            for d in &l.card.dimensions {
                score_cell(&mut g, &f, r, c, d.points)?;
                c += 1;
            }
            score_cell(&mut g, &f, r, c, l.card.base)?;
            score_cell(&mut g, &f, r, c + 1, l.card.bonus_total)?;
            score_cell(&mut g, &f, r, c + 2, Points(-l.card.penalty_total.0))?;
        }
        g.finish()?;
    }
    Ok(book.save_to_buffer()?)
}
