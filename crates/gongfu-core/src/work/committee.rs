//! The joint committee (党建联建): its members, its meetings (工作推进会) with agenda, minutes
//! and decisions (决定事项), and the action items (待办事项) decisions become, each with an
//! owner, a due day and a status, tracked to closure.

use super::{days_late, parse_choice, parse_optional_date};
use crate::DomainError;
use crate::text::bounded_text;
use serde::{Deserialize, Serialize};
use time::Date;

pub const NAME_MAX: usize = 40;
pub const UNIT_MAX: usize = 60;
pub const TITLE_MAX: usize = 80;
pub const TEXT_MAX: usize = 10_000;
pub const DECISION_MAX: usize = 500;
pub const DECISIONS_MAX: usize = 50;

/// 联席会议成员角色.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// 牵头领导 (a town / street leader)
    Lead,
    /// 职能部门
    Department,
    /// 村社
    Village,
    /// 行业协会
    Association,
    /// 市场主体 / 企业
    Enterprise,
    /// 其他
    Other,
}

impl MemberRole {
    pub const ALL: [MemberRole; 6] = [
        MemberRole::Lead,
        MemberRole::Department,
        MemberRole::Village,
        MemberRole::Association,
        MemberRole::Enterprise,
        MemberRole::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            MemberRole::Lead => "lead",
            MemberRole::Department => "department",
            MemberRole::Village => "village",
            MemberRole::Association => "association",
            MemberRole::Enterprise => "enterprise",
            MemberRole::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MemberRole::Lead => "牵头领导",
            MemberRole::Department => "职能部门",
            MemberRole::Village => "村社",
            MemberRole::Association => "行业协会",
            MemberRole::Enterprise => "市场主体",
            MemberRole::Other => "其他",
        }
    }
    pub fn parse(s: &str) -> Result<MemberRole, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_role",
                "role",
                format!(
                    "成员角色「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
}

/// A member of a zone's joint committee: a person of a unit, or a unit alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeMember {
    pub id: i64,
    pub zone: i64,
    pub person: String,
    pub unit: String,
    pub role: MemberRole,
    /// The member's own title in the committee (主任, 副主任, 成员 …).
    pub title: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberDraft {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSpec {
    pub person: String,
    pub unit: String,
    pub role: MemberRole,
    pub title: String,
}

impl MemberDraft {
    pub fn parse(&self) -> Result<MemberSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let person = bounded_text(&self.person, "person", "姓名", NAME_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let unit = bounded_text(&self.unit, "unit", "单位", UNIT_MAX, Some("请填写成员单位"))
            .map_err(|e| errors.push(e))
            .ok();
        let role = if self.role.trim().is_empty() {
            errors.push(DomainError::new("required", "role", "请选择成员角色"));
            None
        } else {
            MemberRole::parse(&self.role)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let title = bounded_text(&self.title, "title", "职务", NAME_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (person, unit, role, title) {
            (Some(person), Some(unit), Some(role), Some(title)) if errors.is_empty() => {
                Ok(MemberSpec {
                    person,
                    unit,
                    role,
                    title,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 会议: one meeting of a zone's joint committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub zone: i64,
    pub held_on: Date,
    pub title: String,
    pub location: String,
    /// Who came, one per line (姓名（单位）).
    pub attendees: Vec<String>,
    pub agenda: String,
    pub minutes: String,
    pub decisions: Vec<Decision>,
    pub version: i64,
}

/// 决定事项: one numbered decision of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub meeting: i64,
    /// 1, 2, 3 … in the minutes' order.
    pub seq: i64,
    pub text: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeetingDraft {
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub location: String,
    /// One attendee per line.
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub minutes: String,
    /// One decision per line.
    #[serde(default)]
    pub decisions: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSpec {
    pub held_on: Date,
    pub title: String,
    pub location: String,
    pub attendees: Vec<String>,
    pub agenda: String,
    pub minutes: String,
    pub decisions: Vec<String>,
}

/// Non-empty trimmed lines, with a leading list number (`1.`, `（2）`, `3、`) removed.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| strip_list_number(l.trim()).to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// `1. x`, `3、x`, `2) x`, `(1) x`, `（2）x` → `x`; anything else unchanged (`2025年…` stays).
fn strip_list_number(t: &str) -> &str {
    fn digits_then(s: &str) -> Option<&str> {
        let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
        (rest.len() < s.len()).then_some(rest)
    }
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(r) = t
            .strip_prefix(open)
            .and_then(digits_then)
            .and_then(|r| r.strip_prefix(close))
        {
            return r.trim_start();
        }
    }
    if let Some(rest) = digits_then(t) {
        for sep in ['.', '、', '．', ')', '）'] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r.trim_start();
            }
        }
    }
    t
}

impl MeetingDraft {
    pub fn parse(&self, today: Date) -> Result<MeetingSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let held_on = if self.held_on.trim().is_empty() {
            errors.push(DomainError::new("required", "held_on", "请填写会议日期"));
            None
        } else {
            match crate::village::parse_date("held_on", &self.held_on) {
                Ok(d) if d > today => {
                    errors.push(DomainError::new(
                        "in_future",
                        "held_on",
                        "会议日期不能晚于今天：记录的是已经召开的会议",
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let title = bounded_text(
            &self.title,
            "title",
            "会议名称",
            TITLE_MAX,
            Some("请填写会议名称"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let location = bounded_text(&self.location, "location", "地点", TITLE_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let attendees = lines(&self.attendees);
        if attendees.is_empty() {
            errors.push(DomainError::new(
                "required",
                "attendees",
                "请填写参会人员（每行一人）",
            ));
        } else if let Some(a) = attendees
            .iter()
            .find(|a| a.chars().count() > UNIT_MAX + NAME_MAX)
        {
            errors.push(DomainError::new(
                "too_long",
                "attendees",
                format!("参会人员「{a}」过长：每行一人"),
            ));
        }
        let agenda = bounded_text(&self.agenda, "agenda", "议程", TEXT_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let minutes = bounded_text(&self.minutes, "minutes", "会议纪要", TEXT_MAX, None)
            .map_err(|e| errors.push(e))
            .ok();
        let decisions = lines(&self.decisions);
        if decisions.len() > DECISIONS_MAX {
            errors.push(DomainError::new(
                "too_many",
                "decisions",
                format!("决定事项最多 {DECISIONS_MAX} 条"),
            ));
        }
        if let Some(d) = decisions.iter().find(|d| d.chars().count() > DECISION_MAX) {
            errors.push(DomainError::new(
                "too_long",
                "decisions",
                format!(
                    "决定事项「{}…」超过 {DECISION_MAX} 字",
                    d.chars().take(12).collect::<String>()
                ),
            ));
        }
        match (held_on, title, location, agenda, minutes) {
            (Some(held_on), Some(title), Some(location), Some(agenda), Some(minutes))
                if errors.is_empty() =>
            {
                Ok(MeetingSpec {
                    held_on,
                    title,
                    location,
                    attendees,
                    agenda,
                    minutes,
                    decisions,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 待办事项状态: 未开始 → 推进中 → 已完成, or 已取消 (with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "未开始",
            ActionStatus::InProgress => "推进中",
            ActionStatus::Done => "已完成",
            ActionStatus::Cancelled => "已取消",
        }
    }
    pub fn parse(s: &str) -> Result<ActionStatus, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_status",
                "status",
                format!(
                    "待办状态「{}」无效：应为未开始、推进中、已完成、已取消之一",
                    s.trim()
                ),
            )
        })
    }
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Cancelled)
    }
    /// Open items may start, finish or be cancelled; started ones finish or are cancelled;
    /// closed ones stay closed (a new item is made instead).
    pub fn can_move_to(self, to: ActionStatus) -> bool {
        use ActionStatus::*;
        matches!(
            (self, to),
            (Open, InProgress)
                | (Open, Done)
                | (Open, Cancelled)
                | (InProgress, Done)
                | (InProgress, Cancelled)
        )
    }
}

/// 待办事项: what a decision asks someone to do by a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub zone: i64,
    /// The decision it carries out, when it came from a meeting.
    pub decision: Option<i64>,
    pub title: String,
    /// The unit answerable for it (责任单位).
    pub owner_unit: String,
    /// The account that answers for it, when one is named: the item shows on their home page.
    pub owner_user: Option<i64>,
    pub due: Date,
    pub status: ActionStatus,
    pub done_on: Option<Date>,
    /// What was done, or why it was cancelled.
    pub result: String,
    pub version: i64,
}

impl ActionItem {
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        if self.status.is_closed() {
            None
        } else {
            days_late(self.due, today)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionDraft {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner_unit: String,
    #[serde(default)]
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    pub title: String,
    pub owner_unit: String,
    pub due: Date,
}

impl ActionDraft {
    pub fn parse(&self) -> Result<ActionSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let title = bounded_text(
            &self.title,
            "title",
            "待办事项",
            DECISION_MAX,
            Some("请填写待办事项内容"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let owner_unit = bounded_text(
            &self.owner_unit,
            "owner_unit",
            "责任单位",
            UNIT_MAX,
            Some("请填写责任单位"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let due = match parse_optional_date("due", &self.due) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errors.push(DomainError::new("required", "due", "请填写完成时限"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (title, owner_unit, due) {
            (Some(title), Some(owner_unit), Some(due)) if errors.is_empty() => Ok(ActionSpec {
                title,
                owner_unit,
                due,
            }),
            _ => Err(errors),
        }
    }
}

/// Checks a status change of an action item: the move must be allowed, closing needs a note
/// of what was done (or why it was cancelled), and a done day cannot be in the future.
pub fn check_action_move(
    item: &ActionItem,
    to: ActionStatus,
    result: &str,
) -> Result<(), DomainError> {
    if !item.status.can_move_to(to) {
        return Err(DomainError::new(
            "invalid_transition",
            "status",
            if item.status.is_closed() {
                format!("待办事项已{}，不能再改状态", item.status.label())
            } else {
                format!("不能从「{}」转为「{}」", item.status.label(), to.label())
            },
        ));
    }
    if to.is_closed() && result.trim().is_empty() {
        return Err(DomainError::new(
            "required",
            "result",
            if to == ActionStatus::Done {
                "办结时请填写办理结果"
            } else {
                "取消时请说明原因"
            },
        ));
    }
    if result.trim().chars().count() > TEXT_MAX {
        return Err(DomainError::new(
            "too_long",
            "result",
            format!("办理结果不超过 {TEXT_MAX} 字"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn action(status: ActionStatus) -> ActionItem {
        ActionItem {
            id: 1,
            zone: 1,
            decision: Some(1),
            title: "完成香榧基地道路硬化方案".into(),
            owner_unit: "稽东镇农业农村办".into(),
            owner_user: None,
            due: date!(2025 - 09 - 30),
            status,
            done_on: None,
            result: String::new(),
            version: 1,
        }
    }

    #[test]
    fn action_flow_and_closing_note() {
        let today = date!(2025 - 10 - 02);
        let open = action(ActionStatus::Open);
        assert_eq!(open.days_overdue(today), Some(2));
        assert_eq!(action(ActionStatus::Done).days_overdue(today), None);
        assert_eq!(action(ActionStatus::Cancelled).days_overdue(today), None);
        assert_eq!(
            check_action_move(&open, ActionStatus::Done, " ")
                .unwrap_err()
                .code,
            "required"
        );
        check_action_move(&open, ActionStatus::Done, "方案已报镇党委会审议").unwrap();
        check_action_move(&open, ActionStatus::InProgress, "").unwrap();
        let e =
            check_action_move(&action(ActionStatus::Done), ActionStatus::Open, "x").unwrap_err();
        assert!(e.message.contains("已完成"), "{}", e.message);
        for a in ActionStatus::ALL {
            assert!(!a.can_move_to(ActionStatus::Open));
        }
    }

    #[test]
    fn meeting_draft_splits_lines_and_refuses_the_future() {
        let today = date!(2025 - 06 - 10);
        let d = MeetingDraft {
            held_on: "2025-06-09".into(),
            title: "稽东香榧片区第二次工作推进会".into(),
            attendees: "张三（稽东镇）\n\n李四（区农业农村局）".into(),
            decisions: "1. 启动香榧加工厂选址\n（2）成立片区运营公司\n3、统一「稽东香榧」包装"
                .into(),
            ..Default::default()
        };
        let s = d.parse(today).unwrap();
        assert_eq!(s.attendees.len(), 2);
        assert_eq!(
            s.decisions,
            [
                "启动香榧加工厂选址",
                "成立片区运营公司",
                "统一「稽东香榧」包装"
            ]
        );
        let later = MeetingDraft {
            held_on: "2025-06-11".into(),
            ..d.clone()
        };
        let e = later.parse(today).unwrap_err();
        assert_eq!(e[0].field, "held_on");
        let empty = MeetingDraft::default().parse(today).unwrap_err();
        let fields: Vec<&str> = empty.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["held_on", "title", "attendees"]);
    }

    #[test]
    fn numbers_only_strip_when_they_lead() {
        assert_eq!(lines("2025年完成验收"), ["2025年完成验收"]);
        assert_eq!(lines("(1) 建立台账"), ["建立台账"]);
    }

    #[test]
    fn action_drafts_need_title_owner_and_due() {
        let e = ActionDraft::default().parse().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "owner_unit", "due"]);
        let ok = ActionDraft {
            title: "报送用地预审材料".into(),
            owner_unit: "区自然资源分局".into(),
            due: "2025-07-15".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.due, date!(2025 - 07 - 15));
    }

    #[test]
    fn member_roles_parse() {
        let m = MemberDraft {
            person: "王五".into(),
            unit: "平水镇人民政府".into(),
            role: "牵头领导".into(),
            title: "主任".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(m.role, MemberRole::Lead);
        assert_eq!(MemberDraft::default().parse().unwrap_err().len(), 2);
    }
}
