//! 雷达图: the eight dimensions of a scorecard as an inline SVG, drawn on the server so the
//! chart prints, needs no script and reads on a phone. Each axis is a dimension's share of its
//! maximum; an optional second series (last year) is drawn dashed beneath.

use std::fmt::Write;

/// One axis: its label, the points scored and the maximum, both in hundredths of a point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub label: String,
    pub points: i64,
    pub max: i64,
}

const SIZE: f64 = 360.0;
const CENTRE: f64 = SIZE / 2.0;
const RADIUS: f64 = 120.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Share of the maximum in [0, 1]; an axis without a maximum is drawn at the centre.
fn share(points: i64, max: i64) -> f64 {
    if max <= 0 {
        0.0
    } else {
        (points.clamp(0, max) as f64) / (max as f64)
    }
}

/// The point of axis `k` of `n` at `share` of the radius; the first axis points up and the
/// others follow clockwise.
fn at(k: usize, n: usize, share: f64) -> (f64, f64) {
    let angle = std::f64::consts::TAU * (k as f64) / (n as f64) - std::f64::consts::FRAC_PI_2;
    (
        CENTRE + RADIUS * share * angle.cos(),
        CENTRE + RADIUS * share * angle.sin(),
    )
}

fn polygon(axes: &[Axis], class: &str) -> String {
    let n = axes.len();
    let pts: Vec<String> = axes
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let (x, y) = at(k, n, share(a.points, a.max));
            format!("{x:.1},{y:.1}")
        })
        .collect();
    format!(r#"<polygon class="{class}" points="{}"/>"#, pts.join(" "))
}

fn hundredths(v: i64) -> String {
    // Totals show to one decimal, floored, as the scorecard does.
    format!("{}.{}", v / 100, (v % 100) / 10)
}

/// The chart; `last` (same axes, last year) is optional. `title` is read by screen readers.
pub fn radar_svg(title: &str, axes: &[Axis], last: Option<&[Axis]>) -> String {
    let n = axes.len();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="radar" viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    if n < 3 {
        s.push_str("</svg>");
        return s;
    }
    for ring in [0.25, 0.5, 0.75, 1.0] {
        let pts: Vec<String> = (0..n)
            .map(|k| {
                let (x, y) = at(k, n, ring);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            s,
            r#"<polygon class="radar-ring" points="{}"/>"#,
            pts.join(" ")
        );
    }
    for k in 0..n {
        let (x, y) = at(k, n, 1.0);
        let _ = write!(
            s,
            r#"<line class="radar-axis" x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1}" y2="{y:.1}"/>"#
        );
    }
    if let Some(last) = last.filter(|l| l.len() == n) {
        s.push_str(&polygon(last, "radar-last"));
    }
    s.push_str(&polygon(axes, "radar-now"));
    for (k, a) in axes.iter().enumerate() {
        let (x, y) = at(k, n, 1.18);
        let anchor = if (x - CENTRE).abs() < 1.0 {
            "middle"
        } else if x > CENTRE {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            s,
            r#"<text class="radar-label" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}"><tspan>{}</tspan><tspan x="{x:.1}" dy="1.2em">{}/{}</tspan></text>"#,
            escape(&a.label),
            hundredths(a.points),
            hundredths(a.max)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes(points: &[i64]) -> Vec<Axis> {
        points
            .iter()
            .enumerate()
            .map(|(k, p)| Axis {
                label: format!("D{}", k + 1),
                points: *p,
                max: 1000,
            })
            .collect()
    }

    fn now_points(svg: &str) -> Vec<(f64, f64)> {
        let start = svg.find(r#"class="radar-now" points=""#).unwrap() + 26;
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end]
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn each_axis_is_its_share_of_the_maximum() {
        let svg = radar_svg("t", &axes(&[1000, 500, 0, 1000, 250, 750, 1000, 100]), None);
        let pts = now_points(&svg);
        assert_eq!(pts.len(), 8);
        let dist = |(x, y): (f64, f64)| ((x - CENTRE).powi(2) + (y - CENTRE).powi(2)).sqrt();
        assert!((dist(pts[0]) - RADIUS).abs() < 0.2);
        assert!(
            (pts[0].0 - CENTRE).abs() < 0.1 && pts[0].1 < CENTRE,
            "first axis up"
        );
        assert!((dist(pts[1]) - RADIUS / 2.0).abs() < 0.2);
        assert!(dist(pts[2]) < 0.2);
        // Over the maximum or negative is drawn at the rim or the centre, never outside.
        let svg = radar_svg("t", &axes(&[2000, -5, 0]), None);
        let pts = now_points(&svg);
        assert!((dist(pts[0]) - RADIUS).abs() < 0.2);
        assert!(dist(pts[1]) < 0.2);
    }

    #[test]
    fn labels_are_escaped_and_show_points_over_maximum() {
        let mut a = axes(&[320, 1000, 0]);
        a[0].label = "规划<联动>".into();
        let svg = radar_svg("片区 & 评分", &a, Some(&axes(&[0, 0, 0])));
        assert!(svg.contains("规划&lt;联动&gt;"));
        assert!(svg.contains("片区 &amp; 评分"));
        assert!(svg.contains(">3.2/10.0<"));
        assert!(svg.contains("radar-last"));
        assert!(!radar_svg("t", &a, Some(&axes(&[0]))).contains("radar-last"));
    }
}
