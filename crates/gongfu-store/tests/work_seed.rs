//! The demo's year of zone work, seeded through the store's work API into the demo district:
//! every pilot zone gets an approved plan, a committee, meetings, action items and projects;
//! the figures the dashboard reads add up to what was generated; seeding again changes
//! nothing, and a database without the demo district is refused.

use gongfu_core::Fen;
use gongfu_core::work::Percent;
use gongfu_core::work::committee::ActionStatus;
use gongfu_core::work::plan::PlanStatus;
use gongfu_core::work::project::Origin;
use gongfu_demo::work::{DemoOrigin, DemoWork, generate_work};
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::{Store, StoreError};

/// A fresh database seeded with the demo district, and the demo's work up to today.
async fn demo_store(dir: &tempfile::TempDir) -> (Store, DemoWork) {
    let store = gongfu_store::testing::fresh_store(dir.path()).await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let d = gongfu_demo::generate(&divisions, &towns, 3);
    store.seed_demo(&towns, &divisions, &d).await.unwrap();
    // The store checks done days against its own clock: generate up to the same day.
    let work = generate_work(&divisions, &d, gongfu_store::service::today(), 3);
    (store, work)
}

#[tokio::test]
async fn the_demo_work_reaches_every_pilot_zone_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let (store, work) = demo_store(&dir).await;
    let today = work.today;
    let seeded = store.seed_demo_work(&work).await.unwrap();

    let n_projects: usize = work.zones.iter().map(|z| z.projects.len()).sum();
    let n_meetings: usize = work.zones.iter().map(|z| z.meetings.len()).sum();
    let n_actions: usize = work
        .zones
        .iter()
        .flat_map(|z| &z.meetings)
        .map(|m| m.actions.len())
        .sum();
    assert_eq!(seeded.projects, n_projects);
    assert_eq!(seeded.meetings, n_meetings);
    assert_eq!(seeded.actions, n_actions);
    assert_eq!(seeded.actors, work.actors.len());
    assert_eq!(store.actors().await.unwrap().len(), work.actors.len());

    let snap = store.snapshot().await.unwrap();
    assert_eq!(work.zones.len(), snap.zones.len());
    for zw in &work.zones {
        let zone = snap.zones.iter().find(|z| z.name == zw.zone).unwrap().id.0;

        // 一片一规划: version 1 approved, version 2 (where generated) a draft.
        let plan = store
            .plan_in_force(zone)
            .await
            .unwrap()
            .expect("approved plan");
        assert_eq!(plan.version_no, 1);
        assert_eq!(plan.content, zw.plan);
        assert_eq!(plan.approved_by.as_deref(), Some("system:demo"));
        let versions = store.zone_plans(zone).await.unwrap();
        match &zw.draft {
            Some(d) => {
                assert_eq!(versions.len(), 2);
                assert_eq!(versions[0].status, PlanStatus::Draft);
                assert_eq!(&versions[0].content, d);
            }
            None => assert_eq!(versions.len(), 1),
        }

        assert_eq!(
            store.committee(zone).await.unwrap().len(),
            zw.committee.len()
        );
        let meetings = store.meetings(Some(zone)).await.unwrap();
        assert!(!meetings.is_empty());
        assert_eq!(meetings.len(), zw.meetings.len());
        let decisions: usize = meetings.iter().map(|m| m.decisions.len()).sum();
        let generated: usize = zw.meetings.iter().map(|m| m.spec.decisions.len()).sum();
        assert_eq!(decisions, generated);

        let actions = store
            .actions(&ActionFilter {
                zone: Some(zone),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!actions.is_empty());
        let mut want: Vec<(String, ActionStatus)> = zw
            .meetings
            .iter()
            .flat_map(|m| &m.actions)
            .map(|a| (a.spec.title.clone(), a.status))
            .collect();
        let mut got: Vec<(String, ActionStatus)> = actions
            .iter()
            .map(|a| (a.title.clone(), a.status))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}", zw.zone);
        assert!(actions.iter().all(|a| a.decision.is_some()));
        assert!(
            actions
                .iter()
                .filter(|a| a.status.is_closed())
                .all(|a| a.done_on == Some(today))
        );

        let projects = store
            .projects(&ProjectFilter {
                zone: Some(zone),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(projects.len(), zw.projects.len());
        for p in &zw.projects {
            let stored = projects.iter().find(|s| s.name == p.spec.name).unwrap();
            assert_eq!(stored.status, p.status, "{}", p.spec.name);
            assert_eq!(stored.items, p.items);
            assert_eq!(stored.investment, p.spec.investment);
            assert_eq!(
                stored.progress() == Percent::FULL,
                p.status.is_complete(),
                "{}",
                p.spec.name
            );
            match (p.origin, stored.origin) {
                (Some(DemoOrigin::PlanTask(t)), Some(Origin::PlanTask(id))) => {
                    assert_eq!(plan.tasks[t].id, id)
                }
                (Some(DemoOrigin::Decision { meeting, decision }), Some(Origin::Decision(id))) => {
                    let m = meetings
                        .iter()
                        .find(|m| m.held_on == zw.meetings[meeting].spec.held_on)
                        .unwrap();
                    assert_eq!(m.decisions[decision].id, id)
                }
                (None, None) => {}
                other => panic!("{}: origin {other:?}", p.spec.name),
            }
        }
        assert!(projects.iter().any(|p| p.status.is_complete()));
        assert!(!store.zone_roles(Some(zone), None).await.unwrap().is_empty());

        // The chain: meetings with decisions, and plan tasks carried by projects.
        let timeline = store.timeline(zone).await.unwrap();
        assert!(timeline.plan.is_some());
        assert_eq!(timeline.meetings.len(), zw.meetings.len());
        assert!(timeline.tasks.iter().any(|t| !t.projects.is_empty()));
    }

    // Every milestone done is done by today.
    let milestones = store.milestones().await.unwrap();
    assert_eq!(milestones.len(), seeded.milestones);
    assert!(
        milestones
            .iter()
            .all(|m| m.done_on.is_none_or(|d| d <= today))
    );

    // Late action items and projects surface.
    let overdue = store
        .actions(&ActionFilter {
            overdue_on: Some(today),
            ..Default::default()
        })
        .await
        .unwrap();
    let late_actions = work
        .zones
        .iter()
        .flat_map(|z| &z.meetings)
        .flat_map(|m| &m.actions)
        .filter(|a| !a.status.is_closed() && a.spec.due < today)
        .count();
    assert!(late_actions >= work.zones.len());
    assert_eq!(overdue.len(), late_actions);
    let late_projects = work
        .zones
        .iter()
        .flat_map(|z| &z.projects)
        .filter(|p| p.days_late(today).is_some())
        .count();
    assert!(late_projects > 0);

    // The dashboard's figures add up to what was generated.
    let (zones, total) = store.work_summary(today).await.unwrap();
    assert_eq!(zones.len(), work.zones.len());
    assert_eq!(total.projects, n_projects);
    let complete = work
        .zones
        .iter()
        .flat_map(|z| &z.projects)
        .filter(|p| p.status.is_complete())
        .count();
    assert_eq!(total.complete, complete);
    assert!(total.completion_bp > 0 && total.completion_bp < 10_000);
    assert!(zones.iter().all(|z| z.completion_bp > 0));
    for s in 0..3 {
        let planned: Fen = work
            .zones
            .iter()
            .flat_map(|z| &z.projects)
            .map(|p| p.spec.investment.planned[s])
            .sum();
        let actual: Fen = work
            .zones
            .iter()
            .flat_map(|z| &z.projects)
            .map(|p| p.spec.investment.actual[s])
            .sum();
        assert_eq!(total.planned[s], planned);
        assert_eq!(total.actual[s], actual);
        assert_eq!(zones.iter().map(|z| z.planned[s]).sum::<Fen>(), planned);
    }
    assert!(total.actual_total() > Fen::ZERO && total.actual_total() < total.planned_total());
    assert_eq!(total.overdue_actions, late_actions);
    assert_eq!(total.overdue_projects, late_projects);
    let this_year = work
        .zones
        .iter()
        .flat_map(|z| &z.meetings)
        .filter(|m| m.spec.held_on.year() == today.year())
        .count();
    assert_eq!(total.meetings_this_year, this_year);
    assert!(this_year > 0);
    let open = work
        .zones
        .iter()
        .flat_map(|z| &z.meetings)
        .flat_map(|m| &m.actions)
        .filter(|a| !a.status.is_closed())
        .count();
    assert_eq!(total.open_actions, open);

    // Seeding again writes nothing.
    assert_eq!(
        store.seed_demo_work(&work).await.unwrap(),
        Default::default()
    );
    assert_eq!(
        store
            .projects(&ProjectFilter::default())
            .await
            .unwrap()
            .len(),
        n_projects
    );
    assert_eq!(store.actors().await.unwrap().len(), work.actors.len());
}

#[tokio::test]
async fn only_the_demo_district_takes_demo_work() {
    let dir = tempfile::tempdir().unwrap();
    let (_, work) = demo_store(&dir).await;
    let other = tempfile::tempdir().unwrap();
    let empty = gongfu_store::testing::fresh_store(other.path()).await;
    let err = empty.seed_demo_work(&work).await.unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    assert!(empty.actors().await.unwrap().is_empty());
}
