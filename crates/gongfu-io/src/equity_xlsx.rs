//! 发放清单: the payout sheet of a distribution, the workbook a town's finance office pays
//! from — one row per paid holder with the amount per share class, the total, blank 开户行 /
//! 账号 columns for the town to fill in (the platform keeps no bank details), and a 签字
//! column for the receipt; a totals row; and a 说明 sheet with the waterfall and the check
//! that 本期留存 + 分配合计 = 净收益. Every amount is the stored distribution's, in fen until the
//! cell (`write_fen`), so the sheet adds up to the fen.

use crate::IoError;
use crate::work_xlsx::{guide_with_notes, write_fen};
use crate::xlsx_export::{Formats, Grid};
use gongfu_core::Fen;
use gongfu_core::equity::distribution::Source;
use gongfu_core::equity::{ClassId, Distribution, HolderKind};
use gongfu_store::equity::{DistributionRecord, EntityRecord};
use rust_xlsxwriter::{Workbook, XlsxError};

pub const PAYOUT_SHEET: &str = "发放清单";
pub const NOTES_SHEET: &str = "说明";
pub const COL_NO: &str = "序号";
pub const COL_HOLDER: &str = "股东";
pub const COL_KIND: &str = "类别";
pub const COL_VILLAGE: &str = "所属村";
pub const COL_INCENTIVE: &str = "运营激励（元）";
pub const COL_TOTAL: &str = "合计（元）";
pub const COL_BANK: &str = "开户行";
pub const COL_ACCOUNT: &str = "账号";
pub const COL_SIGN: &str = "签字";

/// The column header of a class's amounts.
pub fn class_header(name: &str) -> String {
    format!("{name}（元）")
}

/// What the sheet needs besides the distribution: the entity (names, classes), the name of a
/// village by code, and whether the database is the demo.
pub struct PayoutSheet<'a> {
    pub record: &'a DistributionRecord,
    pub computed: &'a Distribution,
    pub entity: &'a EntityRecord,
    pub village_name: &'a dyn Fn(&str) -> String,
    pub demo: bool,
}

/// The workbook: 发放清单, 说明 (waterfall and check) and 填表说明 (the columns).
pub fn payout_sheet(s: &PayoutSheet) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_payouts(&mut book, &f, s)?;
    write_notes(&mut book, &f, s)?;
    let classes: Vec<(&str, String)> = vec![
        (COL_NO, "按股东编号排列的顺序号。".into()),
        (COL_HOLDER, "股东名称，与股东名册一致。".into()),
        (
            COL_KIND,
            "股东类型：村集体、企业、国有公司、农户、社员。".into(),
        ),
        (
            COL_VILLAGE,
            "村集体、农户所属的村；其金额计入该村集体经济收入（村集体分配额）。".into(),
        ),
        (
            "各类别（元）",
            "该股东在各股份类别的分配额（含该类别的保底收益），元，精确到分。".into(),
        ),
        (
            COL_INCENTIVE,
            "经营者激励（仅在方案设有激励时出现）。".into(),
        ),
        (
            COL_TOTAL,
            "该股东本期分配额合计，与分配方案一致，精确到分。".into(),
        ),
        (
            COL_BANK,
            "平台不保存银行信息：由镇街或发放单位填写开户行。".into(),
        ),
        (COL_ACCOUNT, "由镇街或发放单位填写收款账号。".into()),
        (COL_SIGN, "领款人签字（打印后手签）。".into()),
    ];
    guide_with_notes(
        &mut book,
        &f,
        &classes,
        &[],
        &[
            "金额取自已保存的分配方案，未经重新计算；合计行等于各股东分配额之和。",
            "请勿修改金额列：如需更正，应在平台中起草更正方案，审核批准后重新导出。",
        ],
    )?;
    Ok(book.save_to_buffer()?)
}

fn write_payouts(book: &mut Workbook, f: &Formats, s: &PayoutSheet) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(PAYOUT_SHEET)?;
    let classes: Vec<(ClassId, String)> = s
        .entity
        .spec
        .classes()
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect();
    let has_incentive = s
        .computed
        .payouts
        .iter()
        .flat_map(|p| &p.parts)
        .any(|q| q.source == Source::Incentive);
    let mut headers: Vec<String> = vec![COL_NO, COL_HOLDER, COL_KIND, COL_VILLAGE]
        .into_iter()
        .map(String::from)
        .collect();
    headers.extend(classes.iter().map(|(_, n)| class_header(n)));
    if has_incentive {
        headers.push(COL_INCENTIVE.into());
    }
    headers.extend([COL_TOTAL, COL_BANK, COL_ACCOUNT, COL_SIGN].map(String::from));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let first_amount = 4;
    let total_col = first_amount + classes.len() + usize::from(has_incentive);
    let mut g = Grid::new(ws, &headers, f)?;
    let mut column_sums = vec![0i64; classes.len() + usize::from(has_incentive)];
    let mut total_sum = 0i64;
    for (i, p) in s.computed.payouts.iter().enumerate() {
        let r = i as u32 + 1;
        let holder = s.entity.holder(p.holder);
        g.int(r, 0, i as i64 + 1)?;
        g.text(
            r,
            1,
            &holder
                .map(|h| h.name.clone())
                .unwrap_or_else(|| format!("股东 {}", p.holder.0)),
        )?;
        g.text(r, 2, holder.map(|h| h.kind.label()).unwrap_or(""))?;
        let village = holder
            .and_then(|h| h.village.as_ref())
            .map(|v| (s.village_name)(v.as_str()))
            .unwrap_or_default();
        g.text(r, 3, &village)?;
        let mut cells: Vec<i64> = classes
            .iter()
            .map(|(c, _)| {
                p.parts
                    .iter()
                    .filter(|q| q.class == Some(*c))
                    .map(|q| q.amount.0)
                    .sum()
            })
            .collect();
        if has_incentive {
            cells.push(
                p.parts
                    .iter()
                    .filter(|q| q.source == Source::Incentive)
                    .map(|q| q.amount.0)
                    .sum(),
            );
        }
        for (k, v) in cells.iter().enumerate() {
            write_fen(&mut g, f, r, first_amount + k, Fen(*v))?;
            column_sums[k] += v;
        }
        write_fen(&mut g, f, r, total_col, p.amount)?;
        total_sum += p.amount.0;
        // Blank cells to fill in; seen so the columns are wide enough to write in.
        g.seen(r, (total_col + 1) as u16, 16);
        g.seen(r, (total_col + 2) as u16, 22);
        g.seen(r, (total_col + 3) as u16, 12);
    }
    let r = s.computed.payouts.len() as u32 + 1;
    g.ws.write_string_with_format(r, 1, "合计", &f.header)?;
    g.text(r, 2, &format!("{} 个股东", s.computed.payouts.len()))?;
    for (k, v) in column_sums.iter().enumerate() {
        write_fen(&mut g, f, r, first_amount + k, Fen(*v))?;
    }
    write_fen(&mut g, f, r, total_col, Fen(total_sum))?;
    g.finish()
}

fn write_notes(book: &mut Workbook, f: &Formats, s: &PayoutSheet) -> Result<(), XlsxError> {
    let d = s.computed;
    let ws = book.add_worksheet();
    ws.set_name(NOTES_SHEET)?;
    let mut g = Grid::new(ws, &["项目", "金额（元）", "说明"], f)?;
    let steps: [(&str, Fen, String); 9] = [
        ("净收益", d.net_income, "本年度净收益（亏损为负）".into()),
        ("弥补亏损", d.loss_cover, "弥补以前年度亏损".into()),
        ("公积金", d.reserve, "提取公积金".into()),
        ("公益金", d.welfare, "提取公益金".into()),
        (
            "保底",
            d.guarantee_from_profit + d.guarantee_from_reserves,
            if d.guarantee_from_reserves.0 > 0 {
                format!(
                    "其中动用公积金 {} 元",
                    d.guarantee_from_reserves.yuan_string()
                )
            } else {
                "保底收益".into()
            },
        ),
        ("运营激励", d.incentive, "经营者激励".into()),
        ("可分配", d.distributed, "按类别比例分给各股东".into()),
        (
            "本期留存",
            d.retained,
            "= 净收益 − 各股东分配额之和（含公积金、公益金、弥补亏损与未分配部分）".into(),
        ),
        (
            "上期结转",
            d.prior_loss,
            format!(
                "上年结转的亏损；结转下期亏损 {} 元",
                d.loss_carried_forward.yuan_string()
            ),
        ),
    ];
    let mut r = 1u32;
    g.text(
        r,
        0,
        &format!(
            "{} {} 年度收益分配（方案 {}，{}）",
            s.entity.spec.name(),
            s.record.year,
            s.record.id,
            s.record.status.label()
        ),
    )?;
    r += 1;
    for (label, amount, note) in &steps {
        g.text(r, 0, label)?;
        write_fen(&mut g, f, r, 1, *amount)?;
        g.text(r, 2, note)?;
        r += 1;
    }
    let paid = d.total_paid();
    g.text(r, 0, "分配合计")?;
    write_fen(&mut g, f, r, 1, paid)?;
    g.text(r, 2, "发放清单合计行")?;
    r += 1;
    let village: Fen = d
        .payouts
        .iter()
        .filter(|p| {
            s.entity
                .holder(p.holder)
                .is_some_and(|h| h.kind == HolderKind::VillageCollective)
        })
        .map(|p| p.amount)
        .sum();
    g.text(r, 0, "其中村集体分配额")?;
    write_fen(&mut g, f, r, 1, village)?;
    r += 2;
    let balanced = d.retained + paid == d.net_income;
    g.text(
        r,
        0,
        &format!(
            "核对：本期留存 {} + 分配合计 {} = 净收益 {} 元{}",
            d.retained.yuan_string(),
            paid.yuan_string(),
            d.net_income.yuan_string(),
            if balanced {
                "（相符，精确到分）"
            } else {
                "（不相符，请核查）"
            }
        ),
    )?;
    if s.demo {
        r += 2;
        g.text(
            r,
            0,
            "演示数据：本文件导出自演示数据库，主体、股东和金额均由程序生成，不得用于发放。",
        )?;
    }
    g.finish()
}
