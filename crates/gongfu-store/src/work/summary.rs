//! What the dashboard, the zone pages and the progress report read: per-zone figures of the
//! work (completion, investment against plan, overdue projects and actions, meetings held), and
//! the chain per zone meeting → decision → action / project → milestone → result.

use super::committee::{ActionFilter, load_actions};
use super::projects::{ProjectFilter, load_milestones};
use super::zone_plan::{PlanTask, ZonePlan};
use crate::StoreError;
use crate::db::Store;
use gongfu_core::Fen;
use gongfu_core::money::bp_percent_string;
use gongfu_core::work::committee::{ActionItem, Decision, Meeting};
use gongfu_core::work::plan::PlanStatus;
use gongfu_core::work::project::{Milestone, Origin, Project};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

/// One zone's work in figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ZoneWork {
    pub zone: i64,
    pub projects: usize,
    /// 完工及以后.
    pub complete: usize,
    /// complete / projects in basis points (0 without projects).
    pub completion_bp: i64,
    /// Planned and actual investment by source (财政, 村集体, 社会资本), fen.
    pub planned: [Fen; 3],
    pub actual: [Fen; 3],
    pub overdue_projects: usize,
    pub open_actions: usize,
    pub overdue_actions: usize,
    /// Meetings held in the calendar year of the day asked.
    pub meetings_this_year: usize,
    pub last_meeting: Option<Date>,
}

impl ZoneWork {
    pub fn completion_text(&self) -> String {
        if self.projects == 0 {
            "—".into()
        } else {
            bp_percent_string(self.completion_bp)
        }
    }
    pub fn planned_total(&self) -> Fen {
        self.planned.iter().copied().sum()
    }
    pub fn actual_total(&self) -> Fen {
        self.actual.iter().copied().sum()
    }
}

/// complete / total in basis points, rounded half up.
pub fn ratio_bp(part: usize, whole: usize) -> i64 {
    if whole == 0 {
        0
    } else {
        ((part as i64) * 20_000 + whole as i64) / (2 * whole as i64)
    }
}

/// The figures of every zone with any work, and of the district (zone 0).
pub fn summarise(
    projects: &[Project],
    actions: &[ActionItem],
    meetings: &[Meeting],
    day: Date,
) -> (Vec<ZoneWork>, ZoneWork) {
    let mut by_zone: HashMap<i64, ZoneWork> = HashMap::new();
    let mut total = ZoneWork::default();
    for p in projects {
        for w in [
            by_zone.entry(p.zone).or_insert_with(|| ZoneWork {
                zone: p.zone,
                ..Default::default()
            }),
            &mut total,
        ] {
            w.projects += 1;
            if p.status.is_complete() {
                w.complete += 1;
            }
            if p.days_overdue(day).is_some() {
                w.overdue_projects += 1;
            }
            for i in 0..3 {
                w.planned[i] = w.planned[i] + p.investment.planned[i];
                w.actual[i] = w.actual[i] + p.investment.actual[i];
            }
        }
    }
    for a in actions {
        for w in [
            by_zone.entry(a.zone).or_insert_with(|| ZoneWork {
                zone: a.zone,
                ..Default::default()
            }),
            &mut total,
        ] {
            if !a.status.is_closed() {
                w.open_actions += 1;
            }
            if a.days_overdue(day).is_some() {
                w.overdue_actions += 1;
            }
        }
    }
    for m in meetings {
        for w in [
            by_zone.entry(m.zone).or_insert_with(|| ZoneWork {
                zone: m.zone,
                ..Default::default()
            }),
            &mut total,
        ] {
            if m.held_on.year() == day.year() && m.held_on <= day {
                w.meetings_this_year += 1;
            }
            w.last_meeting = w.last_meeting.max(Some(m.held_on));
        }
    }
    let mut zones: Vec<ZoneWork> = by_zone.into_values().collect();
    for w in zones.iter_mut().chain(std::iter::once(&mut total)) {
        w.completion_bp = ratio_bp(w.complete, w.projects);
    }
    zones.sort_by_key(|w| w.zone);
    (zones, total)
}

/// A project with its milestones.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectChain {
    pub project: Project,
    pub milestones: Vec<Milestone>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionChain {
    pub decision: Decision,
    pub actions: Vec<ActionItem>,
    pub projects: Vec<ProjectChain>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingChain {
    pub meeting: Meeting,
    pub decisions: Vec<DecisionChain>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskChain {
    pub task: PlanTask,
    pub projects: Vec<ProjectChain>,
}

/// A zone's work as chains, newest meeting first.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// The plan in force, with each task's projects.
    pub plan: Option<ZonePlan>,
    pub tasks: Vec<TaskChain>,
    pub meetings: Vec<MeetingChain>,
    /// Projects and actions that came from neither a plan task nor a decision.
    pub other_projects: Vec<ProjectChain>,
    pub other_actions: Vec<ActionItem>,
}

impl Store {
    /// Per-zone work figures on `day`, and the district's.
    pub async fn work_summary(&self, day: Date) -> Result<(Vec<ZoneWork>, ZoneWork), StoreError> {
        let projects = self.projects(&ProjectFilter::default()).await?;
        let actions = self.actions(&ActionFilter::default()).await?;
        let meetings = self.meetings(None).await?;
        Ok(summarise(&projects, &actions, &meetings, day))
    }

    /// The chain of a zone's work.
    pub async fn timeline(&self, zone: i64) -> Result<Timeline, StoreError> {
        let projects = self
            .projects(&ProjectFilter {
                zone: Some(zone),
                ..Default::default()
            })
            .await?;
        let mut conn = self.pool.acquire().await?;
        let mut milestones: HashMap<i64, Vec<Milestone>> = HashMap::new();
        for m in load_milestones(&mut conn, None).await? {
            milestones.entry(m.project).or_default().push(m);
        }
        let actions: Vec<ActionItem> = load_actions(&mut conn)
            .await?
            .into_iter()
            .filter(|a| a.zone == zone)
            .collect();
        drop(conn);
        let meetings = self.meetings(Some(zone)).await?;
        let plans = self.zone_plans(zone).await?;
        let plan = plans.into_iter().find(|p| p.status == PlanStatus::Approved);
        let chain = |p: &Project| ProjectChain {
            project: p.clone(),
            milestones: milestones.get(&p.id).cloned().unwrap_or_default(),
        };
        // Tasks of superseded versions still own their projects; show them under the plan in
        // force when the task text matches, else as other projects.
        let tasks = plan
            .as_ref()
            .map(|pl| {
                pl.tasks
                    .iter()
                    .map(|t| TaskChain {
                        task: t.clone(),
                        projects: projects
                            .iter()
                            .filter(|p| p.origin == Some(Origin::PlanTask(t.id)))
                            .map(chain)
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let in_tasks: Vec<i64> = plan
            .as_ref()
            .map(|pl| pl.tasks.iter().map(|t| t.id).collect())
            .unwrap_or_default();
        let meeting_chains: Vec<MeetingChain> = meetings
            .into_iter()
            .map(|m| {
                let decisions = m
                    .decisions
                    .iter()
                    .map(|d| DecisionChain {
                        decision: d.clone(),
                        actions: actions
                            .iter()
                            .filter(|a| a.decision == Some(d.id))
                            .cloned()
                            .collect(),
                        projects: projects
                            .iter()
                            .filter(|p| p.origin == Some(Origin::Decision(d.id)))
                            .map(chain)
                            .collect(),
                    })
                    .collect();
                MeetingChain {
                    meeting: m,
                    decisions,
                }
            })
            .collect();
        let other_projects = projects
            .iter()
            .filter(|p| match p.origin {
                None => true,
                Some(Origin::PlanTask(t)) => !in_tasks.contains(&t),
                Some(Origin::Decision(_)) => false,
            })
            .map(chain)
            .collect();
        let other_actions = actions
            .iter()
            .filter(|a| a.decision.is_none())
            .cloned()
            .collect();
        Ok(Timeline {
            plan,
            tasks,
            meetings: meeting_chains,
            other_projects,
            other_actions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::work::Mechanism;
    use gongfu_core::work::Percent;
    use gongfu_core::work::committee::ActionStatus;
    use gongfu_core::work::project::{Investment, ProjectKind, ProjectStatus};
    use proptest::prelude::*;
    use time::macros::date;

    fn project(id: i64, zone: i64, status: usize, end_day: u8, money: [i64; 6]) -> Project {
        Project {
            id,
            zone,
            name: format!("项目{id}"),
            mechanism: Mechanism::Facilities,
            kind: ProjectKind::Other,
            lead_unit: "区农业农村局".into(),
            villages: vec![],
            investment: Investment {
                planned: [Fen(money[0]), Fen(money[1]), Fen(money[2])],
                actual: [Fen(money[3]), Fen(money[4]), Fen(money[5])],
            },
            start: None,
            end: Some(date!(2025 - 06 - 01).replace_day(end_day).unwrap()),
            status: ProjectStatus::ALL[status],
            reported_progress: Percent::ZERO,
            items: vec![],
            origin: None,
            note: String::new(),
            version: 1,
        }
    }

    fn action(id: i64, zone: i64, status: usize, due_day: u8) -> ActionItem {
        ActionItem {
            id,
            zone,
            decision: None,
            title: "事项".into(),
            owner_unit: "单位".into(),
            owner_user: None,
            due: date!(2025 - 06 - 01).replace_day(due_day).unwrap(),
            status: ActionStatus::ALL[status],
            done_on: None,
            result: String::new(),
            version: 1,
        }
    }

    proptest! {
        /// The district's figures are exactly the sum of the zones', money to the fen, and every
        /// rate lies between 0 and 100 %.
        #[test]
        fn district_is_the_sum_of_its_zones(
            ps in prop::collection::vec((1i64..6, 0usize..6, 1u8..29, prop::array::uniform6(0i64..1_000_000_000)), 0..40),
            acts in prop::collection::vec((1i64..6, 0usize..4, 1u8..29), 0..40),
        ) {
            let projects: Vec<Project> = ps.iter().enumerate()
                .map(|(i, (z, s, d, m))| project(i as i64, *z, *s, *d, *m)).collect();
            let actions: Vec<ActionItem> = acts.iter().enumerate()
                .map(|(i, (z, s, d))| action(i as i64, *z, *s, *d)).collect();
            let day = date!(2025 - 06 - 15);
            let (zones, total) = summarise(&projects, &actions, &[], day);
            prop_assert_eq!(zones.iter().map(|w| w.projects).sum::<usize>(), total.projects);
            prop_assert_eq!(zones.iter().map(|w| w.complete).sum::<usize>(), total.complete);
            prop_assert_eq!(zones.iter().map(|w| w.overdue_projects).sum::<usize>(), total.overdue_projects);
            prop_assert_eq!(zones.iter().map(|w| w.overdue_actions).sum::<usize>(), total.overdue_actions);
            for i in 0..3 {
                prop_assert_eq!(zones.iter().map(|w| w.planned[i]).sum::<Fen>(), total.planned[i]);
                prop_assert_eq!(zones.iter().map(|w| w.actual[i]).sum::<Fen>(), total.actual[i]);
            }
            prop_assert_eq!(
                total.planned_total(),
                projects.iter().map(|p| p.investment.planned_total()).sum::<Fen>()
            );
            for w in zones.iter().chain(std::iter::once(&total)) {
                prop_assert!((0..=10_000).contains(&w.completion_bp));
                prop_assert!(w.overdue_projects <= w.projects - w.complete);
                prop_assert!(w.overdue_actions <= w.open_actions);
            }
        }
    }

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(ratio_bp(1, 3), 3_333);
        assert_eq!(ratio_bp(2, 3), 6_667);
        assert_eq!(ratio_bp(0, 0), 0);
        assert_eq!(ratio_bp(5, 5), 10_000);
    }
}
