//! GeoJSON boundaries in, and the map's FeatureCollection out.

mod common;

use gongfu_core::village::DivisionKind;
use gongfu_io::{RowError, map_feature_collection, parse_boundaries_geojson};
use gongfu_store::{Actor, Snapshot};
use serde_json::{Value, json};
use time::macros::date;

const DAY: time::Date = date!(2025 - 06 - 30);

fn village_codes(snap: &Snapshot, n: usize) -> Vec<String> {
    snap.divisions
        .iter()
        .filter(|d| d.division.kind == DivisionKind::Village)
        .take(n)
        .map(|d| d.division.code.to_string())
        .collect()
}

/// A closed counter-clockwise square ring of `side` degrees with its south-west corner at
/// (lon, lat).
fn square(lon: f64, lat: f64, side: f64) -> Value {
    json!([
        [lon, lat],
        [lon + side, lat],
        [lon + side, lat + side],
        [lon, lat + side],
        [lon, lat]
    ])
}

fn feature(props: Value, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": props, "geometry": geometry})
}

fn polygon(rings: Vec<Value>) -> Value {
    json!({"type": "Polygon", "coordinates": rings})
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn errors_of(features: Vec<Value>, snap: &Snapshot) -> Vec<RowError> {
    parse_boundaries_geojson(&collection(features), snap).unwrap_err()
}

#[tokio::test]
async fn a_valid_square_is_accepted_with_its_centroid() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let codes = village_codes(&snap, 3);
    let text = collection(vec![
        feature(
            json!({"code": codes[0], "name": "任意"}),
            polygon(vec![square(120.50, 30.00, 0.01)]),
        ),
        // The other property names, a numeric code, an altitude and a hole.
        feature(
            json!({"village_code": codes[1].parse::<u64>().unwrap()}),
            polygon(vec![
                json!([
                    [120.6, 30.0, 5.0],
                    [120.62, 30.0, 5.0],
                    [120.62, 30.02, 5.0],
                    [120.6, 30.02, 5.0],
                    [120.6, 30.0, 5.0]
                ]),
                // The hole, clockwise.
                json!([
                    [120.605, 30.005],
                    [120.605, 30.01],
                    [120.61, 30.01],
                    [120.61, 30.005],
                    [120.605, 30.005]
                ]),
            ]),
        ),
        // Two squares, the second three times the side (nine times the area).
        feature(
            json!({"村代码": codes[2]}),
            json!({"type": "MultiPolygon", "coordinates": [[square(120.0, 30.0, 0.01)], [square(120.1, 30.0, 0.03)]]}),
        ),
    ]);
    let rows = parse_boundaries_geojson(&text, &snap).expect("valid boundaries are accepted");
    assert_eq!(rows.len(), 3);

    let (code, geometry, lon, lat) = &rows[0];
    assert_eq!(code.as_str(), codes[0]);
    assert!((lon - 120.505).abs() < 1e-6, "{lon}");
    assert!((lat - 30.005).abs() < 1e-6, "{lat}");
    let g: Value = serde_json::from_str(geometry).unwrap();
    assert_eq!(g, polygon(vec![square(120.50, 30.00, 0.01)]));

    let (code, geometry, lon, lat) = &rows[1];
    assert_eq!(code.as_str(), codes[1]);
    assert!((lon - 120.61).abs() < 1e-6 && (lat - 30.01).abs() < 1e-6);
    let g: Value = serde_json::from_str(geometry).unwrap();
    assert_eq!(
        g["coordinates"].as_array().unwrap().len(),
        2,
        "the hole is kept"
    );
    assert_eq!(
        g["coordinates"][0][0],
        json!([120.6, 30.0]),
        "the altitude is dropped"
    );

    let (_, geometry, lon, lat) = &rows[2];
    assert_eq!(
        serde_json::from_str::<Value>(geometry).unwrap()["type"],
        "MultiPolygon"
    );
    // Area-weighted: (1·120.005 + 9·120.115) / 10.
    assert!((lon - 120.104).abs() < 1e-5, "{lon}");
    assert!((lat - (30.005 + 9.0 * 30.015) / 10.0).abs() < 1e-5, "{lat}");
}

#[tokio::test]
async fn a_bow_tie_an_unknown_code_a_duplicate_and_a_point_are_each_refused() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let codes = village_codes(&snap, 3);
    let bow_tie = json!([
        [120.5, 30.0],
        [120.51, 30.01],
        [120.51, 30.0],
        [120.5, 30.01],
        [120.5, 30.0]
    ]);
    let errs = errors_of(
        vec![
            feature(json!({"code": codes[0]}), polygon(vec![bow_tie])),
            feature(
                json!({"code": "330603999999"}),
                polygon(vec![square(120.5, 30.0, 0.01)]),
            ),
            feature(
                json!({"code": codes[1]}),
                polygon(vec![square(120.5, 30.0, 0.01)]),
            ),
            feature(
                json!({"code": codes[2]}),
                json!({"type": "Point", "coordinates": [120.5, 30.0]}),
            ),
            feature(
                json!({"code": codes[1]}),
                polygon(vec![square(120.6, 30.0, 0.01)]),
            ),
        ],
        &snap,
    );
    let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (1, "geometry"),
            (2, "code"),
            (3, "code"),
            (4, "geometry"),
            (5, "code")
        ],
        "{errs:#?}"
    );
    assert_eq!(
        errs[0].reason,
        "外环无效：边界自相交：第 1 条边与第 3 条边相交"
    );
    assert_eq!(errs[1].reason, "村代码「330603999999」不在区划名录中");
    assert!(
        errs[2].reason.contains("出现多次（第 3、5 个要素）"),
        "{}",
        errs[2].reason
    );
    assert_eq!(errs[2].reason, errs[4].reason);
    assert_eq!(
        errs[3].reason,
        "几何类型为 Point，村界应为 Polygon 或 MultiPolygon（面）"
    );
    assert_eq!(errs[3].value, "Point");
    assert_eq!(
        errs[1].feature_message(),
        "第 2 个要素「code」：村代码「330603999999」不在区划名录中"
    );
}

#[tokio::test]
async fn malformed_rings_and_coordinates_are_refused_with_a_reason() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let c = village_codes(&snap, 8);
    let open_ring = json!([
        [120.5, 30.0],
        [120.51, 30.0],
        [120.51, 30.01],
        [120.5, 30.01]
    ]);
    let triangle_of_three = json!([[120.5, 30.0], [120.51, 30.0], [120.5, 30.0]]);
    let flat = json!([[120.5, 30.0], [120.51, 30.0], [120.52, 30.0], [120.5, 30.0]]);
    let errs = errors_of(
        vec![
            feature(json!({"code": c[0]}), polygon(vec![open_ring])),
            feature(json!({"code": c[1]}), polygon(vec![triangle_of_three])),
            feature(
                json!({"code": c[2]}),
                polygon(vec![square(545_000.0, 3_320_000.0, 500.0)]),
            ),
            feature(json!({"code": c[3]}), polygon(vec![flat])),
            feature(json!({"code": c[4]}), Value::Null),
            feature(
                json!({"name": "无代码"}),
                polygon(vec![square(120.5, 30.0, 0.01)]),
            ),
            feature(
                json!({"code": "3306"}),
                polygon(vec![square(120.5, 30.0, 0.01)]),
            ),
            feature(
                json!({"code": c[5]}),
                json!({"type": "MultiPolygon", "coordinates": [[square(120.5, 30.0, 0.01)], [[[120.6, 30.0], [120.7, 95.0], [120.6, 30.1], [120.6, 30.0]]]]}),
            ),
        ],
        &snap,
    );
    let reasons: Vec<&str> = errs.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        errs.iter().map(|e| e.row).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    assert!(reasons[0].contains("未闭合"), "{}", reasons[0]);
    assert!(reasons[1].contains("至少需要 4 个点"), "{}", reasons[1]);
    assert!(
        reasons[2].contains("超出经纬度范围") && reasons[2].contains("投影坐标"),
        "{}",
        reasons[2]
    );
    assert!(reasons[3].contains("外环无效"), "{}", reasons[3]);
    assert!(reasons[4].contains("geometry 为空"), "{}", reasons[4]);
    assert!(reasons[5].contains("缺少村代码"), "{}", reasons[5]);
    assert!(reasons[6].contains("12 位数字"), "{}", reasons[6]);
    assert!(
        reasons[7].starts_with("第 2 个多边形的外环第 2 个点"),
        "{}",
        reasons[7]
    );
}

#[tokio::test]
async fn files_that_are_not_a_feature_collection_are_one_error() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    for text in [
        "not json",
        r#"{"type": "Polygon", "coordinates": []}"#,
        r#"{"type": "FeatureCollection", "features": []}"#,
    ] {
        let errs = parse_boundaries_geojson(text, &snap).unwrap_err();
        assert_eq!(errs.len(), 1, "{text}");
        assert_eq!(errs[0].row, 0);
    }
}

#[tokio::test]
async fn the_map_has_one_feature_per_division_with_a_boundary() {
    let db = common::demo_db().await;
    let snap = db.snapshot().await;
    let with_boundary: Vec<_> = snap
        .divisions
        .iter()
        .filter(|d| d.boundary.is_some())
        .collect();
    assert!(!with_boundary.is_empty());

    let bytes = map_feature_collection(&snap, DAY, None);
    let v: Value = serde_json::from_slice(&bytes).expect("the map is valid JSON");
    assert_eq!(v["type"], "FeatureCollection");
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), with_boundary.len());
    let year = snap.latest_year().unwrap();
    for (f, d) in features.iter().zip(&with_boundary) {
        let code = d.division.code.as_str();
        assert_eq!(f["id"], code);
        assert_eq!(f["properties"]["code"], code);
        assert_eq!(f["properties"]["name"], d.division.name);
        assert_eq!(f["properties"]["kind"], d.division.kind.as_str());
        assert!(["Polygon", "MultiPolygon"].contains(&f["geometry"]["type"].as_str().unwrap()));
        let figures = snap.figures(&d.division.code, year);
        assert_eq!(
            f["properties"]["operating_income_fen"],
            json!(figures.map(|x| x.operating_income.0))
        );
        assert_eq!(
            f["properties"]["weak"],
            json!(snap.is_weak(&d.division.code, year))
        );
        assert_eq!(f["properties"]["tags"], json!(d.tags));
        // serde_json's default float parser may be one ulp off the shortest text written.
        let lon = f["properties"]["lon"].as_f64().unwrap();
        assert!((lon - d.lon.unwrap()).abs() < 1e-12, "{lon}");
    }
    let zone = &snap.zones[0];
    let key = features
        .iter()
        .find(|f| f["id"] == zone.key_village.as_str())
        .unwrap();
    assert_eq!(key["properties"]["zone_id"], zone.id.0);
    assert_eq!(key["properties"]["zone_name"], zone.name);
    assert_eq!(key["properties"]["role"], "key");
    assert_eq!(key["properties"]["year"], year);
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["zone_id"].is_null() && f["properties"]["role"].is_null())
    );

    // An earlier year, and a year without figures.
    let earlier: Value =
        serde_json::from_slice(&map_feature_collection(&snap, DAY, Some(year - 1))).unwrap();
    assert_eq!(earlier["features"][0]["properties"]["year"], year - 1);
    let none: Value =
        serde_json::from_slice(&map_feature_collection(&snap, DAY, Some(2001))).unwrap();
    assert!(none["features"][0]["properties"]["weak"].is_null());
    assert!(none["features"][0]["properties"]["operating_income_fen"].is_null());
}

#[tokio::test]
async fn imported_boundaries_are_spliced_into_the_map_as_they_were_normalised() {
    let db = common::registry_db().await;
    let snap = db.snapshot().await;
    let empty: Value = serde_json::from_slice(&map_feature_collection(&snap, DAY, None)).unwrap();
    assert_eq!(
        empty["features"],
        json!([]),
        "no boundaries yet, no features"
    );

    let codes = village_codes(&snap, 2);
    let text = collection(vec![
        feature(
            json!({"code": codes[0]}),
            polygon(vec![square(120.5, 30.0, 0.01)]),
        ),
        feature(
            json!({"code": codes[1]}),
            polygon(vec![square(120.51, 30.0, 0.01)]),
        ),
    ]);
    let rows = parse_boundaries_geojson(&text, &snap).unwrap();
    db.store
        .import_boundaries(&Actor::system("test"), &rows, "test.geojson")
        .await
        .unwrap();
    let snap = db.snapshot().await;
    let map: Value = serde_json::from_slice(&map_feature_collection(&snap, DAY, None)).unwrap();
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(
        features[0]["geometry"],
        polygon(vec![square(120.5, 30.0, 0.01)])
    );
    assert!((features[1]["properties"]["lon"].as_f64().unwrap() - 120.515).abs() < 1e-6);
    assert!(features[0]["properties"]["year"].is_null());
    assert_eq!(features[0]["properties"]["status"], "active");
}
