//! The planning comparison format (`../shared/bench/optim`): a GeoJSON FeatureCollection whose
//! feature *k* has `"id": k`, numeric attributes and `cx`, `cy` (planar metres), plus an edge
//! list CSV `i,j`. The zone planner's CLI reads it so it can run beside spopt and pygeoda on
//! the same files. Geometry is skipped: every tool uses the given edge list.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Units read from an instance file.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Per unit, the requested attributes in the order asked.
    pub attrs: Vec<Vec<f64>>,
    /// Per unit, the population (or 1.0 when no population column is asked).
    pub pop: Vec<f64>,
    /// Per unit, the centroid (`cx`, `cy`; 0 when absent).
    pub xy: Vec<(f64, f64)>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Deserialize)]
struct CollectionWithGeometry {
    features: Vec<FeatureWithGeometry>,
}

#[derive(Deserialize)]
struct FeatureWithGeometry {
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    geometry: Value,
}

/// The vertex mean of a Polygon / MultiPolygon's outer rings, in its own coordinates: close
/// enough to the centroid for a village-sized polygon, and defined for any ring.
fn geometry_centre(g: &Value) -> Option<(f64, f64)> {
    let rings: Vec<&Value> = match g.get("type")?.as_str()? {
        "Polygon" => vec![g.get("coordinates")?.get(0)?],
        "MultiPolygon" => g
            .get("coordinates")?
            .as_array()?
            .iter()
            .filter_map(|p| p.get(0))
            .collect(),
        "Point" => return Some((g["coordinates"][0].as_f64()?, g["coordinates"][1].as_f64()?)),
        _ => return None,
    };
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for ring in rings {
        for p in ring.as_array()? {
            sx += p.get(0)?.as_f64()?;
            sy += p.get(1)?.as_f64()?;
            n += 1.0;
        }
    }
    (n > 0.0).then(|| (sx / n, sy / n))
}

/// Points and their weights, in file order.
pub type WeightedPoints = (Vec<(f64, f64)>, Vec<f64>);

/// Demand points for the service planner: per feature its weight and either `cx`, `cy`
/// (planar metres) or, with `wgs84`, the centre of its geometry in longitude / latitude.
pub fn read_points(text: &str, weight: &str, wgs84: bool) -> Result<WeightedPoints, String> {
    let fc: CollectionWithGeometry = serde_json::from_str(text)
        .map_err(|e| format!("不是有效的 GeoJSON FeatureCollection：{e}"))?;
    let mut pts = Vec::with_capacity(fc.features.len());
    let mut weights = Vec::with_capacity(fc.features.len());
    for (k, f) in fc.features.iter().enumerate() {
        let p = &f.properties;
        match number(p, "id") {
            Some(id) if id == k as f64 => {}
            _ => {
                return Err(format!(
                    "第 {} 个要素的 id 应为 {k}（按文件顺序从 0 编号）",
                    k + 1
                ));
            }
        }
        weights.push(
            number(p, weight)
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| format!("第 {} 个要素的权重属性「{weight}」缺失或为负数", k + 1))?,
        );
        let at = if wgs84 {
            geometry_centre(&f.geometry)
        } else {
            number(p, "cx").zip(number(p, "cy"))
        };
        pts.push(at.ok_or_else(|| {
            format!(
                "第 {} 个要素缺少{}",
                k + 1,
                if wgs84 {
                    "可用的几何（Polygon / MultiPolygon / Point）"
                } else {
                    "数值属性 cx、cy"
                }
            )
        })?);
    }
    Ok((pts, weights))
}

fn number(p: &Map<String, Value>, key: &str) -> Option<f64> {
    match p.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|v: &f64| v.is_finite())
}

/// Reads the instance's units. Errors name the feature (1-based) and the property.
pub fn read_instance(text: &str, attrs: &[String], pop: Option<&str>) -> Result<Instance, String> {
    let fc: Collection = serde_json::from_str(text)
        .map_err(|e| format!("不是有效的 GeoJSON FeatureCollection：{e}"))?;
    let mut out = Instance {
        attrs: Vec::with_capacity(fc.features.len()),
        pop: Vec::with_capacity(fc.features.len()),
        xy: Vec::with_capacity(fc.features.len()),
    };
    for (k, f) in fc.features.iter().enumerate() {
        let p = &f.properties;
        match number(p, "id") {
            Some(id) if id == k as f64 => {}
            other => {
                return Err(format!(
                    "第 {} 个要素的 id 应为 {k}（按文件顺序从 0 编号），实际为 {}",
                    k + 1,
                    other.map_or("空".to_string(), |v| v.to_string())
                ));
            }
        }
        let row = attrs
            .iter()
            .map(|a| number(p, a).ok_or_else(|| format!("第 {} 个要素缺少数值属性「{a}」", k + 1)))
            .collect::<Result<Vec<f64>, String>>()?;
        out.attrs.push(row);
        out.pop.push(match pop {
            Some(col) => number(p, col)
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| format!("第 {} 个要素的人口属性「{col}」缺失或为负数", k + 1))?,
            None => 1.0,
        });
        out.xy.push((
            number(p, "cx").unwrap_or(0.0),
            number(p, "cy").unwrap_or(0.0),
        ));
    }
    Ok(out)
}

/// Reads an edge list `i,j` (header first). Errors name the line.
pub fn read_edges(text: &str, n: usize) -> Result<Vec<(usize, usize)>, String> {
    let mut edges = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (line_no == 0 && !line.starts_with(|c: char| c.is_ascii_digit())) {
            continue;
        }
        let mut parts = line.split(',').map(str::trim);
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("邻接表第 {} 行应为“i,j”两列：{line}", line_no + 1));
        };
        let parse = |s: &str| {
            s.parse::<usize>().ok().filter(|v| *v < n).ok_or_else(|| {
                format!(
                    "邻接表第 {} 行的编号「{s}」无效（应在 0 至 {} 之间）",
                    line_no + 1,
                    n.saturating_sub(1)
                )
            })
        };
        edges.push((parse(a)?, parse(b)?));
    }
    Ok(edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_properties_in_order_and_skips_geometry() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"id":0,"a":1.5,"pop":10,"cx":1,"cy":2},"geometry":{"type":"Polygon","coordinates":[]}},
            {"type":"Feature","properties":{"id":1,"a":"2","pop":20}}]}"#;
        let inst = read_instance(text, &["a".into()], Some("pop")).unwrap();
        assert_eq!(inst.attrs, vec![vec![1.5], vec![2.0]]);
        assert_eq!(inst.pop, vec![10.0, 20.0]);
        assert_eq!(inst.xy, vec![(1.0, 2.0), (0.0, 0.0)]);
    }

    #[test]
    fn errors_name_the_feature_and_the_line() {
        let text = r#"{"features":[{"properties":{"id":1,"a":1}}]}"#;
        assert!(
            read_instance(text, &["a".into()], None)
                .unwrap_err()
                .contains("第 1 个要素的 id")
        );
        let text = r#"{"features":[{"properties":{"id":0}}]}"#;
        assert!(
            read_instance(text, &["a".into()], None)
                .unwrap_err()
                .contains("「a」")
        );
        assert_eq!(
            read_edges("i,j\n0,1\n1,2\n", 3).unwrap(),
            vec![(0, 1), (1, 2)]
        );
        assert!(read_edges("i,j\n0,5\n", 3).unwrap_err().contains("第 2 行"));
    }
}
