//! Parsers for the two hand-made CSV files in `data/` (copied from the shared data folder).
//!
//! Both files are plain comma-separated text with no quoting, so a split on commas is the whole
//! format; being strict about the header and every field catches a wrong or edited file early.

use std::collections::HashMap;

use crate::{DivisionKind, DivisionRow, Terrain, TownCentre};

const DIVISIONS_HEADER: &str = "town_code,town_name,village_code,village_name,kind";
const TOWNS_HEADER: &str = "town_code,town_name,lon,lat,terrain";

/// Non-blank lines with their 1-based line numbers, header first; a UTF-8 BOM is ignored.
fn data_lines<'a>(text: &'a str, header: &str) -> Result<Vec<(usize, Vec<&'a str>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k + 1, l.trim_end()))
        .filter(|(_, l)| !l.is_empty());
    match lines.next() {
        None => return Err("文件为空，缺少表头".to_string()),
        Some((n, l)) if l != header => {
            return Err(format!("第 {n} 行：表头应为 `{header}`，实为 `{l}`"));
        }
        Some(_) => {}
    }
    let columns = header.split(',').count();
    lines
        .map(|(n, l)| {
            let fields: Vec<&str> = l.split(',').map(str::trim).collect();
            if fields.len() != columns {
                return Err(format!(
                    "第 {n} 行：应有 {columns} 列，实有 {} 列",
                    fields.len()
                ));
            }
            Ok((n, fields))
        })
        .collect()
}

fn digits(n: usize, what: &str, value: &str, len: usize) -> Result<(), String> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "第 {n} 行：{what}应为 {len} 位数字，实为 `{value}`"
        ))
    }
}

fn non_empty(n: usize, what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        Err(format!("第 {n} 行：{what}为空"))
    } else {
        Ok(())
    }
}

/// Parses `keqiao_divisions.csv` (`town_code,town_name,village_code,village_name,kind`).
///
/// Town codes must be 9 digits, village codes 12 digits starting with their town code and
/// unique, names non-empty, kind `village` or `community`. Errors name the 1-based line.
pub fn parse_divisions_csv(text: &str) -> Result<Vec<DivisionRow>, String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    for (n, f) in data_lines(text, DIVISIONS_HEADER)? {
        let (town_code, town_name, code, name, kind) = (f[0], f[1], f[2], f[3], f[4]);
        digits(n, "乡镇代码", town_code, 9)?;
        non_empty(n, "乡镇名称", town_name)?;
        digits(n, "村级代码", code, 12)?;
        if !code.starts_with(town_code) {
            return Err(format!(
                "第 {n} 行：村级代码 {code} 不以所属乡镇代码 {town_code} 开头"
            ));
        }
        non_empty(n, "村级名称", name)?;
        let kind = DivisionKind::parse(kind)
            .ok_or_else(|| format!("第 {n} 行：类型应为 village 或 community，实为 `{kind}`"))?;
        if let Some(first) = seen.insert(code.to_string(), n) {
            return Err(format!("第 {n} 行：村级代码 {code} 与第 {first} 行重复"));
        }
        rows.push(DivisionRow {
            town_code: town_code.to_string(),
            town_name: town_name.to_string(),
            code: code.to_string(),
            name: name.to_string(),
            kind,
        });
    }
    Ok(rows)
}

/// Parses `town_centres.csv` (`town_code,town_name,lon,lat,terrain`).
///
/// Town codes must be 9 digits and unique, lon/lat finite and in range, terrain one of
/// `urban`, `plain`, `hill`, `mountain`. Errors name the 1-based line.
pub fn parse_town_centres_csv(text: &str) -> Result<Vec<TownCentre>, String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut towns = Vec::new();
    for (n, f) in data_lines(text, TOWNS_HEADER)? {
        let (code, name) = (f[0], f[1]);
        digits(n, "乡镇代码", code, 9)?;
        non_empty(n, "乡镇名称", name)?;
        let coord = |what: &str, value: &str, limit: f64| {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= limit)
                .ok_or_else(|| format!("第 {n} 行：{what}不是有效数值：`{value}`"))
        };
        let lon = coord("经度", f[2], 180.0)?;
        let lat = coord("纬度", f[3], 90.0)?;
        let terrain = Terrain::parse(f[4]).ok_or_else(|| {
            format!(
                "第 {n} 行：地形应为 urban、plain、hill 或 mountain，实为 `{}`",
                f[4]
            )
        })?;
        if let Some(first) = seen.insert(code.to_string(), n) {
            return Err(format!("第 {n} 行：乡镇代码 {code} 与第 {first} 行重复"));
        }
        towns.push(TownCentre {
            code: code.to_string(),
            name: name.to_string(),
            lon,
            lat,
            terrain,
        });
    }
    Ok(towns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIVISIONS: &str = crate::DIVISIONS_CSV;
    const TOWNS: &str = crate::TOWN_CENTRES_CSV;

    #[test]
    fn the_real_division_list_parses_to_341_rows() {
        let rows = parse_divisions_csv(DIVISIONS).unwrap();
        assert_eq!(rows.len(), 341);
        let villages = rows
            .iter()
            .filter(|r| r.kind == DivisionKind::Village)
            .count();
        assert_eq!((villages, rows.len() - villages), (214, 127));
        assert_eq!(rows[0].name, "管墅社区居委会");
        assert_eq!(rows[0].town_name, "柯桥街道");
    }

    #[test]
    fn the_real_town_centres_parse_to_16_towns() {
        let towns = parse_town_centres_csv(TOWNS).unwrap();
        assert_eq!(towns.len(), 16);
        let pingshui = towns.iter().find(|t| t.name == "平水镇").unwrap();
        assert_eq!(pingshui.terrain, Terrain::Mountain);
        assert_eq!((pingshui.lon, pingshui.lat), (120.62, 29.94));
    }

    #[test]
    fn crlf_line_ends_a_bom_and_blank_lines_are_accepted() {
        let text = "\u{feff}town_code,town_name,lon,lat,terrain\r\n\r\n\
                    330603001,柯桥街道,120.490,30.085,urban\r\n";
        assert_eq!(parse_town_centres_csv(text).unwrap().len(), 1);
    }

    #[test]
    fn a_wrong_header_is_rejected() {
        let err = parse_divisions_csv("code,name\n").unwrap_err();
        assert!(err.starts_with("第 1 行：表头应为"), "{err}");
        assert_eq!(parse_divisions_csv("").unwrap_err(), "文件为空，缺少表头");
    }

    #[test]
    fn errors_name_the_offending_line() {
        let head = format!(
            "{DIVISIONS_HEADER}\n330603001,柯桥街道,330603001008,管墅社区居委会,community\n"
        );
        let cases = [
            (
                "330603001,柯桥街道,330603001009,某村委会",
                "第 3 行：应有 5 列，实有 4 列",
            ),
            (
                "330603001,柯桥街道,330603001009,某村委会,hamlet",
                "第 3 行：类型应为 village 或 community，实为 `hamlet`",
            ),
            (
                "330603001,柯桥街道,330603001008,某村委会,village",
                "第 3 行：村级代码 330603001008 与第 2 行重复",
            ),
            (
                "330603001,柯桥街道,330603002009,某村委会,village",
                "第 3 行：村级代码 330603002009 不以所属乡镇代码 330603001 开头",
            ),
            (
                "33060300,柯桥街道,330603001009,某村委会,village",
                "第 3 行：乡镇代码应为 9 位数字，实为 `33060300`",
            ),
            (
                "330603001,柯桥街道,330603001009,,village",
                "第 3 行：村级名称为空",
            ),
        ];
        for (line, message) in cases {
            assert_eq!(
                parse_divisions_csv(&format!("{head}{line}\n")).unwrap_err(),
                message
            );
        }
    }

    #[test]
    fn bad_coordinates_and_terrain_are_rejected_with_their_line() {
        let head = format!("{TOWNS_HEADER}\n");
        assert_eq!(
            parse_town_centres_csv(&format!("{head}330603001,柯桥街道,east,30.0,urban"))
                .unwrap_err(),
            "第 2 行：经度不是有效数值：`east`"
        );
        assert_eq!(
            parse_town_centres_csv(&format!("{head}330603001,柯桥街道,120.0,95.0,urban"))
                .unwrap_err(),
            "第 2 行：纬度不是有效数值：`95.0`"
        );
        assert_eq!(
            parse_town_centres_csv(&format!("{head}330603001,柯桥街道,120.0,30.0,swamp"))
                .unwrap_err(),
            "第 2 行：地形应为 urban、plain、hill 或 mountain，实为 `swamp`"
        );
    }
}
