//! Projects (项目): the zone plan broken into a list carried to closure. A project has a
//! mechanism, a type, a lead unit, the villages involved, planned and actual investment by
//! source in fen, dates, a status that only moves along the allowed flow, weighted sub-items
//! whose progress rolls up, and milestones with evidence.

use super::{Mechanism, Percent, days_late, parse_choice, parse_optional_date};
use crate::text::bounded_text;
use crate::{DomainError, Fen, VillageCode};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

pub const NAME_MAX: usize = 60;
pub const UNIT_MAX: usize = 60;
pub const NOTE_MAX: usize = 2_000;
/// Largest single investment figure accepted: 100 亿元 (a typo guard).
pub const AMOUNT_MAX: Fen = Fen(1_000_000_000_000);

/// 项目状态: 谋划 → 立项 → 在建 → 完工 → 运营 → 验收.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// 谋划
    Conceived,
    /// 立项
    Approved,
    /// 在建
    Building,
    /// 完工
    Completed,
    /// 运营
    Operating,
    /// 验收
    Accepted,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 6] = [
        ProjectStatus::Conceived,
        ProjectStatus::Approved,
        ProjectStatus::Building,
        ProjectStatus::Completed,
        ProjectStatus::Operating,
        ProjectStatus::Accepted,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ProjectStatus::Conceived => "conceived",
            ProjectStatus::Approved => "approved",
            ProjectStatus::Building => "building",
            ProjectStatus::Completed => "completed",
            ProjectStatus::Operating => "operating",
            ProjectStatus::Accepted => "accepted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Conceived => "谋划",
            ProjectStatus::Approved => "立项",
            ProjectStatus::Building => "在建",
            ProjectStatus::Completed => "完工",
            ProjectStatus::Operating => "运营",
            ProjectStatus::Accepted => "验收",
        }
    }
    pub fn parse(s: &str) -> Result<ProjectStatus, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_status",
                "status",
                format!(
                    "项目状态「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
    /// The moves allowed from here: one step forward; a completed project that is not run
    /// as a business (a road, a pipe) goes straight to acceptance. Nothing moves back: a
    /// mistake is corrected by an administrator's audited edit, not by the flow.
    pub fn next(self) -> &'static [ProjectStatus] {
        use ProjectStatus::*;
        match self {
            Conceived => &[Approved],
            Approved => &[Building],
            Building => &[Completed],
            Completed => &[Operating, Accepted],
            Operating => &[Accepted],
            Accepted => &[],
        }
    }
    pub fn can_move_to(self, to: ProjectStatus) -> bool {
        self.next().contains(&to)
    }
    /// Still under way: a project in one of these states past its end date is overdue.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ProjectStatus::Conceived | ProjectStatus::Approved | ProjectStatus::Building
        )
    }
    /// Built: counts as complete for the completion rate (完工及以后).
    pub fn is_complete(self) -> bool {
        !self.is_open()
    }
}

impl fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// 项目类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// 基础设施
    Infrastructure,
    /// 产业发展
    Industry,
    /// 公共服务
    PublicService,
    /// 生态环境
    Ecology,
    /// 文旅融合
    CultureTourism,
    /// 数字乡村
    Digital,
    /// 其他
    Other,
}

impl ProjectKind {
    pub const ALL: [ProjectKind; 7] = [
        ProjectKind::Infrastructure,
        ProjectKind::Industry,
        ProjectKind::PublicService,
        ProjectKind::Ecology,
        ProjectKind::CultureTourism,
        ProjectKind::Digital,
        ProjectKind::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ProjectKind::Infrastructure => "infrastructure",
            ProjectKind::Industry => "industry",
            ProjectKind::PublicService => "public_service",
            ProjectKind::Ecology => "ecology",
            ProjectKind::CultureTourism => "culture_tourism",
            ProjectKind::Digital => "digital",
            ProjectKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProjectKind::Infrastructure => "基础设施",
            ProjectKind::Industry => "产业发展",
            ProjectKind::PublicService => "公共服务",
            ProjectKind::Ecology => "生态环境",
            ProjectKind::CultureTourism => "文旅融合",
            ProjectKind::Digital => "数字乡村",
            ProjectKind::Other => "其他",
        }
    }
    pub fn parse(s: &str) -> Result<ProjectKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "项目类型「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
}

/// 资金来源.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 财政资金
    Fiscal,
    /// 村集体
    Collective,
    /// 社会资本
    Social,
}

impl FundSource {
    pub const ALL: [FundSource; 3] = [
        FundSource::Fiscal,
        FundSource::Collective,
        FundSource::Social,
    ];
    pub fn key(self) -> &'static str {
        match self {
            FundSource::Fiscal => "fiscal",
            FundSource::Collective => "collective",
            FundSource::Social => "social",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FundSource::Fiscal => "财政资金",
            FundSource::Collective => "村集体",
            FundSource::Social => "社会资本",
        }
    }
    pub fn parse(s: &str) -> Result<FundSource, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_source",
                "source",
                format!(
                    "资金来源「{}」无效：应为财政资金、村集体、社会资本之一",
                    s.trim()
                ),
            )
        })
    }
}

/// Investment of a project by source, planned and actual, in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investment {
    pub planned: [Fen; 3],
    pub actual: [Fen; 3],
}

impl Investment {
    pub fn planned_of(&self, s: FundSource) -> Fen {
        self.planned[s as usize]
    }
    pub fn actual_of(&self, s: FundSource) -> Fen {
        self.actual[s as usize]
    }
    pub fn planned_total(&self) -> Fen {
        self.planned.iter().copied().sum()
    }
    pub fn actual_total(&self) -> Fen {
        self.actual.iter().copied().sum()
    }
}

/// An investment figure: not negative, at most [`AMOUNT_MAX`]; empty is zero.
pub fn parse_amount(s: &str, field: &str) -> Result<Fen, DomainError> {
    if s.trim().is_empty() {
        return Ok(Fen::ZERO);
    }
    let f = Fen::parse_yuan(s).map_err(|mut e| {
        e.field = field.to_string();
        e
    })?;
    if f < Fen::ZERO {
        return Err(DomainError::new(
            "out_of_range",
            field,
            format!("投资额「{}」不能为负数", s.trim()),
        ));
    }
    if f > AMOUNT_MAX {
        return Err(DomainError::new(
            "out_of_range",
            field,
            format!("投资额「{}」超过 100 亿元，请核对单位（元）", s.trim()),
        ));
    }
    Ok(f)
}

/// 子项: a part of a project with a weight (its share of the whole) and its own progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubItem {
    pub name: String,
    /// 1 to 1,000; only the ratios matter.
    pub weight: u32,
    pub progress: Percent,
}

pub const WEIGHT_MAX: u32 = 1_000;

pub fn parse_weight(s: &str, field: &str) -> Result<u32, DomainError> {
    let err = || {
        DomainError::new(
            "out_of_range",
            field,
            format!("权重「{}」无效：应为 1 到 {WEIGHT_MAX} 的整数", s.trim()),
        )
    };
    let v: u32 = s.trim().parse().map_err(|_| err())?;
    if (1..=WEIGHT_MAX).contains(&v) {
        Ok(v)
    } else {
        Err(err())
    }
}

pub fn parse_item_name(s: &str) -> Result<String, DomainError> {
    bounded_text(s, "name", "子项名称", NAME_MAX, Some("请填写子项名称"))
}

/// A project's progress: the weight-averaged progress of its sub-items, rounded half up to a
/// whole percent but never 100 % before every sub-item is; without sub-items, the progress reported on the project itself.
pub fn rolled_up_progress(items: &[SubItem], reported: Percent) -> Percent {
    let total: u64 = items.iter().map(|i| u64::from(i.weight)).sum();
    if total == 0 {
        return reported;
    }
    let done: u64 = items
        .iter()
        .map(|i| u64::from(i.weight) * u64::from(i.progress.get()))
        .sum();
    // Round half up in integers: (2·done + total) / (2·total).
    let pct = (2 * done + total) / (2 * total);
    // 100 % means done: a nearly finished project shows 99 % until its last item is.
    let all_done = items.iter().all(|i| i.progress == Percent::FULL);
    Percent(if all_done { 100 } else { pct.min(99) as u8 })
}

/// 里程碑: a dated step of a project; done when its day is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: i64,
    pub project: i64,
    pub name: String,
    pub due: Date,
    pub done_on: Option<Date>,
    pub note: String,
    pub version: i64,
}

impl Milestone {
    /// Late by this many days: not done and past its day.
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        match self.done_on {
            Some(_) => None,
            None => days_late(self.due, today),
        }
    }
}

/// What a person types for a milestone.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MilestoneDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub done_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneSpec {
    pub name: String,
    pub due: Date,
    pub done_on: Option<Date>,
    pub note: String,
}

impl MilestoneDraft {
    pub fn parse(&self) -> Result<MilestoneSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(
            &self.name,
            "name",
            "里程碑名称",
            NAME_MAX,
            Some("请填写里程碑名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let due = if self.due.trim().is_empty() {
            errors.push(DomainError::new("required", "due", "请填写计划完成日期"));
            None
        } else {
            crate::village::parse_date("due", &self.due)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let done_on = parse_optional_date("done_on", &self.done_on)
            .map_err(|e| errors.push(e))
            .ok();
        let note = bounded_text(&self.note, "note", "说明", NOTE_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (name, due, done_on, note) {
            (Some(name), Some(due), Some(done_on), Some(note)) if errors.is_empty() => {
                Ok(MilestoneSpec {
                    name,
                    due,
                    done_on,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Where a project came from: a task of the zone plan or a decision of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Origin {
    /// 规划建设任务
    PlanTask(i64),
    /// 会议决定事项
    Decision(i64),
}

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    pub zone: i64,
    pub name: String,
    pub mechanism: Mechanism,
    pub kind: ProjectKind,
    pub lead_unit: String,
    pub villages: Vec<VillageCode>,
    pub investment: Investment,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub status: ProjectStatus,
    /// Progress reported on the project itself, used when it has no sub-items.
    pub reported_progress: Percent,
    pub items: Vec<SubItem>,
    pub origin: Option<Origin>,
    pub note: String,
    pub version: i64,
}

impl Project {
    pub fn progress(&self) -> Percent {
        if self.status.is_complete() && self.items.is_empty() {
            return Percent::FULL;
        }
        rolled_up_progress(&self.items, self.reported_progress)
    }
    /// Late by this many days: still under way past its planned end.
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        if !self.status.is_open() {
            return None;
        }
        days_late(self.end?, today)
    }
}

/// Checks a status move against the flow and against what the new status needs: work starts
/// (在建) only with a start date; a project is complete (完工) only when every sub-item is at
/// 100 % and every milestone is done.
pub fn check_move(
    project: &Project,
    milestones: &[Milestone],
    to: ProjectStatus,
) -> Result<(), DomainError> {
    if !project.status.can_move_to(to) {
        let allowed = project.status.next();
        let hint = if allowed.is_empty() {
            "项目已验收，状态不再变化".to_string()
        } else {
            format!(
                "从「{}」只能转为「{}」",
                project.status.label(),
                allowed
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join("」或「")
            )
        };
        return Err(DomainError::new(
            "invalid_transition",
            "status",
            format!(
                "不能从「{}」转为「{}」：{hint}",
                project.status.label(),
                to.label()
            ),
        ));
    }
    if to == ProjectStatus::Building && project.start.is_none() {
        return Err(DomainError::new(
            "start_required",
            "start",
            "开工前请先填写开工日期",
        ));
    }
    if to == ProjectStatus::Completed {
        let unfinished: Vec<&str> = project
            .items
            .iter()
            .filter(|i| i.progress != Percent::FULL)
            .map(|i| i.name.as_str())
            .collect();
        if !unfinished.is_empty() {
            return Err(DomainError::new(
                "items_unfinished",
                "items",
                format!("子项未全部完成（{}），不能标记完工", unfinished.join("、")),
            ));
        }
        let open: Vec<&str> = milestones
            .iter()
            .filter(|m| m.done_on.is_none())
            .map(|m| m.name.as_str())
            .collect();
        if !open.is_empty() {
            return Err(DomainError::new(
                "milestones_open",
                "milestones",
                format!("里程碑未全部完成（{}），不能标记完工", open.join("、")),
            ));
        }
    }
    Ok(())
}

/// What a person types for a project (form fields and spreadsheet cells alike).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mechanism: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub lead_unit: String,
    /// Village codes separated by commas, 、 or spaces.
    #[serde(default)]
    pub villages: String,
    #[serde(default)]
    pub planned_fiscal: String,
    #[serde(default)]
    pub planned_collective: String,
    #[serde(default)]
    pub planned_social: String,
    #[serde(default)]
    pub actual_fiscal: String,
    #[serde(default)]
    pub actual_collective: String,
    #[serde(default)]
    pub actual_social: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub progress: String,
    #[serde(default)]
    pub note: String,
}

/// A project's own fields, valid (the zone, status and origin are set by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSpec {
    pub name: String,
    pub mechanism: Mechanism,
    pub kind: ProjectKind,
    pub lead_unit: String,
    pub villages: Vec<VillageCode>,
    pub investment: Investment,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub reported_progress: Percent,
    pub note: String,
}

/// Splits a list of village codes typed by a person, refusing bad and repeated codes.
pub fn parse_village_list(s: &str, field: &str) -> Result<Vec<VillageCode>, DomainError> {
    let mut out: Vec<VillageCode> = Vec::new();
    for part in s.split([',', '，', '、', ';', '；', ' ', '\n']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let code = VillageCode::parse(part).map_err(|mut e| {
            e.field = field.to_string();
            e
        })?;
        if out.contains(&code) {
            return Err(DomainError::new(
                "duplicate",
                field,
                format!("村代码「{part}」重复"),
            ));
        }
        out.push(code);
    }
    Ok(out)
}

impl ProjectDraft {
    pub fn parse(&self) -> Result<ProjectSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        fn keep<T>(errors: &mut Vec<DomainError>, r: Result<T, DomainError>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        let name = keep(
            &mut errors,
            bounded_text(
                &self.name,
                "name",
                "项目名称",
                NAME_MAX,
                Some("请填写项目名称"),
            ),
        );
        let mechanism = keep(
            &mut errors,
            if self.mechanism.trim().is_empty() {
                Err(DomainError::new(
                    "required",
                    "mechanism",
                    "请选择所属机制（四联四共之一）",
                ))
            } else {
                Mechanism::parse(&self.mechanism)
            },
        );
        let kind = keep(
            &mut errors,
            if self.kind.trim().is_empty() {
                Err(DomainError::new("required", "kind", "请选择项目类型"))
            } else {
                ProjectKind::parse(&self.kind)
            },
        );
        let lead_unit = keep(
            &mut errors,
            bounded_text(
                &self.lead_unit,
                "lead_unit",
                "牵头单位",
                UNIT_MAX,
                Some("请填写牵头单位"),
            ),
        );
        let villages = keep(&mut errors, parse_village_list(&self.villages, "villages"));
        let mut amounts = [Fen::ZERO; 6];
        let cells = [
            (&self.planned_fiscal, "planned_fiscal"),
            (&self.planned_collective, "planned_collective"),
            (&self.planned_social, "planned_social"),
            (&self.actual_fiscal, "actual_fiscal"),
            (&self.actual_collective, "actual_collective"),
            (&self.actual_social, "actual_social"),
        ];
        let mut amounts_ok = true;
        for (i, (text, field)) in cells.iter().enumerate() {
            match parse_amount(text, field) {
                Ok(f) => amounts[i] = f,
                Err(e) => {
                    amounts_ok = false;
                    errors.push(e);
                }
            }
        }
        let start = parse_optional_date("start", &self.start)
            .map_err(|e| errors.push(e))
            .ok();
        let end = parse_optional_date("end", &self.end)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(Some(s)), Some(Some(e))) = (start, end)
            && e < s
        {
            errors.push(DomainError::new(
                "end_before_start",
                "end",
                "计划完工日期不能早于开工日期",
            ));
        }
        let reported_progress = if self.progress.trim().is_empty() {
            Some(Percent::ZERO)
        } else {
            Percent::parse(&self.progress, "progress")
                .map_err(|e| errors.push(e))
                .ok()
        };
        let note = bounded_text(&self.note, "note", "备注", NOTE_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (
            name,
            mechanism,
            kind,
            lead_unit,
            villages,
            start,
            end,
            reported_progress,
            note,
        ) {
            (
                Some(name),
                Some(mechanism),
                Some(kind),
                Some(lead_unit),
                Some(villages),
                Some(start),
                Some(end),
                Some(reported_progress),
                Some(note),
            ) if errors.is_empty() && amounts_ok => Ok(ProjectSpec {
                name,
                mechanism,
                kind,
                lead_unit,
                villages,
                investment: Investment {
                    planned: [amounts[0], amounts[1], amounts[2]],
                    actual: [amounts[3], amounts[4], amounts[5]],
                },
                start,
                end,
                reported_progress,
                note,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn item(w: u32, p: u8) -> SubItem {
        SubItem {
            name: format!("子项{w}-{p}"),
            weight: w,
            progress: Percent(p),
        }
    }

    fn project(status: ProjectStatus) -> Project {
        Project {
            id: 1,
            zone: 1,
            name: "平水日铸茶加工中心".into(),
            mechanism: Mechanism::IndustryChain,
            kind: ProjectKind::Industry,
            lead_unit: "平水镇人民政府".into(),
            villages: vec![],
            investment: Investment::default(),
            start: Some(date!(2025 - 03 - 01)),
            end: Some(date!(2025 - 10 - 31)),
            status,
            reported_progress: Percent(40),
            items: vec![],
            origin: None,
            note: String::new(),
            version: 1,
        }
    }

    #[test]
    fn the_flow_moves_one_step_forward_only() {
        use ProjectStatus::*;
        let allowed = [
            (Conceived, Approved),
            (Approved, Building),
            (Building, Completed),
            (Completed, Operating),
            (Completed, Accepted),
            (Operating, Accepted),
        ];
        for a in ProjectStatus::ALL {
            for b in ProjectStatus::ALL {
                assert_eq!(a.can_move_to(b), allowed.contains(&(a, b)), "{a:?} → {b:?}");
            }
        }
        let e = check_move(&project(Conceived), &[], Building).unwrap_err();
        assert_eq!(e.code, "invalid_transition");
        assert!(e.message.contains("只能转为「立项」"), "{}", e.message);
        let e = check_move(&project(Accepted), &[], Operating).unwrap_err();
        assert!(e.message.contains("已验收"), "{}", e.message);
    }

    #[test]
    fn building_needs_a_start_and_completion_needs_everything_done() {
        let mut p = project(ProjectStatus::Approved);
        p.start = None;
        assert_eq!(
            check_move(&p, &[], ProjectStatus::Building)
                .unwrap_err()
                .code,
            "start_required"
        );
        let mut p = project(ProjectStatus::Building);
        p.items = vec![item(3, 100), item(1, 90)];
        let e = check_move(&p, &[], ProjectStatus::Completed).unwrap_err();
        assert_eq!(e.code, "items_unfinished");
        p.items[1].progress = Percent::FULL;
        let m = Milestone {
            id: 1,
            project: 1,
            name: "主体结构封顶".into(),
            due: date!(2025 - 08 - 01),
            done_on: None,
            note: String::new(),
            version: 1,
        };
        let e = check_move(&p, std::slice::from_ref(&m), ProjectStatus::Completed).unwrap_err();
        assert_eq!(e.code, "milestones_open");
        let done = Milestone {
            done_on: Some(date!(2025 - 07 - 28)),
            ..m
        };
        check_move(&p, &[done], ProjectStatus::Completed).unwrap();
    }

    #[test]
    fn progress_rolls_up_by_weight() {
        // (3·100 + 1·0) / 4 = 75
        assert_eq!(
            rolled_up_progress(&[item(3, 100), item(1, 0)], Percent(5)).get(),
            75
        );
        // (1·50 + 2·25) / 3 = 33.33 → 33
        assert_eq!(
            rolled_up_progress(&[item(1, 50), item(2, 25)], Percent(0)).get(),
            33
        );
        // (1·1 + 1·0) / 2 = 0.5 → rounds half up to 1
        assert_eq!(
            rolled_up_progress(&[item(1, 1), item(1, 0)], Percent(0)).get(),
            1
        );
        // No items: what was reported.
        assert_eq!(rolled_up_progress(&[], Percent(40)).get(), 40);
        assert_eq!(project(ProjectStatus::Building).progress().get(), 40);
        assert_eq!(project(ProjectStatus::Completed).progress().get(), 100);
    }

    #[test]
    fn overdue_only_while_under_way() {
        let today = date!(2025 - 11 - 05);
        assert_eq!(
            project(ProjectStatus::Building).days_overdue(today),
            Some(5)
        );
        assert_eq!(
            project(ProjectStatus::Building).days_overdue(date!(2025 - 10 - 31)),
            None
        );
        assert_eq!(project(ProjectStatus::Completed).days_overdue(today), None);
        let mut p = project(ProjectStatus::Conceived);
        p.end = None;
        assert_eq!(p.days_overdue(today), None);
    }

    #[test]
    fn drafts_name_every_bad_field() {
        let d = ProjectDraft {
            name: "".into(),
            mechanism: "产业共链".into(),
            kind: "工业".into(),
            lead_unit: "稽东镇人民政府".into(),
            villages: "330603101201，330603101201".into(),
            planned_fiscal: "-5".into(),
            planned_social: "12.345".into(),
            start: "2025-05-01".into(),
            end: "2025-04-01".into(),
            progress: "120".into(),
            ..Default::default()
        };
        let errors = d.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "kind",
                "villages",
                "planned_fiscal",
                "planned_social",
                "end",
                "progress"
            ]
        );
        let ok = ProjectDraft {
            name: "香榧精深加工".into(),
            mechanism: "industry_chain".into(),
            kind: "产业发展".into(),
            lead_unit: "稽东镇人民政府".into(),
            villages: "330603101201、330603101202".into(),
            planned_fiscal: "1,200,000".into(),
            actual_collective: "35000.5".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.investment.planned_total(), Fen(120_000_000));
        assert_eq!(
            ok.investment.actual_of(FundSource::Collective),
            Fen(3_500_050)
        );
        assert_eq!(ok.villages.len(), 2);
    }

    proptest! {
        #[test]
        fn rolled_up_progress_lies_between_the_items(
            items in prop::collection::vec((1u32..=WEIGHT_MAX, 0u8..=100), 1..12)
        ) {
            let items: Vec<SubItem> = items.into_iter().map(|(w, p)| item(w, p)).collect();
            let r = rolled_up_progress(&items, Percent::ZERO).get();
            let lo = items.iter().map(|i| i.progress.get()).min().unwrap();
            let hi = items.iter().map(|i| i.progress.get()).max().unwrap();
            prop_assert!(lo <= r && r <= hi);
            // All items full ⇔ 100 %: completion can be trusted from the roll-up.
            prop_assert_eq!(r == 100, items.iter().all(|i| i.progress == Percent::FULL));
        }

        #[test]
        fn more_progress_never_lowers_the_roll_up(
            items in prop::collection::vec((1u32..=WEIGHT_MAX, 0u8..=99), 1..12),
            which in any::<prop::sample::Index>(),
        ) {
            let mut items: Vec<SubItem> = items.into_iter().map(|(w, p)| item(w, p)).collect();
            let before = rolled_up_progress(&items, Percent::ZERO);
            let i = which.index(items.len());
            items[i].progress = Percent(items[i].progress.get() + 1);
            prop_assert!(rolled_up_progress(&items, Percent::ZERO) >= before);
        }
    }
}
