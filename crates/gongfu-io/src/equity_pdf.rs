//! The printed documents of a share register (股权登记簿), laid out with [`crate::pdf`]:
//! the 股东名册 as of a day (holders × classes, totals, and the numbered register lines in
//! force) and a holder's 股权证 (share certificate). The caller passes what is printed as
//! text — units already in their class's unit, change lines already in words — so these
//! functions only lay out; the register itself is `gongfu_core::equity::replay`'s.

use crate::pdf::{Align, Column, Document, MARGIN, PAGE_WIDTH};

/// One holder's row of the 股东名册: name, kind, and a cell per class (empty: none held).
#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub name: String,
    pub kind: String,
    pub cells: Vec<String>,
}

/// A numbered register line: 第 n 号, effective day, kind, the change in words, approval.
#[derive(Debug, Clone)]
pub struct RegisterLineText {
    pub no: u64,
    pub effective: String,
    pub kind: String,
    pub text: String,
    pub approved: String,
}

/// 股东名册 as of a day.
#[derive(Debug, Clone)]
pub struct RegisterDoc {
    pub entity: String,
    pub kind: String,
    pub credit_code: String,
    pub as_of: String,
    /// Class names, each with its unit (「出资额（元）」).
    pub classes: Vec<String>,
    pub rows: Vec<RegisterRow>,
    /// Per class, the total held on the day.
    pub totals: Vec<String>,
    pub lines: Vec<RegisterLineText>,
    /// The day it was printed.
    pub printed_on: String,
    /// The database is the demo's: the page says so.
    pub demo: bool,
}

const DEMO_LINE: &str =
    "演示数据：本文件中的主体、股东和股份均由程序生成，不是真实登记，不得作为权属凭证。";

/// Text width of a page's flowing content.
fn body_width() -> f64 {
    PAGE_WIDTH - 2.0 * MARGIN
}

/// 股东名册 as a PDF: the holdings table (repeated header and page numbers when it runs over
/// pages), then the numbered lines in force on the day.
pub fn register_pdf(d: &RegisterDoc) -> Vec<u8> {
    let mut doc = Document::new(&format!("{} 股东名册（截至 {}）", d.entity, d.as_of));
    doc.heading(&format!("{} 股东名册", d.entity), 18.0);
    let mut facts = format!("主体类型：{}", d.kind);
    if !d.credit_code.is_empty() {
        facts.push_str(&format!("　统一社会信用代码：{}", d.credit_code));
    }
    facts.push_str(&format!(
        "　截至日期：{}　打印日期：{}",
        d.as_of, d.printed_on
    ));
    doc.paragraph(&facts, 10.0);
    if d.demo {
        doc.paragraph(DEMO_LINE, 10.0);
    }
    // 序号 and 类型 fixed; 股东 takes a third of what is left, the classes share the rest.
    let fixed = 32.0 + 52.0;
    let name_w = ((body_width() - fixed) / 3.0).max(110.0);
    let class_w = (body_width() - fixed - name_w) / d.classes.len().max(1) as f64;
    let mut cols = vec![
        Column::new("序号", 32.0, Align::Right),
        Column::new("股东", name_w, Align::Left),
        Column::new("类型", 52.0, Align::Center),
    ];
    cols.extend(
        d.classes
            .iter()
            .map(|c| Column::new(c, class_w, Align::Right)),
    );
    let rows: Vec<Vec<String>> = d
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = vec![(i + 1).to_string(), r.name.clone(), r.kind.clone()];
            v.extend(r.cells.iter().cloned());
            v
        })
        .collect();
    let mut total = vec![
        String::new(),
        format!("合计（{} 个股东）", d.rows.len()),
        String::new(),
    ];
    total.extend(d.totals.iter().cloned());
    doc.table(&cols, &rows, &[total]);
    if d.rows.is_empty() {
        doc.paragraph("截至该日尚无股东持股。", 10.0);
    }

    doc.skip(6.0);
    doc.heading(
        &format!("股权登记（截至 {}，共 {} 条）", d.as_of, d.lines.len()),
        12.0,
    );
    let text_w = body_width() - 56.0 - 64.0 - 52.0 - 96.0;
    let cols = [
        Column::new("编号", 56.0, Align::Center),
        Column::new("生效日期", 64.0, Align::Center),
        Column::new("类型", 52.0, Align::Center),
        Column::new("变动内容", text_w, Align::Left),
        Column::new("批准人 / 日期", 96.0, Align::Left),
    ];
    let rows: Vec<Vec<String>> = d
        .lines
        .iter()
        .map(|l| {
            vec![
                format!("第 {} 号", l.no),
                l.effective.clone(),
                l.kind.clone(),
                l.text.clone(),
                l.approved.clone(),
            ]
        })
        .collect();
    doc.table(&cols, &rows, &[]);
    doc.paragraph(
        "说明：股东名册由编号登记逐条推算得出；登记经审批后不可更改，更正须另行登记。出资额、交易量以元计，土地以亩计。",
        9.0,
    );
    doc.finish()
}

/// One class on a certificate: name, basis, units held, share of the class.
#[derive(Debug, Clone)]
pub struct CertificateClass {
    pub class: String,
    pub basis: String,
    pub units: String,
    pub percent: String,
}

/// 股权证 of one holder as of a day.
#[derive(Debug, Clone)]
pub struct CertificateDoc {
    pub number: String,
    pub entity: String,
    pub entity_kind: String,
    pub credit_code: String,
    pub holder: String,
    pub holder_kind: String,
    /// 所属村 (may be empty).
    pub village: String,
    pub classes: Vec<CertificateClass>,
    pub as_of: String,
    pub demo: bool,
}

/// The certificate number: the entity and the holder, so it is the same on every print and
/// never shared by two holders: 「0003-000012」.
pub fn certificate_number(entity: i64, holder: i64) -> String {
    format!("{entity:04}-{holder:06}")
}

/// `units ÷ total` as a percentage with two decimals, floored: 「33.33%」; 「—」 for an empty
/// class.
pub fn share_percent(units: i64, total: i64) -> String {
    if total <= 0 {
        return "—".into();
    }
    let hundredths = (i128::from(units) * 10_000).div_euclid(i128::from(total));
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// 股权证 as a one-page PDF in a double border: number, holder, holdings per class with their
/// share of the class, the day, and the issuing entity with room for its seal.
pub fn certificate_pdf(c: &CertificateDoc) -> Vec<u8> {
    let mut doc =
        Document::new(&format!("{} 股权证 {}", c.entity, c.number)).without_page_numbers();
    let (x, y, w, h) = (40.0, 60.0, PAGE_WIDTH - 80.0, 560.0);
    {
        let p = doc.page();
        p.rect(x, y, w, h, 2.5);
        p.rect(x + 6.0, y + 6.0, w - 12.0, h - 12.0, 0.8);
        p.text_center(PAGE_WIDTH / 2.0, y + 62.0, 30.0, "股 权 证");
        p.text_right(x + w - 24.0, y + 92.0, 10.0, &format!("编号：{}", c.number));
        p.line(x + 24.0, y + 102.0, x + w - 24.0, y + 102.0, 0.8);
        let mut ly = y + 130.0;
        let mut fact = |label: &str, value: &str| {
            if value.is_empty() {
                return;
            }
            p.text(x + 36.0, ly, 12.0, &format!("{label}：{value}"));
            ly += 24.0;
        };
        fact("股东名称", &c.holder);
        fact("股东类型", &c.holder_kind);
        fact("所属村", &c.village);
        fact("发证主体", &c.entity);
        fact("主体类型", &c.entity_kind);
        fact("统一社会信用代码", &c.credit_code);
        fact("持股截至日期", &c.as_of);
    }
    doc.skip(y + 310.0 - doc.cursor());
    let inner = w - 72.0;
    let cols = [
        Column::new("股份类别", inner * 0.28, Align::Left),
        Column::new("分配依据", inner * 0.18, Align::Center),
        Column::new("持有数量", inner * 0.32, Align::Right),
        Column::new("占该类别", inner * 0.22, Align::Right),
    ];
    let rows: Vec<Vec<String>> = c
        .classes
        .iter()
        .map(|k| {
            vec![
                k.class.clone(),
                k.basis.clone(),
                k.units.clone(),
                k.percent.clone(),
            ]
        })
        .collect();
    // The table sits inside the border.
    doc.table_from(x + 36.0, &cols, &rows, &[]);
    let p = doc.page();
    if c.classes.is_empty() {
        p.text(x + 36.0, y + 350.0, 11.0, "截至该日未持有股份。");
    }
    p.text(
        x + 36.0,
        y + h - 110.0,
        10.0,
        "本证依据股权登记簿记载签发；股权变动以登记簿为准，本证不得涂改。",
    );
    if c.demo {
        p.text(x + 36.0, y + h - 90.0, 10.0, DEMO_LINE);
    }
    p.text_right(
        x + w - 36.0,
        y + h - 64.0,
        12.0,
        &format!("发证单位：{}（盖章）", c.entity),
    );
    p.text_right(
        x + w - 36.0,
        y + h - 40.0,
        12.0,
        &format!("发证日期：{}", c.as_of),
    );
    doc.finish()
}
