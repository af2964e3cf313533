//! The facilities workbook (设施名录): export, import template and importer.
//!
//! One sheet 设施, one row per facility. A row with an 编号 changes that facility and must
//! carry the 版本 it was exported at (a file exported before someone else's edit is refused
//! row by row, never silently applied); a row without an 编号 adds a facility. The importer
//! reports every bad cell of every row at once and returns rows only when the whole file is
//! good; saving them is `gongfu_store::Store::import_facilities`, all or nothing.

use crate::xlsx_export::{Formats, Grid, demo_notice};
use crate::xlsx_import::{
    NOT_XLSX, cell_at, excel_precision, find_header, is_blank, plain_number_text, read_code,
    read_count, shown,
};
use crate::{IoError, RowError};
use calamine::{Data, Range, Reader, Xlsx};
use gongfu_core::facilities::{
    CAPACITY_MAX, Facility, FacilitySpec, FacilityStatus, FacilityType, check_near_village,
    parse_facility_name, parse_note, parse_point, parse_upkeep_unit,
};
use gongfu_core::{DataYear, VillageCode};
use gongfu_store::Snapshot;
use gongfu_store::facilities::FacilityImportRow;
use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};
use std::collections::HashMap;
use std::io::Cursor;

/// Name of the data sheet.
pub const FACILITIES_SHEET: &str = "设施";

pub const COL_ID: &str = "编号";
pub const COL_TYPE: &str = "类型";
pub const COL_NAME: &str = "名称";
pub const COL_VILLAGE: &str = "所在村";
pub const COL_CODE: &str = "村代码";
pub const COL_TOWN: &str = "镇街";
pub const COL_LON: &str = "经度";
pub const COL_LAT: &str = "纬度";
pub const COL_CAPACITY: &str = "容量";
pub const COL_UNIT: &str = "容量单位";
pub const COL_STATUS: &str = "状态";
pub const COL_YEAR: &str = "开办年份";
pub const COL_UPKEEP: &str = "管护责任单位";
pub const COL_NOTE: &str = "备注";
pub const COL_VERSION: &str = "版本";

/// The header row, in the order export and template write it. 所在村, 镇街 and 容量单位 are
/// for reading only; the importer ignores them.
pub const FACILITY_HEADERS: [&str; 15] = [
    COL_ID,
    COL_TYPE,
    COL_NAME,
    COL_VILLAGE,
    COL_CODE,
    COL_TOWN,
    COL_LON,
    COL_LAT,
    COL_CAPACITY,
    COL_UNIT,
    COL_STATUS,
    COL_YEAR,
    COL_UPKEEP,
    COL_NOTE,
    COL_VERSION,
];

// Positions in FACILITY_HEADERS.
const ID: usize = 0;
const TYPE: usize = 1;
const NAME: usize = 2;
const CODE: usize = 4;
const LON: usize = 6;
const LAT: usize = 7;
const CAPACITY: usize = 8;
const STATUS: usize = 10;
const YEAR: usize = 11;
const UPKEEP: usize = 12;
const NOTE: usize = 13;
const VERSION: usize = 14;

/// Columns a file must have.
const REQUIRED: [usize; 5] = [TYPE, NAME, CODE, STATUS, UPKEEP];
/// Columns whose cells make a row worth reading (a row with only these blank is skipped).
const CONTENT: [usize; 11] = [
    ID, TYPE, NAME, CODE, LON, LAT, CAPACITY, STATUS, YEAR, UPKEEP, NOTE,
];

const COORD: &str = "0.000000";

fn write_sheet(
    book: &mut Workbook,
    f: &Formats,
    snap: &Snapshot,
    rows: &[&Facility],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(FACILITIES_SHEET)?;
    // Text, so Excel never turns a 12-digit code into 3.30603E+11.
    ws.set_column_format(CODE as u16, &f.text)?;
    let coord = Format::new().set_num_format(COORD);
    for c in [LON as u16, LAT as u16] {
        ws.set_column_format(c, &coord)?;
    }
    let types: Vec<&str> = FacilityType::ALL.iter().map(|t| t.label()).collect();
    let statuses: Vec<&str> = FacilityStatus::ALL.iter().map(|s| s.label()).collect();
    ws.add_data_validation(
        1,
        TYPE as u16,
        10_000,
        TYPE as u16,
        &DataValidation::new().allow_list_strings(&types)?,
    )?;
    ws.add_data_validation(
        1,
        STATUS as u16,
        10_000,
        STATUS as u16,
        &DataValidation::new().allow_list_strings(&statuses)?,
    )?;
    let mut g = Grid::new(ws, &FACILITY_HEADERS, f)?;
    g.widths[CODE] = 14;
    for (i, fac) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        g.int(r, ID as u16, fac.id)?;
        g.text(r, TYPE as u16, fac.kind.label())?;
        g.text(r, NAME as u16, &fac.name)?;
        let (village, town) = match snap.division(&fac.village) {
            Some(d) => (d.division.name.as_str(), snap.town_name(&d.division.town)),
            None => ("", ""),
        };
        g.text(r, 3, village)?;
        g.ws.write_string_with_format(r, CODE as u16, fac.village.as_str(), &f.text)?;
        g.seen(r, CODE as u16, 12);
        g.text(r, 5, town)?;
        if let (Some(lon), Some(lat)) = (fac.lon, fac.lat) {
            g.ws.write_number_with_format(r, LON as u16, lon, &coord)?;
            g.ws.write_number_with_format(r, LAT as u16, lat, &coord)?;
            g.seen(r, LON as u16, 11);
            g.seen(r, LAT as u16, 10);
        }
        if let Some(c) = fac.capacity {
            g.count(r, CAPACITY as u16, c, f)?;
        }
        g.text(r, 9, fac.kind.capacity_unit())?;
        g.text(r, STATUS as u16, fac.status.label())?;
        if let Some(y) = fac.opening_year {
            g.int(r, YEAR as u16, y.get() as i64)?;
        }
        g.text(r, UPKEEP as u16, &fac.upkeep_unit)?;
        g.text(r, NOTE as u16, &fac.note)?;
        g.int(r, VERSION as u16, fac.version)?;
    }
    g.finish()
}

/// 设施名录: the given facilities (a filtered list, or all of them) in the importer's
/// columns, so the file can be corrected and uploaded again.
pub fn export_facilities(snap: &Snapshot, rows: &[&Facility]) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, snap, rows)?;
    if snap.is_demo {
        demo_notice(&mut book, &f, "设施名录")?;
    }
    Ok(book.save_to_buffer()?)
}

/// The facilities import template: the header row (with drop-down lists for 类型 and 状态)
/// and a 填表说明 sheet listing the types, what each counts as capacity, and the statuses.
pub fn facilities_template(snap: &Snapshot) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, snap, &[])?;
    let ws = book.add_worksheet();
    ws.set_name("填表说明")?;
    ws.set_column_width(0, 26)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "列名", &f.header)?;
    ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
    let columns: [(&str, &str); 15] = [
        (
            COL_ID,
            "新增设施请留空；修改已有设施时保留导出文件中的编号。",
        ),
        (COL_TYPE, "必填。从下拉列表中选择，见下方「设施类型」。"),
        (
            COL_NAME,
            "必填。不超过 60 个字；同一村同一类型的设施名称不能重复。",
        ),
        (COL_VILLAGE, "仅供阅读核对，导入时不使用：以村代码为准。"),
        (
            COL_CODE,
            "必填。设施所在村（社区）的 12 位统计用区划代码，请保持文本格式。",
        ),
        (COL_TOWN, "仅供阅读核对，导入时不使用。"),
        (
            COL_LON,
            "选填。WGS84 经度（度，如 120.512345）；经度、纬度须同时填写或同时留空，留空时取所在村的位置。",
        ),
        (
            COL_LAT,
            "选填。WGS84 纬度（度，如 30.012345）；与所在村的距离不能超过 25 公里。",
        ),
        (
            COL_CAPACITY,
            "选填。不小于 0 的整数，单位见「容量单位」列或下方「设施类型」。",
        ),
        (COL_UNIT, "仅供阅读，随类型而定，导入时不使用。"),
        (
            COL_STATUS,
            "必填。规划、在建、运行 或 停用；修改已有设施的状态须符合下方的状态变化规则。",
        ),
        (COL_YEAR, "选填。4 位年份，2000 至 2100 之间。"),
        (
            COL_UPKEEP,
            "必填。负责日常管护的单位，如「XX镇人民政府」「XX村股份经济合作社」。",
        ),
        (COL_NOTE, "选填。不超过 2000 个字。"),
        (
            COL_VERSION,
            "修改已有设施时保留导出文件中的版本；他人在您导出后修改过该设施时，该行会被拒绝，请重新导出后再改。",
        ),
    ];
    let mut r = 1u32;
    for (col, text) in columns {
        ws.write_string(r, 0, col)?;
        ws.write_string_with_format(r, 1, text, &f.wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "设施类型", &f.header)?;
    ws.write_string_with_format(r, 1, "服务对象 · 容量单位", &f.header)?;
    r += 1;
    for t in FacilityType::ALL {
        ws.write_string(r, 0, t.label())?;
        ws.write_string(
            r,
            1,
            format!(
                "{}：{} · {}",
                t.category_label(),
                t.demand().label(),
                t.capacity_unit()
            ),
        )?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "状态变化规则", &f.header)?;
    r += 1;
    for s in FacilityStatus::ALL {
        let next: Vec<&str> = FacilityStatus::ALL
            .into_iter()
            .filter(|n| s.can_move_to(*n))
            .map(|n| n.label())
            .collect();
        ws.write_string(r, 0, s.label())?;
        ws.write_string(r, 1, format!("可改为：{}", next.join("、")))?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "说明", &f.header)?;
    for note in [
        "第一行表头文字请勿修改；列的顺序可以调整。",
        "上传后会一次列出所有有问题的单元格；全部无误才会导入。",
    ] {
        r += 1;
        ws.write_string_with_format(r, 1, note, &f.wrap)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A coordinate in degrees.
fn read_degrees(cell: &Data, what: &str) -> Result<f64, String> {
    match cell {
        Data::Int(i) => Ok(*i as f64),
        Data::Float(f) => Ok(*f),
        Data::String(s) => plain_number_text(s)
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{what}「{}」不是数字", s.trim())),
        other => Err(format!("{what}「{}」不是数字", shown(other))),
    }
}

fn read_opening_year(cell: &Data) -> Result<DataYear, String> {
    let err = || format!("开办年份「{}」不是整数年份", shown(cell));
    let y = match cell {
        Data::Int(i) => *i,
        Data::Float(f) => {
            let f = excel_precision(*f);
            if !f.is_finite() || f.fract() != 0.0 || f.abs() > 1.0e9 {
                return Err(err());
            }
            f as i64
        }
        Data::String(s) => plain_number_text(s)
            .trim_end_matches('年')
            .parse::<i64>()
            .map_err(|_| err())?,
        _ => return Err(err()),
    };
    DataYear::new(y).map_err(|_| {
        format!(
            "开办年份 {y} 无效：应在 {} 至 {} 之间",
            DataYear::MIN,
            DataYear::MAX
        )
    })
}

fn read_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => shown(other),
    }
}

/// Reads the 设施 sheet (or the first sheet) of an .xlsx workbook into checked import rows,
/// in file order, or every problem in it.
///
/// Refused, each with row, column and reason: a missing required column (类型, 名称, 村代码,
/// 状态, 管护责任单位); an unknown type or status; an empty or too long name or upkeep unit;
/// a village code not in the registry or of a village that no longer exists; only one of
/// 经度 / 纬度, a coordinate out of range or more than 25 km from the village; a capacity that
/// is not a whole number from 0; an opening year outside 2000–2100; an 编号 that is not a
/// facility, without its 版本, or exported before a later change; a status change the rules
/// do not allow; the same facility (编号, or type + name + village) twice in the file, or a
/// new row repeating a facility already registered. Blank rows are skipped.
pub fn parse_facilities_xlsx(
    bytes: &[u8],
    snap: &Snapshot,
) -> Result<Vec<FacilityImportRow>, Vec<RowError>> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == FACILITIES_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| vec![RowError::file("工作簿中没有工作表")])?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    parse_range(&range, &sheet, snap)
}

fn parse_range(
    range: &Range<Data>,
    sheet: &str,
    snap: &Snapshot,
) -> Result<Vec<FacilityImportRow>, Vec<RowError>> {
    let Some((row0, _)) = range.start() else {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」是空的：请在第一行填写表头，从第二行起每行填一个设施"
        ))]);
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let row_no = |i: usize| row0 as usize + i + 1;
    let (header_at, found) = find_header(&rows, &FACILITY_HEADERS, TYPE);
    let mut errors = Vec::new();
    for k in REQUIRED {
        if found[k].is_empty() {
            errors.push(RowError::new(
                row_no(header_at),
                FACILITY_HEADERS[k],
                "",
                format!(
                    "缺少必填列「{}」：请使用设施导入模板的表头",
                    FACILITY_HEADERS[k]
                ),
            ));
        }
    }
    for (k, cols) in found.iter().enumerate() {
        if cols.len() > 1 {
            errors.push(RowError::new(
                row_no(header_at),
                FACILITY_HEADERS[k],
                "",
                format!(
                    "表头「{}」出现了 {} 次，只能有一列",
                    FACILITY_HEADERS[k],
                    cols.len()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let cols: [usize; 15] =
        std::array::from_fn(|k| found[k].first().copied().unwrap_or(usize::MAX));
    let today = gongfu_store::service::today();

    let mut out: Vec<FacilityImportRow> = Vec::new();
    let mut ids: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut keys: HashMap<(FacilityType, String, VillageCode), Vec<usize>> = HashMap::new();
    let mut data_rows = 0usize;
    for (i, r) in rows.iter().enumerate().skip(header_at + 1) {
        let n = row_no(i);
        if CONTENT.iter().all(|&k| is_blank(cell_at(r, cols[k]))) {
            continue;
        }
        data_rows += 1;
        let before = errors.len();
        let cell = |k: usize| cell_at(r, cols[k]);
        let mut bad = |k: usize, reason: String| {
            errors.push(RowError::new(
                n,
                FACILITY_HEADERS[k],
                shown(cell_at(r, cols[k])),
                reason,
            ));
        };
        let optional = |k: usize| Some(cell(k)).filter(|c| !is_blank(c));

        // 编号 and 版本: which facility this row changes, if any.
        let existing = match optional(ID) {
            None => None,
            Some(c) => match read_count(c, COL_ID) {
                Err(e) => {
                    bad(ID, e);
                    None
                }
                Ok(id) => match snap.facility(id) {
                    None => {
                        bad(ID, format!("编号 {id} 的设施不存在：新增设施请把编号留空"));
                        None
                    }
                    Some(f) => {
                        ids.entry(id).or_default().push(n);
                        match optional(VERSION).map(|c| read_count(c, COL_VERSION)) {
                            None => {
                                bad(VERSION, "修改已有设施时请保留导出文件中的版本".to_string());
                                None
                            }
                            Some(Err(e)) => {
                                bad(VERSION, e);
                                None
                            }
                            Some(Ok(v)) if v != f.version => {
                                bad(
                                    VERSION,
                                    format!(
                                        "设施「{}」在导出后已被修改（文件中版本 {v}，当前版本 {}）：请重新导出后再修改",
                                        f.name, f.version
                                    ),
                                );
                                None
                            }
                            Some(Ok(v)) => Some((f, v)),
                        }
                    }
                },
            },
        };

        let kind = FacilityType::parse(&read_text(cell(TYPE)))
            .map_err(|e| bad(TYPE, e.message))
            .ok();
        let name = parse_facility_name(&read_text(cell(NAME)))
            .map_err(|e| bad(NAME, e.message))
            .ok();
        let village = if is_blank(cell(CODE)) {
            bad(CODE, "村代码为必填项，不能为空".to_string());
            None
        } else {
            match read_code(cell(CODE)) {
                Err(e) => {
                    bad(CODE, e);
                    None
                }
                Ok(code) => match snap.division(&code) {
                    None => {
                        bad(CODE, format!("村代码「{code}」不在区划名录中"));
                        None
                    }
                    Some(d) if !d.division.status.is_active_on(today) => {
                        bad(
                            CODE,
                            format!(
                                "「{}」{}，请填写设施现在所在的村",
                                d.division.name,
                                d.division.status.label()
                            ),
                        );
                        None
                    }
                    Some(d) => Some((code, d)),
                },
            }
        };
        let lon = optional(LON)
            .map(|c| read_degrees(c, COL_LON))
            .transpose()
            .map_err(|e| bad(LON, e))
            .ok();
        let lat = optional(LAT)
            .map(|c| read_degrees(c, COL_LAT))
            .transpose()
            .map_err(|e| bad(LAT, e))
            .ok();
        let point = match (lon, lat) {
            (Some(lon), Some(lat)) => match parse_point(lon, lat) {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(if e.field == "lat" { LAT } else { LON }, e.message);
                    None
                }
            },
            _ => None,
        };
        if let (Some(Some(p)), Some((_, d))) = (point, &village)
            && let Some(v) = d.lon.zip(d.lat)
            && let Err(e) = check_near_village(p, v, &d.division.name)
        {
            bad(LON, e.message);
        }
        let capacity = match optional(CAPACITY).map(|c| read_count(c, COL_CAPACITY)) {
            None => Some(None),
            Some(Ok(c)) if c > CAPACITY_MAX => {
                bad(CAPACITY, format!("容量 {c} 过大：不超过 {CAPACITY_MAX}"));
                None
            }
            Some(Ok(c)) => Some(Some(c)),
            Some(Err(e)) => {
                bad(CAPACITY, e);
                None
            }
        };
        let status = if is_blank(cell(STATUS)) {
            bad(STATUS, "状态为必填项：规划、在建、运行 或 停用".to_string());
            None
        } else {
            FacilityStatus::parse(&read_text(cell(STATUS)))
                .map_err(|e| bad(STATUS, e.message))
                .ok()
        };
        if let (Some((f, _)), Some(s)) = (existing, status)
            && s != f.status
            && let Err(e) = f.status.check_move(s, &f.name)
        {
            bad(STATUS, e.message);
        }
        let opening_year = optional(YEAR)
            .map(read_opening_year)
            .transpose()
            .map_err(|e| bad(YEAR, e))
            .ok();
        let upkeep_unit = parse_upkeep_unit(&read_text(cell(UPKEEP)))
            .map_err(|e| bad(UPKEEP, e.message))
            .ok();
        let note = parse_note(&read_text(cell(NOTE)))
            .map_err(|e| bad(NOTE, e.message))
            .ok();

        if let (Some(kind), Some(name), Some((code, d))) = (kind, &name, &village) {
            keys.entry((kind, name.clone(), code.clone()))
                .or_default()
                .push(n);
            let this = existing.map(|(f, _)| f.id);
            if let Some(other) = snap.facilities.iter().find(|f| {
                Some(f.id) != this && f.kind == kind && &f.name == name && &f.village == code
            }) {
                bad(
                    NAME,
                    format!(
                        "「{}」已有同名的{}「{name}」（编号 {}）：修改它请填写编号和版本，新增请换一个名称",
                        d.division.name,
                        kind.label(),
                        other.id
                    ),
                );
            }
        }
        let (
            Some(kind),
            Some(name),
            Some((village, _)),
            Some(point),
            Some(capacity),
            Some(status),
            Some(opening_year),
            Some(upkeep_unit),
            Some(note),
        ) = (
            kind,
            name,
            village,
            point,
            capacity,
            status,
            opening_year,
            upkeep_unit,
            note,
        )
        else {
            continue;
        };
        if errors.len() == before {
            out.push(FacilityImportRow {
                existing: existing.map(|(f, v)| (f.id, v)),
                spec: FacilitySpec {
                    kind,
                    name,
                    village,
                    point,
                    capacity,
                    status,
                    opening_year,
                    upkeep_unit,
                    note,
                },
            });
        }
    }
    if data_rows == 0 && errors.is_empty() {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」中没有数据行：请从表头下一行起填写"
        ))]);
    }
    let list = |rows: &[usize]| {
        rows.iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    for (id, rows) in ids.iter().filter(|(_, r)| r.len() > 1) {
        for &r in rows {
            errors.push(RowError::new(
                r,
                COL_ID,
                id.to_string(),
                format!(
                    "编号 {id} 在文件中出现了不止一次（第 {} 行），每个设施只能填一行",
                    list(rows)
                ),
            ));
        }
    }
    for ((kind, name, _), rows) in keys.iter().filter(|(_, r)| r.len() > 1) {
        for &r in rows {
            errors.push(RowError::new(
                r,
                COL_NAME,
                name.clone(),
                format!(
                    "同一村的{}「{name}」重复出现（第 {} 行）",
                    kind.label(),
                    list(rows)
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        let order = |e: &RowError| FACILITY_HEADERS.iter().position(|h| *h == e.column);
        errors.sort_by(|a, b| (a.row, order(a), &a.reason).cmp(&(b.row, order(b), &b.reason)));
        errors.dedup();
        Err(errors)
    }
}
