//! 片区指标数据表: the named indicator figures of every zone for one year, one row per zone,
//! and a 口径说明 sheet with each figure's key, unit and rule — what the scoring engine reads,
//! in the form a bureau official checks it. Export only: the figures are computed from the
//! records, never typed in.

use crate::IoError;
use crate::xlsx_export::{Formats, Grid, demo_notice};
use gongfu_core::ops::indicators::{Indicator, Unit};
use gongfu_store::ops::ZoneFigures;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The column header of an indicator: name and the unit the cell is written in.
fn header(i: Indicator) -> String {
    let unit = match i.unit() {
        Unit::Fen => "元",
        u => u.label(),
    };
    format!("{}（{unit}）", i.label())
}

fn write_table(
    book: &mut Workbook,
    f: &Formats,
    year: i32,
    rows: &[ZoneFigures],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(format!("{year}年指标数据"))?;
    let mut headers = vec!["片区编号".to_string(), "片区".to_string()];
    headers.extend(Indicator::ALL.iter().map(|i| header(*i)));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let tenths = Format::new().set_num_format("0.0");
    let percent = Format::new().set_num_format("0.00%");
    let mut g = Grid::new(ws, &headers, f)?;
    for (i, z) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        g.int(r, 0, z.zone)?;
        g.text(r, 1, &z.name)?;
        for (k, fig) in z.figures.iter().enumerate() {
            let c = (k + 2) as u16;
            match fig.indicator.unit() {
                // The one place fen become a float: exact below 2^53 fen.
                Unit::Fen => {
                    g.ws.write_number_with_format(r, c, fig.value as f64 / 100.0, &f.money)?;
                    g.seen(r, c, fig.value.to_string().len() + 3);
                }
                Unit::HourTenths => {
                    g.ws.write_number_with_format(r, c, fig.value as f64 / 10.0, &tenths)?;
                    g.seen(r, c, fig.value.to_string().len() + 2);
                }
                // A percentage cell holds the fraction (6.69 % is 0.0669) so Excel computes.
                Unit::BasisPoints => {
                    g.ws.write_number_with_format(r, c, fig.value as f64 / 10_000.0, &percent)?;
                    g.seen(r, c, fig.value.to_string().len() + 3);
                }
                _ => g.count(r, c, fig.value, f)?,
            }
        }
    }
    g.finish()
}

fn write_rules(book: &mut Workbook, f: &Formats) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("口径说明")?;
    let mut g = Grid::new(ws, &["键", "指标", "单位", "计算口径"], f)?;
    for (k, i) in Indicator::ALL.iter().enumerate() {
        let r = k as u32 + 1;
        g.text(r, 0, i.key())?;
        g.text(r, 1, i.label())?;
        g.text(r, 2, i.unit().label())?;
        g.text(r, 3, i.rule())?;
    }
    g.finish()
}

/// The workbook: the year's table, the rules, and a demo notice when the data is invented.
pub fn export_indicator_table(
    year: i32,
    rows: &[ZoneFigures],
    demo: bool,
) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_table(&mut book, &f, year, rows)?;
    write_rules(&mut book, &f)?;
    if demo {
        demo_notice(&mut book, &f, "片区指标数据表")?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use gongfu_core::ops::indicators::Figure;
    use std::io::Cursor;

    #[test]
    fn money_is_written_in_yuan_and_hours_in_hours() {
        let figures: Vec<Figure> = Indicator::ALL
            .iter()
            .map(|i| Figure {
                indicator: *i,
                value: 12_345,
                sources: vec![],
            })
            .collect();
        let bytes = export_indicator_table(
            2025,
            &[ZoneFigures {
                zone: 7,
                name: "平水片区".into(),
                figures,
            }],
            false,
        )
        .unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("2025年指标数据").unwrap();
        let col = |i: Indicator| 2 + Indicator::ALL.iter().position(|x| *x == i).unwrap();
        let cell = |c: usize| sheet.get((1, c)).cloned().unwrap();
        assert_eq!(cell(1), Data::String("平水片区".into()));
        assert_eq!(cell(col(Indicator::TeamRevenue)), Data::Float(123.45));
        assert_eq!(cell(col(Indicator::TrainingHours)), Data::Float(1234.5));
        assert_eq!(cell(col(Indicator::Workshops)), Data::Float(12_345.0));
        let rules = book.worksheet_range("口径说明").unwrap();
        assert_eq!(rules.height(), Indicator::ALL.len() + 1);
    }
}
