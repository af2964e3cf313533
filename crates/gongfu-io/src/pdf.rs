//! A small PDF writer for the documents officials print (股东名册, 股权证): A4 pages, text at
//! positions, lines and rectangles for table rules, tables that flow over pages with their
//! header repeated, and 「第 n 页 / 共 m 页」 at the foot of every page. Pure: it builds bytes.
//!
//! Chinese without embedding a font: the text uses the predefined CJK font of the PDF
//! standard — a Type0 font over the CIDFontType0 `STSong-Light` (Adobe-GB1 character
//! collection) with the predefined CMap `UniGB-UTF16-H`, so a string is written as hex
//! UTF-16BE and every viewer substitutes its own Song (宋体) face. A `/ToUnicode` map (UTF-16 to
//! itself) is added so text extraction and search work in viewers without the Adobe CMaps.
//! Characters outside the Basic Multilingual Plane are written as 〓 (the mark Chinese
//! typesetting uses for a missing character): the font's two-byte codes cannot reach them.
//!
//! Coordinates given to [`Page`] are in points (1/72 inch) from the **top-left** corner, as a
//! layout is thought of; they are turned into PDF's bottom-left space when written.

use std::fmt::Write as _;

/// A4 in points.
pub const PAGE_WIDTH: f64 = 595.28;
pub const PAGE_HEIGHT: f64 = 841.89;
/// Margins of flowing content.
pub const MARGIN: f64 = 48.0;
/// Where the page footer's baseline sits, from the top.
const FOOTER_Y: f64 = PAGE_HEIGHT - 24.0;
/// Flowing content stops above this (from the top).
const CONTENT_BOTTOM: f64 = PAGE_HEIGHT - MARGIN;

/// The glyph written in place of a character the font's codes cannot reach.
const MISSING: char = '〓';

/// Advance widths (thousandths of an em) of the proportional Latin glyphs, CIDs 1–95 of
/// Adobe-GB1, that UniGB-UTF16-H gives U+0020–U+007E: Adobe's published STSong-Light metrics.
/// Declaring the real widths in `/W` keeps a substituting viewer from leaving gaps after
/// narrow glyphs (「2026-11-29」, not 「2026- 11- 29」).
const LATIN_WIDTHS: [u16; 95] = [
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334, 462, 462, 462,
    462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344, 748, 684, 560, 695, 739, 563,
    511, 729, 793, 318, 312, 666, 526, 896, 758, 772, 544, 772, 628, 465, 607, 753, 711, 972, 647,
    620, 607, 374, 333, 374, 606, 500, 239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495,
    228, 793, 527, 524, 524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605,
];

/// Width of one character in thousandths of an em: the Latin widths above, a full em for
/// everything else — as the font dictionary declares.
fn char_width(c: char) -> u16 {
    if (' '..='~').contains(&c) {
        LATIN_WIDTHS[c as usize - 0x20]
    } else {
        1000
    }
}

/// Width of `s` at `size` points.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| f64::from(char_width(c))).sum::<f64>() / 1000.0 * size
}

/// Breaks `s` into lines no wider than `width` at `size`, by characters (Chinese has no word
/// spaces), keeping explicit line breaks. Always at least one line.
pub fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars() {
            let cw = text_width(c.encode_utf8(&mut [0; 4]), size);
            if w + cw > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                w = 0.0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

/// A string as the hex UTF-16BE the font's `UniGB-UTF16-H` CMap reads: `<4E2D6587>`.
pub fn hex_utf16(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 4 + 2);
    out.push('<');
    for c in s.chars() {
        let c = if (c as u32) > 0xFFFF { MISSING } else { c };
        let _ = write!(out, "{:04X}", c as u32);
    }
    out.push('>');
    out
}

/// The inverse of [`hex_utf16`], for tests and checks: `None` on malformed input.
pub fn unhex_utf16(hex: &str) -> Option<String> {
    let h = hex.strip_prefix('<')?.strip_suffix('>')?;
    if h.len() % 4 != 0 {
        return None;
    }
    let units: Option<Vec<u16>> = (0..h.len())
        .step_by(4)
        .map(|i| u16::from_str_radix(h.get(i..i + 4)?, 16).ok())
        .collect();
    String::from_utf16(&units?).ok()
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// One page's content stream.
#[derive(Debug, Clone, Default)]
pub struct Page {
    ops: String,
}

fn num(v: f64) -> String {
    // Two decimals are finer than any printer; trailing zeros trimmed for a smaller file.
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl Page {
    /// Text with its baseline at `y` from the top, starting at `x`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, s: &str) {
        if s.is_empty() {
            return;
        }
        let _ = writeln!(
            self.ops,
            "BT /F1 {} Tf {} {} Td {} Tj ET",
            num(size),
            num(x),
            num(PAGE_HEIGHT - y),
            hex_utf16(s)
        );
    }
    /// Text ending at `x`.
    pub fn text_right(&mut self, x: f64, y: f64, size: f64, s: &str) {
        self.text(x - text_width(s, size), y, size, s);
    }
    /// Text centred on `x`.
    pub fn text_center(&mut self, x: f64, y: f64, size: f64, s: &str) {
        self.text(x - text_width(s, size) / 2.0, y, size, s);
    }
    /// Text aligned in the box `[x, x + w]` with `pad` points inside it.
    pub fn text_in(&mut self, x: f64, w: f64, y: f64, size: f64, s: &str, align: Align) {
        let pad = 4.0;
        match align {
            Align::Left => self.text(x + pad, y, size, s),
            Align::Right => self.text_right(x + w - pad, y, size, s),
            Align::Center => self.text_center(x + w / 2.0, y, size, s),
        }
    }
    /// A straight line, `width` points thick.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, width: f64) {
        let _ = writeln!(
            self.ops,
            "{} w {} {} m {} {} l S",
            num(width),
            num(x1),
            num(PAGE_HEIGHT - y1),
            num(x2),
            num(PAGE_HEIGHT - y2)
        );
    }
    /// A rectangle outline with its top-left corner at (`x`, `y`).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, width: f64) {
        let _ = writeln!(
            self.ops,
            "{} w {} {} {} {} re S",
            num(width),
            num(x),
            num(PAGE_HEIGHT - y - h),
            num(w),
            num(h)
        );
    }
    /// A rectangle filled with a grey (0 black … 1 white); the fill colour is reset after.
    pub fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, grey: f64) {
        let _ = writeln!(
            self.ops,
            "{} g {} {} {} {} re f 0 g",
            num(grey),
            num(x),
            num(PAGE_HEIGHT - y - h),
            num(w),
            num(h)
        );
    }
    /// The raw content stream, for tests.
    pub fn content(&self) -> &str {
        &self.ops
    }
}

/// A table column: title, width in points, alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: f64,
    pub align: Align,
}

impl Column {
    pub fn new(title: &str, width: f64, align: Align) -> Column {
        Column {
            title: title.to_string(),
            width,
            align,
        }
    }
}

/// A document of A4 pages with a cursor for flowing content (headings, paragraphs, tables).
#[derive(Debug, Clone)]
pub struct Document {
    title: String,
    pages: Vec<Page>,
    /// The next free baseline region, from the top of the current page.
    y: f64,
    /// Whether pages carry 「第 n 页 / 共 m 页」.
    numbered: bool,
}

const TABLE_SIZE: f64 = 9.5;
const LEADING: f64 = 1.35;
const CELL_PAD_Y: f64 = 4.0;

impl Document {
    /// A document with one empty page; `title` goes into the document information.
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_string(),
            pages: vec![Page::default()],
            y: MARGIN,
            numbered: true,
        }
    }
    /// Leaves the page numbers off (a one-page certificate needs none).
    pub fn without_page_numbers(mut self) -> Document {
        self.numbered = false;
        self
    }
    /// The current page, for free layout.
    pub fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a document always has a page")
    }
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }
    /// Starts a new page; flowing content continues at its top.
    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
    }
    /// Where flowing content continues, from the top of the current page.
    pub fn cursor(&self) -> f64 {
        self.y
    }
    /// Moves the cursor down by `dy`.
    pub fn skip(&mut self, dy: f64) {
        self.y += dy;
    }
    /// Makes room for `h` points, starting a new page when the current one has none.
    fn room(&mut self, h: f64) {
        if self.y + h > CONTENT_BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }
    /// A centred heading line.
    pub fn heading(&mut self, s: &str, size: f64) {
        self.room(size * LEADING);
        self.y += size;
        let y = self.y;
        self.page().text_center(PAGE_WIDTH / 2.0, y, size, s);
        self.y += size * (LEADING - 1.0) + 4.0;
    }
    /// A wrapped paragraph over the text width.
    pub fn paragraph(&mut self, s: &str, size: f64) {
        for line in wrap(s, size, PAGE_WIDTH - 2.0 * MARGIN) {
            self.room(size * LEADING);
            self.y += size;
            let y = self.y;
            self.page().text(MARGIN, y, size, &line);
            self.y += size * (LEADING - 1.0);
        }
        self.y += 4.0;
    }

    /// A ruled table from the cursor: a shaded header row, the rows (each wrapped within its
    /// column), and optional total rows shaded like the header. A row that does not fit
    /// starts a new page, where the header row is drawn again. Columns wider than the text
    /// width are the caller's mistake and simply run over the margin.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], totals: &[Vec<String>]) {
        self.table_from(MARGIN, columns, rows, totals);
    }

    /// [`Document::table`] with its left edge at `x0` (a table inside a border).
    pub fn table_from(
        &mut self,
        x0: f64,
        columns: &[Column],
        rows: &[Vec<String>],
        totals: &[Vec<String>],
    ) {
        let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        // The header with at least one row below it, or both on the next page.
        self.room(4.0 * TABLE_SIZE * LEADING + 4.0 * CELL_PAD_Y);
        self.table_row(columns, &header, x0, true, true);
        for r in rows {
            self.table_row(columns, r, x0, false, false);
        }
        for r in totals {
            self.table_row(columns, r, x0, true, false);
        }
        self.y += 8.0;
    }

    fn table_row(
        &mut self,
        columns: &[Column],
        cells: &[String],
        x0: f64,
        shaded: bool,
        is_header: bool,
    ) {
        let wrapped: Vec<Vec<String>> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                wrap(
                    cells.get(i).map(String::as_str).unwrap_or(""),
                    TABLE_SIZE,
                    c.width - 8.0,
                )
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f64 * TABLE_SIZE * LEADING + 2.0 * CELL_PAD_Y;
        if !is_header && self.y + h > CONTENT_BOTTOM {
            self.new_page();
            let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
            self.table_row(columns, &header, x0, true, true);
        }
        let y = self.y;
        let total_w: f64 = columns.iter().map(|c| c.width).sum();
        let page = self.page();
        if shaded {
            page.fill(x0, y, total_w, h, 0.9);
        }
        let mut x = x0;
        for (c, ls) in columns.iter().zip(&wrapped) {
            page.rect(x, y, c.width, h, 0.5);
            let align = if is_header { Align::Center } else { c.align };
            for (k, l) in ls.iter().enumerate() {
                let base = y + CELL_PAD_Y + TABLE_SIZE + k as f64 * TABLE_SIZE * LEADING - 1.0;
                page.text_in(x, c.width, base, TABLE_SIZE, l, align);
            }
            x += c.width;
        }
        self.y += h;
    }

    /// The file: page footers added, every object written with its byte offset in the
    /// cross-reference table.
    pub fn finish(mut self) -> Vec<u8> {
        let total = self.pages.len();
        if self.numbered {
            for (i, p) in self.pages.iter_mut().enumerate() {
                p.text_center(
                    PAGE_WIDTH / 2.0,
                    FOOTER_Y,
                    9.0,
                    &format!("第 {} 页 / 共 {total} 页", i + 1),
                );
            }
        }
        let mut objects: Vec<Vec<u8>> = Vec::new();
        // 1 catalog, 2 page tree, 3 font, 4 CID font, 5 descriptor, 6 ToUnicode, 7 info,
        // then a page and its content stream for each page.
        let first_page = 8;
        let kids: Vec<String> = (0..total)
            .map(|i| format!("{} 0 R", first_page + 2 * i))
            .collect();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(
            format!(
                "<< /Type /Pages /Kids [{}] /Count {total} >>",
                kids.join(" ")
            )
            .into_bytes(),
        );
        objects.push(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
                .to_vec(),
        );
        let latin: Vec<String> = LATIN_WIDTHS.iter().map(u16::to_string).collect();
        objects.push(
            format!(
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 /W [1 [{}] 814 939 500] >>",
                latin.join(" ")
            )
            .into_bytes(),
        );
        objects.push(
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
                .to_vec(),
        );
        objects.push(stream(&to_unicode_cmap()));
        objects.push(
            format!(
                "<< /Title {} /Producer (Gongfu) >>",
                hex_utf16_bom(&self.title)
            )
            .into_bytes(),
        );
        for (i, p) in self.pages.iter().enumerate() {
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                    num(PAGE_WIDTH),
                    num(PAGE_HEIGHT),
                    first_page + 2 * i + 1
                )
                .into_bytes(),
            );
            objects.push(stream(&p.ops));
        }
        let mut out: Vec<u8> = Vec::new();
        // The binary comment line tells transfer programs the file is binary.
        out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let size = objects.len() + 1;
        let mut x = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for o in offsets {
            // Each entry is exactly 20 bytes: 10-digit offset, generation, type, space, LF.
            let _ = writeln!(x, "{o:010} 00000 n ");
        }
        let _ = write!(
            x,
            "trailer\n<< /Size {size} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        );
        out.extend_from_slice(x.as_bytes());
        out
    }
}

/// A text string of the document information: UTF-16BE with its byte-order mark.
fn hex_utf16_bom(s: &str) -> String {
    let h = hex_utf16(s);
    format!("<FEFF{}", &h[1..])
}

fn stream(content: &str) -> Vec<u8> {
    let mut v = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    v.extend_from_slice(content.as_bytes());
    v.extend_from_slice(b"\nendstream");
    v
}

/// The ToUnicode CMap: every two-byte code is the UTF-16 code unit of its character, so the
/// map is the identity, written as 256 ranges (one per high byte, at most 100 per block).
fn to_unicode_cmap() -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for block in (0u32..256).collect::<Vec<_>>().chunks(100) {
        let _ = writeln!(s, "{} beginbfrange", block.len());
        for hi in block {
            let _ = writeln!(s, "<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>");
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The object offsets of the cross-reference table, and the trailer's /Size.
    fn xref(pdf: &[u8]) -> (Vec<usize>, usize) {
        let text = String::from_utf8_lossy(pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            pdf[start..].starts_with(b"xref\n"),
            "startxref points at xref"
        );
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        let mut lines = table.lines().skip(1);
        let header = lines.next().unwrap();
        let n: usize = header.split(' ').nth(1).unwrap().parse().unwrap();
        assert_eq!(lines.next().unwrap(), "0000000000 65535 f ");
        let offsets = lines
            .take(n - 1)
            .map(|l| {
                assert_eq!(l.len(), 19, "entry {l:?}");
                assert!(l.ends_with(" 00000 n "));
                l[..10].parse().unwrap()
            })
            .collect();
        let size: usize = table
            .split("/Size ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(size, n);
        (offsets, size)
    }

    fn table_doc(rows: usize) -> Vec<u8> {
        let mut d = Document::new("股东名册");
        d.heading("股东名册", 18.0);
        d.paragraph("截至 2025-12-31", 10.0);
        let cols = [
            Column::new("序号", 40.0, Align::Right),
            Column::new("股东", 200.0, Align::Left),
            Column::new("出资额（元）", 120.0, Align::Right),
        ];
        let body: Vec<Vec<String>> = (0..rows)
            .map(|i| {
                vec![
                    (i + 1).to_string(),
                    format!("第{i}村股份经济合作社"),
                    "1,000.00".into(),
                ]
            })
            .collect();
        d.table(
            &cols,
            &body,
            &[vec![String::new(), "合计".into(), "9.99".into()]],
        );
        d.finish()
    }

    #[test]
    fn every_xref_offset_points_at_its_object() {
        let pdf = table_doc(5);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let (offsets, size) = xref(&pdf);
        assert_eq!(size, offsets.len() + 1);
        for (i, o) in offsets.iter().enumerate() {
            let head = format!("{} 0 obj", i + 1);
            assert!(pdf[*o..].starts_with(head.as_bytes()), "object {}", i + 1);
        }
        // Every stream's /Length is its byte count.
        let text = String::from_utf8_lossy(&pdf).into_owned();
        for part in text.split("<< /Length ").skip(1) {
            let (len, rest) = part.split_once(" >>\nstream\n").unwrap();
            let len: usize = len.parse().unwrap();
            assert!(rest.as_bytes()[len..].starts_with(b"\nendstream"));
        }
    }

    #[test]
    fn a_long_table_breaks_over_pages_with_its_header_and_page_numbers() {
        let count = |pdf: &[u8]| {
            let t = String::from_utf8_lossy(pdf).into_owned();
            let n: usize = t
                .split("/Count ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(t.matches("/Type /Page ").count(), n);
            n
        };
        let short = table_doc(5);
        let long = table_doc(200);
        assert_eq!(count(&short), 1);
        let pages = count(&long);
        assert!(pages > 3, "{pages}");
        assert!(count(&table_doc(400)) > pages);
        let text = String::from_utf8_lossy(&long).into_owned();
        // The header row on every page, and the page numbers.
        assert_eq!(text.matches(&hex_utf16("出资额（元）")).count(), pages);
        assert!(text.contains(&hex_utf16(&format!("第 {pages} 页 / 共 {pages} 页"))));
        assert!(text.contains(&hex_utf16("第 1 页 / 共 ")[..10]));
    }

    #[test]
    fn text_is_hex_utf16_and_round_trips() {
        for s in ["柯桥区", "股权证 No.0001-000012", "", "（合计）1,234.56 元"] {
            assert_eq!(unhex_utf16(&hex_utf16(s)).as_deref(), Some(s));
        }
        assert_eq!(hex_utf16("中A"), "<4E2D0041>");
        assert_eq!(unhex_utf16(&hex_utf16("𠀀")).as_deref(), Some("〓"));
        let mut p = Page::default();
        p.text(10.0, 20.0, 12.0, "股东");
        assert!(p.content().contains("<80A14E1C> Tj"), "{}", p.content());
        assert!(
            p.content()
                .contains(&format!("10 {} Td", num(PAGE_HEIGHT - 20.0)))
        );
    }

    #[test]
    fn the_font_is_the_predefined_song_face_and_nothing_is_embedded() {
        let t = String::from_utf8_lossy(&table_doc(1)).into_owned();
        assert!(t.contains("/Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"));
        assert!(t.contains("/Subtype /CIDFontType0"));
        assert!(t.contains("/Registry (Adobe) /Ordering (GB1)"));
        assert!(!t.contains("/FontFile"));
    }

    #[test]
    fn latin_widths_are_the_fonts_and_the_dictionary_declares_them() {
        // Space 207, hyphen 375, digits 462, 'A' 684, '~' 605; a Chinese character a full em.
        assert_eq!(char_width(' '), 207);
        assert_eq!(char_width('-'), 375);
        assert_eq!(char_width('7'), 462);
        assert_eq!(char_width('A'), 684);
        assert_eq!(char_width('~'), 605);
        assert_eq!(char_width('股'), 1000);
        let w = text_width("2026-11-29", 10.0);
        assert!((w - (8.0 * 4.62 + 2.0 * 3.75)).abs() < 1e-9, "{w}");
        let mut d = Document::new("t");
        d.paragraph("x", 10.0);
        let bytes = d.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/W [1 [207 270 342 467 462 797 710 239 374 374 423 605 238 375"));
    }

    #[test]
    fn wrapping_keeps_every_character_within_the_width() {
        let s = "柯桥区平水镇若耶村股份经济合作社与王坛镇联合体";
        let lines = wrap(s, 10.0, 55.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), s);
        assert!(lines.iter().all(|l| text_width(l, 10.0) <= 55.0));
        assert_eq!(wrap("", 10.0, 50.0), vec![String::new()]);
    }
}
