//! GeoJSON in and out: checking uploaded village boundaries, and writing the map's
//! FeatureCollection.
//!
//! Only plain `serde_json` is used. Boundaries are WGS84 lon/lat (RFC 7946); rings are checked
//! in a local metric projection around their first point with `gongfu_plan::geometry`.

use crate::RowError;
use gongfu_core::village::DivisionKind;
use gongfu_core::zone::Membership;
use gongfu_core::{VillageCode, ZoneId};
use gongfu_plan::geometry::{LocalProjection, Pt, check_ring, ring_area, ring_centroid};
use gongfu_store::Snapshot;
use gongfu_store::snapshot::ZoneRec;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;
use time::Date;

/// Property names that may carry the village code, in order of preference.
pub const CODE_PROPERTIES: [&str; 3] = ["code", "village_code", "村代码"];

/// A checked boundary: `(village code, normalised geometry JSON, centroid lon, centroid lat)`,
/// the shape `gongfu_store::Store::import_boundaries` takes.
pub type Boundary = (VillageCode, String, f64, f64);

/// One polygon: outer ring first, then holes; each ring closed, positions `[lon, lat]`.
type Polygon = Vec<Vec<[f64; 2]>>;

fn type_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

/// The value of a code property as text: a string, or an integer a tool made of it.
fn code_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => n.as_u64().map(|u| u.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn parse_position(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    if a.len() < 2 {
        return None;
    }
    Some([a[0].as_f64()?, a[1].as_f64()?])
}

fn parse_polygon(v: &Value) -> Result<Polygon, String> {
    let rings = v
        .as_array()
        .ok_or("coordinates 格式无效：多边形应为环的数组")?;
    if rings.is_empty() {
        return Err("多边形没有任何环".to_string());
    }
    rings
        .iter()
        .map(|ring| {
            ring.as_array()
                .ok_or_else(|| "coordinates 格式无效：环应为点的数组".to_string())?
                .iter()
                .map(|p| {
                    parse_position(p).ok_or_else(|| {
                        format!("coordinates 格式无效：点应为 [经度, 纬度]，实为 {p}")
                    })
                })
                .collect()
        })
        .collect()
}

/// The polygons of a Polygon or MultiPolygon geometry object.
fn parse_geometry(g: &Value) -> Result<(bool, Vec<Polygon>), String> {
    let t = type_of(g);
    let coords = g.get("coordinates").unwrap_or(&Value::Null);
    match t {
        "Polygon" => Ok((false, vec![parse_polygon(coords)?])),
        "MultiPolygon" => {
            let polys = coords
                .as_array()
                .ok_or("coordinates 格式无效：MultiPolygon 应为多边形的数组")?;
            if polys.is_empty() {
                return Err("MultiPolygon 中没有任何多边形".to_string());
            }
            Ok((
                true,
                polys.iter().map(parse_polygon).collect::<Result<_, _>>()?,
            ))
        }
        "" => Err("几何对象缺少 type".to_string()),
        other => Err(format!(
            "几何类型为 {other}，村界应为 Polygon 或 MultiPolygon（面）"
        )),
    }
}

/// The outer rings (`[lon, lat]`) of stored boundary text (Polygon or MultiPolygon), for
/// building the contiguity graph; `None` when the text is not a readable polygon.
pub fn outer_rings(text: &str) -> Option<Vec<Vec<[f64; 2]>>> {
    let v: Value = serde_json::from_str(text).ok()?;
    let (_, polys) = parse_geometry(&v).ok()?;
    Some(
        polys
            .into_iter()
            .filter_map(|p| p.into_iter().next())
            .collect(),
    )
}

fn ring_label(multi: bool, poly: usize, ring: usize) -> String {
    let which = if ring == 0 {
        "外环".to_string()
    } else {
        format!("第 {ring} 个内环（洞）")
    };
    if multi {
        format!("第 {} 个多边形的{which}", poly + 1)
    } else {
        which
    }
}

/// Checks one closed lon/lat ring; returns it projected around its first point.
fn check_lonlat_ring(ring: &[[f64; 2]], label: &str) -> Result<(), String> {
    if ring.len() < 4 {
        return Err(format!(
            "{label}只有 {} 个点：闭合的环至少需要 4 个点（首尾相同）",
            ring.len()
        ));
    }
    for (k, [lon, lat]) in ring.iter().enumerate() {
        let ok = lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(lon)
            && (-90.0..=90.0).contains(lat);
        if !ok {
            let hint = if lon.abs() > 1000.0 || lat.abs() > 1000.0 {
                "（看起来是投影坐标，请先转换为经纬度）"
            } else {
                ""
            };
            return Err(format!(
                "{label}第 {} 个点 ({lon}, {lat}) 超出经纬度范围：坐标应为 WGS84 经纬度，经度在前{hint}",
                k + 1
            ));
        }
    }
    if ring.first() != ring.last() {
        return Err(format!("{label}未闭合：第一个点和最后一个点应相同"));
    }
    let proj = LocalProjection::new(ring[0][0], ring[0][1]);
    let pts: Vec<Pt> = ring.iter().map(|[x, y]| proj.to_xy(*x, *y)).collect();
    check_ring(&pts).map_err(|e| format!("{label}无效：{e}"))
}

/// Area-weighted centroid (lon, lat) of the outer rings, in one projection around the first
/// outer ring's first point.
fn centroid(polys: &[Polygon]) -> (f64, f64) {
    let [lon0, lat0] = polys[0][0][0];
    let proj = LocalProjection::new(lon0, lat0);
    let (mut a, mut x, mut y) = (0.0, 0.0, 0.0);
    for p in polys {
        let pts: Vec<Pt> = p[0]
            .iter()
            .map(|[lon, lat]| proj.to_xy(*lon, *lat))
            .collect();
        let w = ring_area(&pts).abs();
        let c = ring_centroid(&pts);
        a += w;
        x += w * c.x;
        y += w * c.y;
    }
    if a > 0.0 {
        proj.to_lonlat(Pt::new(x / a, y / a))
    } else {
        (lon0, lat0)
    }
}

/// The geometry as stored: only `type` and 2-D `coordinates`, no bbox, crs or altitude.
fn normalised(multi: bool, polys: Vec<Polygon>) -> String {
    let v = if multi {
        serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
    } else {
        let p = polys.into_iter().next().unwrap_or_default();
        serde_json::json!({"type": "Polygon", "coordinates": p})
    };
    v.to_string()
}

/// Checks uploaded village boundaries: a GeoJSON FeatureCollection (a single Feature is
/// accepted too) whose features carry the 12-digit village code in the property `code`
/// (or `village_code`, `村代码`) and a Polygon or MultiPolygon in WGS84 lon/lat; holes are
/// allowed.
///
/// Returns, in file order, `(code, normalised geometry JSON, centroid lon, centroid lat)`,
/// the centroid being the area-weighted centroid of the outer rings. Or every problem, one
/// per feature and kind (`row` = 1-based feature number, `column` = `code` or `geometry`):
/// missing, malformed or unknown code, the same code in several features (each is told the
/// others), missing geometry, a type other than Polygon/MultiPolygon, coordinates outside
/// lon/lat range, a ring not closed or with fewer than 4 positions, a self-intersecting or
/// zero-area ring. A file that is not a GeoJSON FeatureCollection gives one error on row 0.
pub fn parse_boundaries_geojson(
    text: &str,
    snap: &Snapshot,
) -> Result<Vec<Boundary>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        vec![RowError::file(format!(
            "文件不是有效的 GeoJSON：第 {} 行第 {} 列附近的 JSON 格式有误",
            e.line(),
            e.column()
        ))]
    })?;
    let single;
    let features: &[Value] = match type_of(&doc) {
        "FeatureCollection" => doc
            .get("features")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| vec![RowError::file("FeatureCollection 缺少 features 数组")])?,
        "Feature" => {
            single = [doc.clone()];
            &single
        }
        other => {
            let what = if other.is_empty() {
                "没有 type".to_string()
            } else {
                format!("type 为 {other}")
            };
            return Err(vec![RowError::file(format!(
                "文件应为 GeoJSON 要素集合（FeatureCollection），实为{what}"
            ))]);
        }
    };
    if features.is_empty() {
        return Err(vec![RowError::file("文件中没有任何要素（features 为空）")]);
    }

    let empty = Map::new();
    let mut errors = Vec::new();
    let mut out: Vec<Boundary> = Vec::new();
    let mut seen: HashMap<VillageCode, Vec<usize>> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        if type_of(f) != "Feature" {
            errors.push(RowError::new(
                n,
                "type",
                type_of(f),
                "不是 GeoJSON 要素（type 应为 Feature）",
            ));
            continue;
        }
        let props = f
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let raw = CODE_PROPERTIES
            .iter()
            .find_map(|k| props.get(*k).and_then(code_text));
        let code = match raw {
            None => {
                errors.push(RowError::new(
                    n,
                    "code",
                    "",
                    "缺少村代码：properties 中应有 code（或 village_code、村代码）",
                ));
                None
            }
            Some(raw) => match VillageCode::parse(&raw) {
                Err(e) => {
                    errors.push(RowError::new(n, "code", raw, e.message));
                    None
                }
                Ok(code) if snap.division(&code).is_none() => {
                    errors.push(RowError::new(
                        n,
                        "code",
                        raw,
                        format!("村代码「{code}」不在区划名录中"),
                    ));
                    None
                }
                Ok(code) => {
                    seen.entry(code.clone()).or_default().push(n);
                    Some(code)
                }
            },
        };
        let geometry = match f.get("geometry") {
            None | Some(Value::Null) => Err("缺少村界：geometry 为空".to_string()),
            Some(g) => parse_geometry(g).and_then(|(multi, polys)| {
                for (p, poly) in polys.iter().enumerate() {
                    for (r, ring) in poly.iter().enumerate() {
                        check_lonlat_ring(ring, &ring_label(multi, p, r))?;
                    }
                }
                Ok((multi, polys))
            }),
        };
        match (code, geometry) {
            (_, Err(reason)) => {
                let t = f.get("geometry").map(type_of).unwrap_or("");
                errors.push(RowError::new(n, "geometry", t, reason));
            }
            (Some(code), Ok((multi, polys))) => {
                let (lon, lat) = centroid(&polys);
                out.push((code, normalised(multi, polys), lon, lat));
            }
            (None, Ok(_)) => {}
        }
    }
    let mut dupes: Vec<(&VillageCode, &Vec<usize>)> =
        seen.iter().filter(|(_, v)| v.len() > 1).collect();
    dupes.sort_by_key(|(_, v)| v[0]);
    for (code, at) in dupes {
        let list = at
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("、");
        for &k in at {
            errors.push(RowError::new(
                k,
                "code",
                code.as_str(),
                format!(
                    "村代码「{code}」在文件中出现多次（第 {list} 个要素），每个村只能有一个村界"
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

/// Appends `s` as a JSON string literal (quoted and escaped by serde_json).
fn push_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

fn push_f64(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) if v.is_finite() => {
            let _ = write!(out, "{v}");
        }
        _ => out.extend_from_slice(b"null"),
    }
}

fn push_i64(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// The map layer: a FeatureCollection of every division that has a boundary, as of `day`,
/// with the figures of `year` (default: the newest data year).
///
/// Each feature has `"id": code` and properties `code, name, town, kind` (`village` /
/// `community`), `status` (`active`, `merged`, `withdrawn` on `day`), `zone_id, zone_name,
/// role` (`key` / `linked`; all null outside a zone), `year, operating_income_fen, population,
/// weak` (null without figures for the year), `tags` and `lon, lat` (the stored point, null if
/// none). The stored boundary text is spliced in as the geometry without being parsed again:
/// it was normalised by [`parse_boundaries_geojson`] or written by the demo seeder.
pub fn map_feature_collection(snap: &Snapshot, day: Date, year: Option<i32>) -> Vec<u8> {
    map_feature_collection_where(snap, day, year, |_| true)
}

/// [`map_feature_collection`] limited to the divisions `keep` accepts (a zone's members …).
pub fn map_feature_collection_where(
    snap: &Snapshot,
    day: Date,
    year: Option<i32>,
    keep: impl Fn(&VillageCode) -> bool,
) -> Vec<u8> {
    let year = year.or_else(|| snap.latest_year());
    let members: HashMap<&VillageCode, &Membership> = snap
        .memberships
        .iter()
        .filter(|m| m.is_current_on(day))
        .map(|m| (&m.village, m))
        .collect();
    let zones: HashMap<ZoneId, &ZoneRec> = snap.zones.iter().map(|z| (z.id, z)).collect();
    let with_boundary = || {
        snap.divisions.iter().filter_map(|d| {
            let b = d.boundary.as_deref()?.trim();
            (!b.is_empty() && keep(&d.division.code)).then_some((d, b))
        })
    };
    let capacity = 64 + with_boundary().map(|(_, b)| b.len() + 512).sum::<usize>();
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    out.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (k, (d, boundary)) in with_boundary().enumerate() {
        let div = &d.division;
        let code = div.code.as_str();
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"type":"Feature","id":"#);
        push_str(&mut out, code);
        out.extend_from_slice(br#","geometry":"#);
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(br#","properties":{"code":"#);
        push_str(&mut out, code);
        out.extend_from_slice(br#","name":"#);
        push_str(&mut out, &div.name);
        out.extend_from_slice(br#","town":"#);
        push_str(&mut out, snap.town_name(&div.town));
        out.extend_from_slice(br#","kind":"#);
        push_str(&mut out, div.kind.as_str());
        out.extend_from_slice(br#","status":"#);
        let status = if div.status.is_active_on(day) {
            "active"
        } else {
            div.status.as_str()
        };
        push_str(&mut out, status);
        let m = members.get(&div.code);
        out.extend_from_slice(br#","zone_id":"#);
        push_i64(&mut out, m.map(|m| m.zone.0));
        out.extend_from_slice(br#","zone_name":"#);
        match m.and_then(|m| zones.get(&m.zone)) {
            Some(z) => push_str(&mut out, &z.name),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","role":"#);
        match m {
            Some(m) => push_str(&mut out, m.role.as_str()),
            None => out.extend_from_slice(b"null"),
        }
        let figures = year.and_then(|y| snap.figures(&div.code, y));
        out.extend_from_slice(br#","year":"#);
        push_i64(&mut out, figures.map(|f| f.year.get() as i64));
        out.extend_from_slice(br#","operating_income_fen":"#);
        push_i64(&mut out, figures.map(|f| f.operating_income.0));
        out.extend_from_slice(br#","population":"#);
        push_i64(&mut out, figures.map(|f| f.population));
        out.extend_from_slice(br#","weak":"#);
        // Communities are never 薄弱村: the flag is for administrative villages.
        match figures.filter(|_| div.kind == DivisionKind::Village) {
            Some(f) if snap.weak_rule.is_weak(f) => out.extend_from_slice(b"true"),
            Some(_) => out.extend_from_slice(b"false"),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","tags":["#);
        for (j, t) in d.tags.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            push_str(&mut out, t);
        }
        out.extend_from_slice(br#"],"lon":"#);
        push_f64(&mut out, d.lon);
        out.extend_from_slice(br#","lat":"#);
        push_f64(&mut out, d.lat);
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"]}");
    out
}
