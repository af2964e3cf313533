//! The zone plan (一片一规划): positioning, spatial structure, industry layout, land-use scale
//! and reserved quota (预留指标 / 留白, in mu), construction tasks and the joint-operation
//! model; kept in versions that move 草案 → 审议 → 批复, the newest approved one in force.

use super::parse_choice;
use crate::DomainError;
use crate::text::bounded_text;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const SECTION_MAX: usize = 5_000;
pub const TASK_MAX: usize = 200;
pub const TASKS_MAX: usize = 100;
/// Largest area accepted: 100,000 亩 (about 67 km², more than any zone).
pub const MU_MAX_HUNDREDTHS: i64 = 10_000_000;

/// 规划状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// 草案: being written, editable.
    Draft,
    /// 审议: submitted, waiting for the district's decision.
    Review,
    /// 批复: approved; the newest approved version is in force.
    Approved,
    /// 已替代: an older approved version after a newer one was approved.
    Superseded,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 4] = [
        PlanStatus::Draft,
        PlanStatus::Review,
        PlanStatus::Approved,
        PlanStatus::Superseded,
    ];
    pub fn key(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Review => "review",
            PlanStatus::Approved => "approved",
            PlanStatus::Superseded => "superseded",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草案",
            PlanStatus::Review => "审议中",
            PlanStatus::Approved => "已批复",
            PlanStatus::Superseded => "已替代",
        }
    }
    pub fn parse(s: &str) -> Result<PlanStatus, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_status",
                "status",
                format!("规划状态「{}」无效", s.trim()),
            )
        })
    }
    /// Only a draft is edited.
    pub fn editable(self) -> bool {
        self == PlanStatus::Draft
    }
    /// A version still in the making: a zone has at most one.
    pub fn in_progress(self) -> bool {
        matches!(self, PlanStatus::Draft | PlanStatus::Review)
    }
}

impl fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a person may do to a plan version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStep {
    /// 提交审议
    Submit,
    /// 退回修改
    Return,
    /// 批复
    Approve,
}

impl PlanStep {
    pub fn parse(s: &str) -> Result<PlanStep, DomainError> {
        match s.trim() {
            "submit" => Ok(PlanStep::Submit),
            "return" => Ok(PlanStep::Return),
            "approve" => Ok(PlanStep::Approve),
            other => Err(DomainError::new(
                "invalid_step",
                "step",
                format!("操作「{other}」无效：应为 submit、return 或 approve"),
            )),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PlanStep::Submit => "提交审议",
            PlanStep::Return => "退回修改",
            PlanStep::Approve => "批复",
        }
    }
    /// The status a version moves to, or why it cannot.
    pub fn apply(self, from: PlanStatus) -> Result<PlanStatus, DomainError> {
        let to = match (self, from) {
            (PlanStep::Submit, PlanStatus::Draft) => PlanStatus::Review,
            (PlanStep::Return, PlanStatus::Review) => PlanStatus::Draft,
            (PlanStep::Approve, PlanStatus::Review) => PlanStatus::Approved,
            _ => {
                return Err(DomainError::new(
                    "invalid_transition",
                    "status",
                    format!("「{}」的规划不能{}", from.label(), self.label()),
                ));
            }
        };
        Ok(to)
    }
}

/// An area in hundredths of a mu (亩), exact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Mu(pub i64);

impl Mu {
    /// Parses `120`, `85.5`, `1,200.25 亩`; at most two decimals, not negative; empty is 0.
    pub fn parse(s: &str, field: &str) -> Result<Mu, DomainError> {
        let t: String = s
            .trim()
            .trim_end_matches('亩')
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        if t.is_empty() {
            return Ok(Mu(0));
        }
        let err = |why: &str| {
            DomainError::new(
                "invalid_area",
                field,
                format!("面积「{}」无效：{why}", s.trim()),
            )
        };
        let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err("应为不小于 0 的数字（单位：亩）"));
        }
        if frac.len() > 2 {
            return Err(err("最多保留两位小数"));
        }
        let whole: i64 = int.parse().map_err(|_| err("数值过大"))?;
        let hundredths: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
        let v = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(hundredths));
        match v {
            Some(v) if v <= MU_MAX_HUNDREDTHS => Ok(Mu(v)),
            _ => Err(err("超过 10 万亩，请核对单位")),
        }
    }
}

impl fmt::Display for Mu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, h) = (self.0 / 100, self.0 % 100);
        if h == 0 {
            write!(f, "{w}")
        } else if h % 10 == 0 {
            write!(f, "{w}.{}", h / 10)
        } else {
            write!(f, "{w}.{h:02}")
        }
    }
}

/// The sections of a plan, valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// 功能定位
    pub positioning: String,
    /// 空间结构
    pub spatial_structure: String,
    /// 产业布局
    pub industry_layout: String,
    /// 用地规模 (亩)
    pub land_use: Mu,
    /// 预留指标 (亩), the land kept back for projects not yet known (留白).
    pub reserved_quota: Mu,
    /// 留白说明
    pub reserve_note: String,
    /// 建设任务, in order; projects link back to them.
    pub tasks: Vec<String>,
    /// 联动发展模式
    pub operation_model: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanDraft {
    #[serde(default)]
    pub positioning: String,
    #[serde(default)]
    pub spatial_structure: String,
    #[serde(default)]
    pub industry_layout: String,
    #[serde(default)]
    pub land_use: String,
    #[serde(default)]
    pub reserved_quota: String,
    #[serde(default)]
    pub reserve_note: String,
    /// One task per line.
    #[serde(default)]
    pub tasks: String,
    #[serde(default)]
    pub operation_model: String,
}

impl PlanDraft {
    pub fn parse(&self) -> Result<PlanContent, Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut section = |s: &str, field: &str, what: &str| {
            bounded_text(s, field, what, SECTION_MAX, None)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let positioning = section(&self.positioning, "positioning", "功能定位");
        let spatial_structure = section(&self.spatial_structure, "spatial_structure", "空间结构");
        let industry_layout = section(&self.industry_layout, "industry_layout", "产业布局");
        let reserve_note = section(&self.reserve_note, "reserve_note", "留白说明");
        let operation_model = section(&self.operation_model, "operation_model", "联动发展模式");
        let land_use = Mu::parse(&self.land_use, "land_use")
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let reserved_quota = Mu::parse(&self.reserved_quota, "reserved_quota")
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if reserved_quota > land_use {
            errors.push(DomainError::new(
                "quota_exceeds_land",
                "reserved_quota",
                format!("预留指标（{reserved_quota} 亩）不能超过用地规模（{land_use} 亩）"),
            ));
        }
        let tasks = super::committee::lines(&self.tasks);
        if tasks.len() > TASKS_MAX {
            errors.push(DomainError::new(
                "too_many",
                "tasks",
                format!("建设任务最多 {TASKS_MAX} 项"),
            ));
        }
        if let Some(t) = tasks.iter().find(|t| t.chars().count() > TASK_MAX) {
            errors.push(DomainError::new(
                "too_long",
                "tasks",
                format!(
                    "建设任务「{}…」超过 {TASK_MAX} 字",
                    t.chars().take(12).collect::<String>()
                ),
            ));
        }
        if errors.is_empty() {
            Ok(PlanContent {
                positioning,
                spatial_structure,
                industry_layout,
                land_use,
                reserved_quota,
                reserve_note,
                tasks,
                operation_model,
            })
        } else {
            Err(errors)
        }
    }
}

/// What must be written before a plan goes to review: every section, and at least one task.
pub fn check_complete(c: &PlanContent) -> Result<(), Vec<DomainError>> {
    let mut errors = Vec::new();
    for (text, field, what) in [
        (&c.positioning, "positioning", "功能定位"),
        (&c.spatial_structure, "spatial_structure", "空间结构"),
        (&c.industry_layout, "industry_layout", "产业布局"),
        (&c.operation_model, "operation_model", "联动发展模式"),
    ] {
        if text.trim().is_empty() {
            errors.push(DomainError::new(
                "required",
                field,
                format!("提交审议前请填写「{what}」"),
            ));
        }
    }
    if c.land_use == Mu(0) {
        errors.push(DomainError::new(
            "required",
            "land_use",
            "提交审议前请填写用地规模",
        ));
    }
    if c.tasks.is_empty() {
        errors.push(DomainError::new(
            "required",
            "tasks",
            "提交审议前请至少列出一项建设任务",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approval_flow() {
        use PlanStatus::*;
        assert_eq!(PlanStep::Submit.apply(Draft).unwrap(), Review);
        assert_eq!(PlanStep::Return.apply(Review).unwrap(), Draft);
        assert_eq!(PlanStep::Approve.apply(Review).unwrap(), Approved);
        for from in PlanStatus::ALL {
            for step in [PlanStep::Submit, PlanStep::Return, PlanStep::Approve] {
                let ok = matches!(
                    (step, from),
                    (PlanStep::Submit, Draft)
                        | (PlanStep::Return, Review)
                        | (PlanStep::Approve, Review)
                );
                assert_eq!(step.apply(from).is_ok(), ok, "{step:?} from {from:?}");
            }
        }
        let e = PlanStep::Approve.apply(Draft).unwrap_err();
        assert_eq!(e.message, "「草案」的规划不能批复");
    }

    #[test]
    fn areas_are_exact_hundredths() {
        assert_eq!(Mu::parse("85.5", "a").unwrap(), Mu(8_550));
        assert_eq!(Mu::parse("1,200.25 亩", "a").unwrap(), Mu(120_025));
        assert_eq!(Mu::parse("", "a").unwrap(), Mu(0));
        assert!(Mu::parse("1.234", "a").is_err());
        assert!(Mu::parse("-3", "a").is_err());
        assert!(Mu::parse("200000", "a").is_err());
        assert_eq!(Mu(8_550).to_string(), "85.5");
        assert_eq!(Mu(120_025).to_string(), "1200.25");
        assert_eq!(Mu(300).to_string(), "3");
    }

    #[test]
    fn quota_within_land_and_completeness() {
        let d = PlanDraft {
            land_use: "100".into(),
            reserved_quota: "120".into(),
            ..Default::default()
        };
        assert_eq!(d.parse().unwrap_err()[0].field, "reserved_quota");
        let c = PlanDraft {
            positioning: "香榧产业与山地休闲".into(),
            land_use: "100".into(),
            reserved_quota: "8".into(),
            tasks: "1. 香榧加工中心\n2. 古道修复".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(c.tasks, ["香榧加工中心", "古道修复"]);
        let missing: Vec<String> = check_complete(&c)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            missing,
            ["spatial_structure", "industry_layout", "operation_model"]
        );
    }
}
