//! The parameter text of a scoring method (计分参数): a small grammar officials can read and
//! write in one spreadsheet cell or form field, for the rubric workbook and the rubric editor.
//!
//! Parts are separated by 「；」 (or `;`); values are in the rule's [`Unit`]: percentages with
//! `%` (two decimals at most, exact in basis points), money in 万元 (six decimals at most, so
//! exact to the fen; `元` is read too), counts as whole numbers (a unit word such as 个 / 人 /
//! 人次 / 项 / 平方米 may follow). Points have at most two decimals.
//!
//! | Method | Text | Meaning |
//! |---|---|---|
//! | STEP | `≥4→3；≥3→2；≥2→1` | at least 4 earns 3, … (`>0` is "more than 0"; any order) |
//! | LIN | `目标 90%；起算 0%；低于 50% 得 0` | target, optional floor, optional cut-off |
//! | COV | `无对象时满分` or empty | full points when there is nothing to cover, else 0 |
//! | REL | `≥对标+1pp→3；≥对标→2` | tiers over the benchmark, in percentage points |
//! | GRADE | `A=100%（含运营方案）；B=70%；D=0%` | the marks allowed, share and meaning |
//! | BIN | empty | full points for yes |
//!
//! [`params_text`] writes the canonical form; [`parse_params`] reads it back exactly (and the
//! usual variants: `>=`, `->`, `％`, `个百分点`), refusing anything else with a Chinese
//! message that names the part.

use super::method::{Method, MethodCode, RelTier, Step};
use super::rubric::{Combine, MarkLevel, Unit};
use super::{Mark, Points, pp, wan};
use crate::DomainError;

const FIELD: &str = "params";

fn err(msg: impl Into<String>) -> DomainError {
    DomainError::new("invalid_params", FIELD, msg)
}

impl MethodCode {
    pub const ALL: [MethodCode; 6] = [
        MethodCode::Step,
        MethodCode::Lin,
        MethodCode::Cov,
        MethodCode::Rel,
        MethodCode::Grade,
        MethodCode::Bin,
    ];

    /// The method's name in Chinese: 阶梯计分, 折算计分, …
    pub fn label(self) -> &'static str {
        match self {
            MethodCode::Step => "阶梯计分",
            MethodCode::Lin => "折算计分",
            MethodCode::Cov => "覆盖率",
            MethodCode::Rel => "对标计分",
            MethodCode::Grade => "等级评定",
            MethodCode::Bin => "是否",
        }
    }

    /// `STEP`, `step` or the Chinese name.
    pub fn parse(s: &str) -> Result<MethodCode, DomainError> {
        let t = s.trim();
        MethodCode::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(t) || c.label() == t)
            .ok_or_else(|| {
                DomainError::new(
                    "unknown_method",
                    "method",
                    format!("计分方法「{t}」无效：应为 STEP、LIN、COV、REL、GRADE 或 BIN"),
                )
            })
    }
}

impl Unit {
    pub const ALL: [Unit; 7] = [
        Unit::Percent,
        Unit::Fen,
        Unit::Count,
        Unit::Persons,
        Unit::PersonTimes,
        Unit::Items,
        Unit::SquareMetres,
    ];

    /// The unit as a rubric shows it: %, 万元, 个, 人, 人次, 项, 平方米.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Fen => "万元",
            Unit::Count => "个",
            Unit::Persons => "人",
            Unit::PersonTimes => "人次",
            Unit::Items => "项",
            Unit::SquareMetres => "平方米",
        }
    }

    /// The inverse of [`Unit::label`] (also 百分比, 元 for 万元, 次, ㎡).
    pub fn parse(s: &str) -> Result<Unit, DomainError> {
        let t = s.trim();
        let u = match t {
            "%" | "％" | "百分比" => Unit::Percent,
            "万元" | "元" => Unit::Fen,
            "个" | "次" => Unit::Count,
            "人" => Unit::Persons,
            "人次" => Unit::PersonTimes,
            "项" => Unit::Items,
            "平方米" | "㎡" => Unit::SquareMetres,
            _ => {
                return Err(DomainError::new(
                    "unknown_unit",
                    "unit",
                    format!("单位「{t}」无效：应为 %、万元、个、人、人次、项或平方米"),
                ));
            }
        };
        Ok(u)
    }
}

impl Combine {
    /// 相加 / 取高.
    pub fn label(self) -> &'static str {
        match self {
            Combine::Sum => "相加",
            Combine::Max => "取高",
        }
    }

    pub fn parse(s: &str) -> Result<Combine, DomainError> {
        match s.trim() {
            "" | "相加" => Ok(Combine::Sum),
            "取高" | "取最高" => Ok(Combine::Max),
            t => Err(DomainError::new(
                "unknown_combine",
                "combine",
                format!("合并方式「{t}」无效：应为「相加」或「取高」"),
            )),
        }
    }
}

/// A decimal number as an exact integer scaled by 10^`decimals`: `parse_scaled("2.5", 2)` is
/// 250. Thousands separators are ignored; more decimals than allowed is an error.
fn parse_scaled(s: &str, decimals: u32) -> Result<i64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (neg, body) = match t.strip_prefix(['-', '−']) {
        Some(b) => (true, b),
        None => (false, t.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("「{}」不是数字", s.trim()));
    }
    if frac.len() > decimals as usize {
        return Err(format!("「{}」最多保留 {decimals} 位小数", s.trim()));
    }
    let scale = 10i64.pow(decimals);
    let i: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| format!("「{}」太大", s.trim()))?
    };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().unwrap_or(0) * 10i64.pow(decimals - frac.len() as u32)
    };
    let v = i
        .checked_mul(scale)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(|| format!("「{}」太大", s.trim()))?;
    Ok(if neg { -v } else { v })
}

/// Points with at most two decimals, optionally followed by 分: `3`, `2.5`, `0.25分`.
pub fn parse_points(s: &str) -> Result<Points, DomainError> {
    let t = s.trim();
    let t = t.strip_suffix('分').unwrap_or(t);
    parse_scaled(t, 2)
        .map(Points)
        .map_err(|m| DomainError::new("invalid_points", "points", format!("分值{m}")))
}

/// A value in `unit` as the parameter text writes it: `90%`, `200万元`, `4`.
pub fn value_text(v: i64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{}%", pp(v)),
        Unit::Fen => format!("{}万元", wan(v).replace(',', "")),
        _ => v.to_string(),
    }
}

/// A value in `unit` from text: `90%` / `7.25%` (basis points), `200万元` / `5000元` (fen),
/// `4` / `4个` (whole numbers).
pub fn parse_value(s: &str, unit: Unit) -> Result<i64, String> {
    let t = s.trim();
    match unit {
        Unit::Percent => {
            let Some(n) = t.strip_suffix(['%', '％']) else {
                return Err(format!("「{t}」应写成百分数，如 90%"));
            };
            parse_scaled(n, 2)
        }
        Unit::Fen => {
            if let Some(n) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) {
                parse_scaled(n, 6)
            } else if let Some(n) = t.strip_suffix('元') {
                parse_scaled(n, 2).map_err(|m| format!("金额{m}（精确到分）"))
            } else {
                Err(format!("金额「{t}」应写明单位，如 200万元"))
            }
        }
        _ => {
            let n = ["平方米", "㎡", "人次", "个", "人", "项", "次"]
                .iter()
                .find_map(|u| t.strip_suffix(u))
                .unwrap_or(t);
            parse_scaled(n, 0).map_err(|m| format!("{m}（应为整数）"))
        }
    }
}

/// The canonical parameter text of `method` for a rule in `unit`.
pub fn params_text(method: &Method, unit: Unit) -> String {
    match method {
        Method::Step { steps } => steps
            .iter()
            .rev()
            .map(|s| {
                // 1 fen or 0.01 % reads as 「more than 0」, not 「≥0.000001万元」.
                let at = if s.at_least == 1 && matches!(unit, Unit::Fen | Unit::Percent) {
                    format!(">{}", value_text(0, unit))
                } else {
                    format!("≥{}", value_text(s.at_least, unit))
                };
                format!("{at}→{}", s.points.short_string())
            })
            .collect::<Vec<_>>()
            .join("；"),
        Method::Lin {
            target,
            floor,
            cutoff,
        } => {
            let mut parts = vec![format!("目标 {}", value_text(*target, unit))];
            if let Some(f) = floor {
                parts.push(format!("起算 {}", value_text(*f, unit)));
            }
            if let Some(c) = cutoff {
                parts.push(format!("低于 {} 得 0", value_text(*c, unit)));
            }
            parts.join("；")
        }
        Method::Cov { full_if_empty } => {
            if *full_if_empty {
                "无对象时满分".to_string()
            } else {
                String::new()
            }
        }
        Method::Rel { tiers } => tiers
            .iter()
            .map(|t| {
                let m = match t.margin_bp {
                    0 => String::new(),
                    m if m > 0 => format!("+{}pp", pp(m)),
                    m => format!("-{}pp", pp(-m)),
                };
                format!("≥对标{m}→{}", t.points.short_string())
            })
            .collect::<Vec<_>>()
            .join("；"),
        Method::Grade { levels } => levels
            .iter()
            .map(|l| {
                let mut s = format!("{}={}%", l.mark.label(), pp(l.share_bp));
                if !l.meaning.is_empty() {
                    s.push_str(&format!("（{}）", l.meaning));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("；"),
        Method::Bin => String::new(),
    }
}

/// Splits at 「；」 / `;` outside parentheses (a GRADE meaning may hold either), dropping
/// empty parts.
fn parts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            _ => {}
        }
        if depth <= 0 && (c == '；' || c == ';') {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The usual variants of the grammar's symbols made canonical (spaces removed).
fn normal(s: &str) -> String {
    s.replace("->", "→")
        .replace("=>", "→")
        .replace(">=", "≥")
        .replace("＞＝", "≥")
        .replace('＞', ">")
        .replace('％', "%")
        .replace('＝', "=")
        .replace("个百分点", "pp")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Reads the parameter text of a method `code` for a rule in `unit`. The result is only
/// parsed, not checked against the rule's maximum: [`super::Rubric::validate`] does that.
pub fn parse_params(code: MethodCode, text: &str, unit: Unit) -> Result<Method, DomainError> {
    let ps = parts(text);
    let at = |i: usize, p: &str, m: String| err(format!("第 {} 段「{p}」：{m}", i + 1));
    match code {
        MethodCode::Step => {
            if ps.is_empty() {
                return Err(err("阶梯计分至少需要一档，如「≥4→3；≥2→1」"));
            }
            let mut steps = Vec::new();
            for (i, p) in ps.iter().enumerate() {
                let n = normal(p);
                let Some((cond, pts)) = n.split_once('→') else {
                    return Err(at(i, p, "应写成「≥门槛→分值」，如「≥4→3」".into()));
                };
                let at_least = if let Some(v) = cond.strip_prefix('>') {
                    parse_value(v, unit).map(|v| v + 1)
                } else {
                    parse_value(cond.strip_prefix('≥').unwrap_or(cond), unit)
                }
                .map_err(|m| at(i, p, m))?;
                let points = parse_points(pts).map_err(|e| at(i, p, e.message))?;
                steps.push(Step { at_least, points });
            }
            steps.sort_by_key(|s| s.at_least);
            Ok(Method::Step { steps })
        }
        MethodCode::Lin => {
            let (mut target, mut floor, mut cutoff) = (None, None, None);
            for (i, p) in ps.iter().enumerate() {
                let n = normal(p);
                let (slot, v) = if let Some(v) = n.strip_prefix("目标") {
                    (&mut target, v)
                } else if let Some(v) = n.strip_prefix("起算") {
                    (&mut floor, v)
                } else if let Some(v) = n.strip_prefix("低于") {
                    let v = v
                        .strip_suffix("得0分")
                        .or_else(|| v.strip_suffix("得0"))
                        .or_else(|| v.strip_suffix("不得分"))
                        .unwrap_or(v);
                    (&mut cutoff, v)
                } else {
                    return Err(at(
                        i,
                        p,
                        "应为「目标 …」「起算 …」或「低于 … 得 0」之一".into(),
                    ));
                };
                if slot.is_some() {
                    return Err(at(i, p, "重复填写".into()));
                }
                *slot = Some(parse_value(v, unit).map_err(|m| at(i, p, m))?);
            }
            let Some(target) = target else {
                return Err(err("折算计分须写明目标值，如「目标 90%」"));
            };
            Ok(Method::Lin {
                target,
                floor,
                cutoff,
            })
        }
        MethodCode::Cov => match ps.as_slice() {
            [] => Ok(Method::Cov {
                full_if_empty: false,
            }),
            [p] if normal(p) == "无对象时满分" => Ok(Method::Cov {
                full_if_empty: true,
            }),
            [p] if ["无对象时0分", "无对象时得0", "无对象时0"].contains(&normal(p).as_str()) => {
                Ok(Method::Cov {
                    full_if_empty: false,
                })
            }
            _ => Err(err("覆盖率只可填「无对象时满分」或留空（无对象时得 0）")),
        },
        MethodCode::Rel => {
            if ps.is_empty() {
                return Err(err("对标计分至少需要一档，如「≥对标+1pp→3；≥对标→2」"));
            }
            let mut tiers = Vec::new();
            for (i, p) in ps.iter().enumerate() {
                let n = normal(p);
                let shape = || at(i, p, "应写成「≥对标+1pp→3」或「≥对标→2」".into());
                let (cond, pts) = n.split_once('→').ok_or_else(shape)?;
                let rest = cond
                    .strip_prefix('≥')
                    .unwrap_or(cond)
                    .strip_prefix("对标")
                    .ok_or_else(shape)?;
                let margin_bp = if rest.is_empty() {
                    0
                } else {
                    let v = rest.strip_suffix("pp").ok_or_else(shape)?;
                    let v = v.strip_prefix('+').unwrap_or(v);
                    parse_scaled(v, 2).map_err(|m| at(i, p, format!("百分点{m}")))?
                };
                let points = parse_points(pts).map_err(|e| at(i, p, e.message))?;
                tiers.push(RelTier { margin_bp, points });
            }
            Ok(Method::Rel { tiers })
        }
        MethodCode::Grade => {
            if ps.is_empty() {
                return Err(err("等级评定至少需要一个等级，如「A=100%；B=70%；D=0%」"));
            }
            let mut levels = Vec::new();
            for (i, p) in ps.iter().enumerate() {
                // The meaning in parentheses is kept as written.
                let (head, meaning) = match p.find(['（', '(']) {
                    Some(k) => {
                        let m = p[k..].chars().skip(1).collect::<String>();
                        let m = m
                            .strip_suffix(['）', ')'])
                            .ok_or_else(|| at(i, p, "括号未闭合".into()))?;
                        (&p[..k], m.trim().to_string())
                    }
                    None => (p.as_str(), String::new()),
                };
                let n = normal(head);
                let shape = || at(i, p, "应写成「A=100%」，等级为 A、B、C、D".into());
                let (mark, share) = n.split_once('=').ok_or_else(shape)?;
                let mark = Mark::ALL
                    .into_iter()
                    .find(|m| m.label().eq_ignore_ascii_case(mark))
                    .ok_or_else(shape)?;
                let share_bp = parse_value(share, Unit::Percent).map_err(|m| at(i, p, m))?;
                levels.push(MarkLevel {
                    mark,
                    share_bp,
                    meaning,
                });
            }
            Ok(Method::Grade { levels })
        }
        MethodCode::Bin => {
            if ps.is_empty() {
                Ok(Method::Bin)
            } else {
                Err(err("「是否」计分不需要参数，请留空"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{default_team_rubric, default_zone_rubric};
    use proptest::prelude::*;

    #[test]
    fn every_default_rule_round_trips_through_its_text() {
        for r in [default_zone_rubric(2025), default_team_rubric(2025)] {
            for (_, ind, rule) in r.rules() {
                let text = params_text(&rule.method, rule.unit);
                let back = parse_params(rule.method.code(), &text, rule.unit);
                assert_eq!(back.as_ref(), Ok(&rule.method), "{} {text}", ind.id);
            }
        }
    }

    #[test]
    fn the_texts_read_as_the_brief_writes_them() {
        let z = default_zone_rubric(2025);
        let text = |key: &str| {
            let (_, _, r) = z.rules().find(|(_, _, r)| r.key == key).unwrap();
            params_text(&r.method, r.unit)
        };
        assert_eq!(text("1.2"), "目标 90%；低于 50% 得 0");
        assert_eq!(text("5.2"), "目标 10%；起算 0%");
        assert_eq!(text("3.3"), "≥1000万元→4；≥500万元→3；≥200万元→2；>0万元→1");
        assert_eq!(text("8.3"), "≥对标+1pp→3；≥对标→2");
        assert_eq!(text("4.4.ip"), "");
        assert!(text("1.1").starts_with("A=100%（已批复一体化规划，含运营方案）；B=70%"));
        assert_eq!(text("5.4.jobs"), "≥100→2；≥50→1");
    }

    #[test]
    fn variants_are_read() {
        let m = parse_params(MethodCode::Step, " >=4 -> 3 ; 3个→2；≥2→1分", Unit::Count).unwrap();
        let steps = |v: &[(i64, i64)]| Method::Step {
            steps: v
                .iter()
                .map(|(a, p)| Step {
                    at_least: *a,
                    points: Points::whole(*p),
                })
                .collect(),
        };
        assert_eq!(m, steps(&[(2, 1), (3, 2), (4, 3)]));
        let m = parse_params(MethodCode::Step, "≥5000元→1；≥1.5万→2", Unit::Fen).unwrap();
        assert_eq!(m, steps(&[(500_000, 1), (1_500_000, 2)]));
        let m = parse_params(
            MethodCode::Rel,
            "≥对标 + 1 个百分点 → 3；≥对标-0.5pp→1",
            Unit::Percent,
        )
        .unwrap();
        assert_eq!(
            m,
            Method::Rel {
                tiers: vec![
                    RelTier {
                        margin_bp: 100,
                        points: Points::whole(3)
                    },
                    RelTier {
                        margin_bp: -50,
                        points: Points::whole(1)
                    },
                ]
            }
        );
        assert_eq!(
            parse_params(MethodCode::Cov, "无对象时满分", Unit::Count),
            Ok(Method::Cov {
                full_if_empty: true
            })
        );
        // A meaning may hold the separators and parentheses of its own.
        let m = parse_params(
            MethodCode::Grade,
            "A=100%（已批复；含运营方案(试行)）；b = 70 %",
            Unit::Count,
        )
        .unwrap();
        let Method::Grade { levels } = &m else {
            panic!("{m:?}")
        };
        assert_eq!(levels[0].meaning, "已批复；含运营方案(试行)");
        assert_eq!((levels[1].mark, levels[1].share_bp), (Mark::B, 7_000));
        assert_eq!(
            parse_params(
                MethodCode::Grade,
                &params_text(&m, Unit::Count),
                Unit::Count
            ),
            Ok(m.clone())
        );
        assert_eq!(MethodCode::parse("lin"), Ok(MethodCode::Lin));
        assert_eq!(MethodCode::parse("等级评定"), Ok(MethodCode::Grade));
    }

    #[test]
    fn bad_text_is_refused_naming_the_part() {
        let bad = |code, text: &str, unit| parse_params(code, text, unit).unwrap_err().message;
        assert_eq!(
            bad(MethodCode::Step, "≥4→3；3→x", Unit::Count),
            "第 2 段「3→x」：分值「x」不是数字"
        );
        assert_eq!(
            bad(MethodCode::Step, "≥4得3", Unit::Count),
            "第 1 段「≥4得3」：应写成「≥门槛→分值」，如「≥4→3」"
        );
        assert!(bad(MethodCode::Step, "≥90→3", Unit::Percent).contains("应写成百分数"));
        assert!(bad(MethodCode::Step, "≥200→3", Unit::Fen).contains("应写明单位"));
        assert!(bad(MethodCode::Step, "≥1.2345678万元→3", Unit::Fen).contains("6 位小数"));
        assert!(bad(MethodCode::Step, "≥2.5→3", Unit::Count).contains("应为整数"));
        assert!(bad(MethodCode::Step, "", Unit::Count).contains("至少需要一档"));
        assert!(bad(MethodCode::Lin, "起算 0%", Unit::Percent).contains("须写明目标值"));
        assert!(bad(MethodCode::Lin, "目标 90%；目标 80%", Unit::Percent).contains("重复"));
        assert!(bad(MethodCode::Lin, "满分 90%", Unit::Percent).contains("第 1 段"));
        assert!(bad(MethodCode::Cov, "满分", Unit::Count).contains("无对象时满分"));
        assert!(bad(MethodCode::Rel, "≥平均→2", Unit::Percent).contains("≥对标"));
        assert!(bad(MethodCode::Grade, "E=100%", Unit::Count).contains("A、B、C、D"));
        assert!(bad(MethodCode::Grade, "A=100%（未闭合", Unit::Count).contains("括号"));
        assert!(bad(MethodCode::Bin, "是=1", Unit::Count).contains("留空"));
        assert!(
            MethodCode::parse("XYZ")
                .unwrap_err()
                .message
                .contains("XYZ")
        );
        assert_eq!(
            parse_points("2.555").unwrap_err().message,
            "分值「2.555」最多保留 2 位小数"
        );
    }

    fn unit() -> impl Strategy<Value = Unit> {
        prop::sample::select(Unit::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn any_step_ladder_and_lin_round_trips(
            unit in unit(),
            rungs in prop::collection::btree_map(-1_000_000i64..10_000_000_000, 0i64..10_000, 1..6),
            target in -1_000_000i64..10_000_000_000,
            floor in prop::option::of(-1_000_000i64..1_000_000),
            cutoff in prop::option::of(0i64..10_000_000),
        ) {
            let steps = Method::Step {
                steps: rungs
                    .into_iter()
                    .map(|(at_least, p)| Step { at_least, points: Points(p) })
                    .collect(),
            };
            let lin = Method::Lin { target, floor, cutoff };
            for m in [steps, lin] {
                let text = params_text(&m, unit);
                prop_assert_eq!(parse_params(m.code(), &text, unit), Ok(m), "{}", text);
            }
        }
    }
}
