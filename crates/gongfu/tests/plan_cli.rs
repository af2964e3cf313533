//! `gongfu plan zones` speaks the comparison contract: GeoJSON + edge list in, `id,region`
//! out, the solver's own time on the last stdout line.

use std::process::Command;

fn write_instance(
    dir: &std::path::Path,
    w: usize,
    h: usize,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut features = Vec::new();
    let mut edges = String::from("i,j\n");
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": {"id": i, "a": (x * 7 % 5) as f64, "b": y as f64, "pop": 10 + (i % 4),
                               "cx": x as f64 * 1000.0, "cy": y as f64 * 1000.0},
                "geometry": null
            }));
            if x + 1 < w {
                edges.push_str(&format!("{i},{}\n", i + 1));
            }
            if y + 1 < h {
                edges.push_str(&format!("{i},{}\n", i + w));
            }
        }
    }
    let g = dir.join("grid.geojson");
    let e = dir.join("grid.edges.csv");
    std::fs::write(
        &g,
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    std::fs::write(&e, edges).unwrap();
    (g, e)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gongfu"))
        .args(["plan", "zones"])
        .args(args)
        .output()
        .unwrap()
}

fn regions(out: &std::path::Path) -> Vec<(usize, usize)> {
    let text = std::fs::read_to_string(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,region"));
    lines
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect()
}

#[test]
fn k_zones_and_max_p_write_one_region_per_unit() {
    let dir = tempfile::tempdir().unwrap();
    let (g, e) = write_instance(dir.path(), 8, 6);
    let out = dir.path().join("out.csv");
    let o = run(&[
        "--input",
        g.to_str().unwrap(),
        "--edges",
        e.to_str().unwrap(),
        "--attrs",
        "a,b",
        "--pop",
        "pop",
        "--k",
        "5",
        "--floor",
        "0",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = regions(&out);
    assert_eq!(rows.len(), 48);
    assert!(rows.iter().enumerate().all(|(i, r)| r.0 == i));
    let mut labels: Vec<usize> = rows.iter().map(|r| r.1).collect();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), 5);
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert!(v["solve_seconds"].as_f64().unwrap() >= 0.0);

    let o = run(&[
        "--input",
        g.to_str().unwrap(),
        "--edges",
        e.to_str().unwrap(),
        "--attrs",
        "a,b",
        "--pop",
        "pop",
        "--k",
        "0",
        "--floor",
        "60",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(regions(&out).len(), 48);
}

#[test]
fn a_bad_edge_list_is_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (g, _) = write_instance(dir.path(), 3, 3);
    let e = dir.path().join("bad.csv");
    std::fs::write(&e, "i,j\n0,1\n1,99\n").unwrap();
    let out = dir.path().join("out.csv");
    let o = run(&[
        "--input",
        g.to_str().unwrap(),
        "--edges",
        e.to_str().unwrap(),
        "--attrs",
        "a",
        "--k",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("第 3 行"));
}

#[test]
fn sites_are_chosen_with_their_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (g, _) = write_instance(dir.path(), 6, 5);
    let out = dir.path().join("sites.csv");
    for model in [
        vec!["--model", "pmedian", "--p", "3"],
        vec!["--model", "mclp", "--p", "2", "--radius", "1500"],
        vec!["--model", "lscp", "--radius", "1500"],
        vec!["--model", "pcenter", "--p", "3", "--fixed", "0"],
        vec!["--model", "pmedian", "--p", "3", "--capacity", "pop"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_gongfu"))
            .args([
                "plan",
                "sites",
                "--input",
                g.to_str().unwrap(),
                "--weight",
                "pop",
                "--out",
            ])
            .arg(&out)
            .args(&model)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{model:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("id"));
        let ids: Vec<usize> = lines.map(|l| l.parse().unwrap()).collect();
        assert!(
            !ids.is_empty() && ids.iter().all(|&i| i < 30),
            "{model:?}: {ids:?}"
        );
        assert!(
            !ids.contains(&0) || !model.contains(&"--fixed"),
            "a fixed site is not chosen again"
        );
        let last = String::from_utf8_lossy(&o.stdout)
            .lines()
            .last()
            .unwrap()
            .to_string();
        let v: serde_json::Value = serde_json::from_str(&last).unwrap();
        let (obj, bound) = (
            v["objective"].as_f64().unwrap(),
            v["bound"].as_f64().unwrap(),
        );
        if v["unserved"].as_f64().unwrap_or(0.0) > 0.0 {
            // Capacities left demand unserved: no gap can be claimed.
            assert_eq!(v["gap"].as_f64(), Some(1.0), "{model:?}");
        } else if model[1] == "mclp" {
            assert!(bound >= obj - 1e-6);
        } else {
            assert!(bound <= obj + 1e-6);
        }
    }
}
