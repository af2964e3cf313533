//! Seeds the demo's year of zone work ([`gongfu_demo::work`]) into a demo database through the
//! store's own work API, as the system actor (`system:demo`, an administrator): every record
//! goes through the same validation, scope checks and audit lines as one typed in the UI.
//!
//! Plans are drafted, submitted and approved (a second version, where the demo has one, is
//! left as a draft); meetings are recorded with their decisions, which become action items
//! moved to where they stand; projects are created at most 在建, given their sub-items and
//! milestones, then moved along the flow to their status, so the completion rule is checked
//! by the store itself. Days the store records itself (an action item's 办结 day, a plan's
//! approval time) are the day of seeding.

use crate::work::committee::ActionFilter;
use crate::work::projects::ProjectFilter;
use crate::{Actor, Store, StoreError};
use gongfu_core::ZoneId;
use gongfu_core::work::committee::ActionStatus;
use gongfu_core::work::plan::PlanStep;
use gongfu_core::work::project::{Origin, ProjectStatus};
use gongfu_demo::work::{DemoOrigin, DemoWork, DemoZoneWork};

/// What [`Store::seed_demo_work`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkSeeded {
    pub actors: usize,
    pub plans: usize,
    pub committee_members: usize,
    pub meetings: usize,
    pub actions: usize,
    pub projects: usize,
    pub milestones: usize,
}

impl Store {
    /// Writes the demo's zone work into a demo database, once: a database already holding
    /// meetings or projects is left as it is (and nothing is reported written); one that does
    /// not hold the demo district is refused untouched. The work must have been generated up to
    /// today (no milestone may be done after the day of seeding).
    pub async fn seed_demo_work(&self, work: &DemoWork) -> Result<WorkSeeded, StoreError> {
        if self.setting("demo").await?.as_deref() != Some("1") {
            return Err(StoreError::Refused(
                "演示工作数据只能写入演示数据库（serve --demo）".into(),
            ));
        }
        if !self.meetings(None).await?.is_empty()
            || !self.projects(&ProjectFilter::default()).await?.is_empty()
        {
            return Ok(WorkSeeded::default());
        }
        let actor = Actor::system("demo");
        let snap = self.snapshot().await?;
        let zone_id = |name: &str| -> Result<i64, StoreError> {
            snap.zones
                .iter()
                .find(|z| z.name == name)
                .map(|z| z.id.0)
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("演示片区「{name}」"),
                })
        };
        // Every zone must be there before anything is written.
        for z in &work.zones {
            zone_id(&z.zone)?;
        }
        let mut seeded = WorkSeeded::default();

        for a in &work.actors {
            let id = self.create_actor(&actor, &a.spec).await?;
            seeded.actors += 1;
            for (zone, role) in &a.roles {
                self.set_zone_role(&actor, zone_id(zone)?, id, Some(role))
                    .await?;
            }
        }
        for z in &work.zones {
            let zone = zone_id(&z.zone)?;
            self.seed_zone_work(&actor, ZoneId(zone), z, &mut seeded)
                .await?;
        }
        Ok(seeded)
    }

    async fn seed_zone_work(
        &self,
        actor: &Actor,
        zone: ZoneId,
        z: &DemoZoneWork,
        seeded: &mut WorkSeeded,
    ) -> Result<(), StoreError> {
        let zone = zone.0;
        // 一片一规划: version 1 drafted, submitted and approved.
        let plan = self.new_plan_version(actor, zone).await?;
        self.save_plan(actor, plan, self.plan_version(plan).await?, &z.plan)
            .await?;
        for step in [PlanStep::Submit, PlanStep::Approve] {
            self.plan_step(actor, plan, self.plan_version(plan).await?, step)
                .await?;
        }
        seeded.plans += 1;
        let tasks: Vec<i64> = self
            .zone_plan(plan)
            .await?
            .map(|p| p.tasks.iter().map(|t| t.id).collect())
            .unwrap_or_default();

        for m in &z.committee {
            self.add_committee_member(actor, zone, m).await?;
            seeded.committee_members += 1;
        }

        // Meetings, their decisions, and the action items they became.
        let mut decisions: Vec<Vec<i64>> = Vec::with_capacity(z.meetings.len());
        for m in &z.meetings {
            let id = self.record_meeting(actor, zone, &m.spec).await?;
            seeded.meetings += 1;
            let mut ids: Vec<(i64, i64)> = self
                .meeting(id)
                .await?
                .map(|m| m.decisions.iter().map(|d| (d.seq, d.id)).collect())
                .unwrap_or_default();
            ids.sort_unstable();
            let ids: Vec<i64> = ids.into_iter().map(|(_, id)| id).collect();
            for a in &m.actions {
                let decision = ids.get(a.decision).copied();
                let item = self
                    .create_action(actor, zone, decision, &a.spec, None)
                    .await?;
                seeded.actions += 1;
                if a.status != ActionStatus::Open {
                    let version = self.action_version(item).await?;
                    self.set_action_status(actor, item, version, a.status, &a.result)
                        .await?;
                }
            }
            decisions.push(ids);
        }

        // Projects: created at most 在建, then sub-items, milestones and the rest of the flow.
        for p in &z.projects {
            let origin = match p.origin {
                Some(DemoOrigin::PlanTask(t)) => tasks.get(t).copied().map(Origin::PlanTask),
                Some(DemoOrigin::Decision { meeting, decision }) => decisions
                    .get(meeting)
                    .and_then(|d| d.get(decision))
                    .copied()
                    .map(Origin::Decision),
                None => None,
            };
            let first = p.status.min(ProjectStatus::Building);
            let id = self
                .create_project(actor, zone, &p.spec, first, origin)
                .await?;
            seeded.projects += 1;
            if !p.items.is_empty() {
                let version = self.project_version(id).await?;
                self.set_project_items(actor, id, version, &p.items).await?;
            }
            for m in &p.milestones {
                self.add_milestone(actor, id, m).await?;
                seeded.milestones += 1;
            }
            for to in p.path_from(first) {
                let version = self.project_version(id).await?;
                self.move_project(actor, id, version, to).await?;
            }
        }

        // The revision under way, where there is one.
        if let Some(draft) = &z.draft {
            let id = self.new_plan_version(actor, zone).await?;
            self.save_plan(actor, id, self.plan_version(id).await?, draft)
                .await?;
            seeded.plans += 1;
        }
        Ok(())
    }

    async fn plan_version(&self, id: i64) -> Result<i64, StoreError> {
        self.zone_plan(id)
            .await?
            .map(|p| p.version)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("规划 {id}"),
            })
    }

    async fn project_version(&self, id: i64) -> Result<i64, StoreError> {
        self.project(id)
            .await?
            .map(|p| p.project.version)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("项目 {id}"),
            })
    }

    async fn action_version(&self, id: i64) -> Result<i64, StoreError> {
        let all = self.actions(&ActionFilter::default()).await?;
        all.iter()
            .find(|a| a.id == id)
            .map(|a| a.version)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("待办事项 {id}"),
            })
    }
}
