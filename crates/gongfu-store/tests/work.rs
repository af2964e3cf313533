//! Zone work against a real database (SQLite, or PostgreSQL under the test script): the plan's
//! approval flow, projects along their status flow with roll-up and milestones, meetings whose
//! decisions become action items seen and closed by their owner, actors, evidence files, the
//! summaries — each with who may do it, and stale saves refused.

use gongfu_core::auth::Role;
use gongfu_core::work::Percent;
use gongfu_core::work::actor::ActorDraft;
use gongfu_core::work::committee::{ActionDraft, ActionStatus, MeetingDraft, MemberDraft};
use gongfu_core::work::plan::{PlanDraft, PlanStatus, PlanStep};
use gongfu_core::work::project::{MilestoneDraft, Origin, ProjectDraft, ProjectStatus, SubItem};
use gongfu_core::{VillageCode, ZoneId};
use gongfu_store::work::attachments::Owner;
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::{Actor, Store, StoreError};
use time::macros::date;

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    gongfu_store::testing::demo_store(dir.path(), 3).await
}

fn actor_with(id: i64, role: Role) -> Actor {
    Actor {
        name: format!("测试员{id}"),
        address: "127.0.0.1".into(),
        user_id: Some(id),
        role,
    }
}

fn admin() -> Actor {
    actor_with(1, Role::Admin)
}

/// The first live zone and its current members.
async fn a_zone(store: &Store) -> (i64, Vec<VillageCode>) {
    let snap = store.snapshot().await.unwrap();
    let today = gongfu_store::service::today();
    // A zone within one town, so a town user can manage it.
    let z = snap
        .zones
        .iter()
        .find(|z| {
            z.is_live_on(today)
                && snap
                    .members(z.id, today)
                    .iter()
                    .all(|m| m.village.town() == z.key_village.town())
        })
        .unwrap();
    let members = snap
        .members(z.id, today)
        .iter()
        .map(|m| m.village.clone())
        .collect();
    (z.id.0, members)
}

fn invalid_fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|e| e.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn project_draft(villages: &[VillageCode]) -> ProjectDraft {
    ProjectDraft {
        name: "茶叶加工中心".into(),
        mechanism: "产业共链".into(),
        kind: "产业发展".into(),
        lead_unit: "区农业农村局".into(),
        villages: villages
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("、"),
        planned_fiscal: "1000000".into(),
        planned_collective: "200000".into(),
        actual_fiscal: "400000".into(),
        start: "2025-03-01".into(),
        end: "2025-10-31".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn plan_versions_move_through_review_to_approval() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, _) = a_zone(&store).await;
    let id = store.new_plan_version(&admin(), zone).await.unwrap();
    // One version in the making at a time.
    assert!(store.new_plan_version(&admin(), zone).await.is_err());
    let p = store.zone_plan(id).await.unwrap().unwrap();
    assert_eq!((p.version_no, p.status), (1, PlanStatus::Draft));
    // An empty plan cannot go to review: every missing section is named.
    let e = store
        .plan_step(&admin(), id, p.version, PlanStep::Submit)
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(e),
        [
            "positioning",
            "spatial_structure",
            "industry_layout",
            "operation_model",
            "land_use",
            "tasks"
        ]
    );
    let content = PlanDraft {
        positioning: "以茶旅融合为主导的共富片区".into(),
        spatial_structure: "一核两带三区".into(),
        industry_layout: "茶叶种植、加工、茶旅体验".into(),
        land_use: "320.5".into(),
        reserved_quota: "16".into(),
        tasks: "1. 建设茶叶加工中心\n2. 提升茶园道路".into(),
        operation_model: "强村公司+运营团队".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    store
        .save_plan(&admin(), id, p.version, &content)
        .await
        .unwrap();
    // A stale save is refused.
    let e = store
        .save_plan(&admin(), id, p.version, &content)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    let town = actor_with(
        7,
        Role::Town {
            town: store
                .snapshot()
                .await
                .unwrap()
                .zone(ZoneId(zone))
                .unwrap()
                .key_village
                .town(),
        },
    );
    store
        .plan_step(&town, id, p.version + 1, PlanStep::Submit)
        .await
        .unwrap();
    // Approval is the district's.
    let e = store
        .plan_step(&town, id, p.version + 2, PlanStep::Approve)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    store
        .plan_step(&admin(), id, p.version + 2, PlanStep::Approve)
        .await
        .unwrap();
    let approved = store.plan_in_force(zone).await.unwrap().unwrap();
    assert_eq!(approved.id, id);
    assert_eq!(approved.tasks.len(), 2);
    // An approved plan is not edited; a new version is, and approving it supersedes the first.
    assert!(
        store
            .save_plan(&admin(), id, approved.version, &content)
            .await
            .is_err()
    );
    let v2 = store.new_plan_version(&admin(), zone).await.unwrap();
    let d2 = store.zone_plan(v2).await.unwrap().unwrap();
    assert_eq!(
        d2.content, approved.content,
        "a new version starts from the last one"
    );
    store
        .plan_step(&admin(), v2, d2.version, PlanStep::Submit)
        .await
        .unwrap();
    store
        .plan_step(&admin(), v2, d2.version + 1, PlanStep::Approve)
        .await
        .unwrap();
    let all = store.zone_plans(zone).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|p| (p.version_no, p.status))
            .collect::<Vec<_>>(),
        [(2, PlanStatus::Approved), (1, PlanStatus::Superseded)]
    );
}

#[tokio::test]
async fn projects_follow_their_flow_and_roll_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let spec = project_draft(&members[..2]).parse().unwrap();
    // A village outside the zone is refused by name.
    let mut outside = project_draft(&members[..1]);
    let snap = store.snapshot().await.unwrap();
    let stranger = snap
        .divisions
        .iter()
        .map(|d| d.division.code.clone())
        .find(|c| {
            snap.membership_of(c, gongfu_store::service::today())
                .is_none()
                && !members.contains(c)
        })
        .unwrap();
    outside.villages = stranger.to_string();
    let e = store
        .create_project(
            &admin(),
            zone,
            &outside.parse().unwrap(),
            ProjectStatus::Conceived,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["villages"]);
    // A village user may not register projects.
    let village = actor_with(
        9,
        Role::Village {
            village: members[0].clone(),
        },
    );
    let e = store
        .create_project(&village, zone, &spec, ProjectStatus::Conceived, None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    // The leading department may.
    let dept = actor_with(
        8,
        Role::Department {
            unit: "区农业农村局".into(),
        },
    );
    let id = store
        .create_project(&dept, zone, &spec, ProjectStatus::Conceived, None)
        .await
        .unwrap();
    let p = store.project(id).await.unwrap().unwrap().project;
    assert_eq!(p.investment.planned_total().0, 120_000_000);
    // Skipping a step is refused with the allowed next step.
    let e = store
        .move_project(&admin(), id, p.version, ProjectStatus::Building)
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["status"]);
    store
        .move_project(&admin(), id, p.version, ProjectStatus::Approved)
        .await
        .unwrap();
    store
        .move_project(&admin(), id, p.version + 1, ProjectStatus::Building)
        .await
        .unwrap();
    let items = vec![
        SubItem {
            name: "厂房".into(),
            weight: 3,
            progress: Percent::new(100, "p").unwrap(),
        },
        SubItem {
            name: "设备".into(),
            weight: 1,
            progress: Percent::new(40, "p").unwrap(),
        },
    ];
    store
        .set_project_items(&admin(), id, p.version + 2, &items)
        .await
        .unwrap();
    let detail = store.project(id).await.unwrap().unwrap();
    assert_eq!(detail.project.progress().get(), 85, "(3×100 + 1×40) / 4");
    let m = MilestoneDraft {
        name: "设备进场".into(),
        due: "2025-08-01".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let mid = store.add_milestone(&admin(), id, &m).await.unwrap();
    // Not complete while a sub-item or a milestone is open.
    let v = detail.project.version;
    let e = store
        .move_project(&admin(), id, v, ProjectStatus::Completed)
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["items"]);
    let done_items: Vec<SubItem> = items
        .iter()
        .map(|i| SubItem {
            progress: Percent::FULL,
            ..i.clone()
        })
        .collect();
    store
        .set_project_items(&admin(), id, v, &done_items)
        .await
        .unwrap();
    let e = store
        .move_project(&admin(), id, v + 1, ProjectStatus::Completed)
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["milestones"]);
    let done = MilestoneDraft {
        name: "设备进场".into(),
        due: "2025-08-01".into(),
        done_on: "2025-07-30".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    store
        .update_milestone(&admin(), mid, 1, &done)
        .await
        .unwrap();
    store
        .move_project(&admin(), id, v + 1, ProjectStatus::Completed)
        .await
        .unwrap();
    // Overdue filter: the project ends 2025-10-31 and is complete, so not overdue.
    let overdue = store
        .projects(&ProjectFilter {
            overdue_on: Some(date!(2025 - 12 - 01)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(overdue.iter().all(|p| p.id != id));
    let (zones, total) = store.work_summary(date!(2025 - 12 - 01)).await.unwrap();
    let z = zones.iter().find(|w| w.zone == zone).unwrap();
    assert_eq!((z.projects, z.complete, z.completion_bp), (1, 1, 10_000));
    assert_eq!(total.planned[0].0, 100_000_000);
}

#[tokio::test]
async fn a_decision_becomes_an_action_its_owner_closes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let member = MemberDraft {
        person: "王五".into(),
        unit: "某镇人民政府".into(),
        role: "牵头领导".into(),
        title: "主任".into(),
    }
    .parse()
    .unwrap();
    store
        .add_committee_member(&admin(), zone, &member)
        .await
        .unwrap();
    assert_eq!(store.committee(zone).await.unwrap().len(), 1);
    let today = gongfu_store::service::today();
    let spec = MeetingDraft {
        held_on: "2025-06-09".into(),
        title: "片区第二次工作推进会".into(),
        attendees: "王五（镇政府）\n李四（区农业农村局）".into(),
        decisions: "1. 启动加工中心选址\n2. 成立片区运营公司".into(),
        ..Default::default()
    }
    .parse(today)
    .unwrap();
    let mid = store.record_meeting(&admin(), zone, &spec).await.unwrap();
    let meeting = store.meeting(mid).await.unwrap().unwrap();
    assert_eq!(meeting.decisions.len(), 2);
    let owner_role = Role::Village {
        village: members[0].clone(),
    };
    let uid = store
        .create_user(
            &admin(),
            "cunganbu",
            "村干部",
            &owner_role,
            "Zhejiang-2025-secure",
        )
        .await
        .unwrap();
    let owner = actor_with(uid, owner_role);
    let action = ActionDraft {
        title: "完成选址比选报告".into(),
        owner_unit: "某村村委会".into(),
        due: "2025-07-15".into(),
    }
    .parse()
    .unwrap();
    let aid = store
        .create_action(
            &admin(),
            zone,
            Some(meeting.decisions[0].id),
            &action,
            Some(uid),
        )
        .await
        .unwrap();
    // The owner's list, and the overdue list.
    let mine = store
        .actions(&ActionFilter {
            owner_user: Some(uid),
            open_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|a| a.id).collect::<Vec<_>>(), [aid]);
    let late = store
        .actions(&ActionFilter {
            overdue_on: Some(date!(2025 - 07 - 16)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(late.iter().any(|a| a.id == aid));
    // Someone else's village user may not touch it; the owner may, and must say what was done.
    let other = actor_with(
        2,
        Role::Village {
            village: members[1].clone(),
        },
    );
    let e = store
        .set_action_status(&other, aid, 1, ActionStatus::Done, "x")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    let e = store
        .set_action_status(&owner, aid, 1, ActionStatus::Done, "")
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["result"]);
    store
        .set_action_status(&owner, aid, 1, ActionStatus::Done, "报告已报镇党委")
        .await
        .unwrap();
    let a = store.action(aid).await.unwrap().unwrap();
    assert_eq!((a.status, a.done_on), (ActionStatus::Done, Some(today)));
    // The decision now carries out an action: its text stays, the rest of the record may change.
    let mut changed = spec.clone();
    changed.decisions[0] = "另议".into();
    let e = store
        .update_meeting(&admin(), mid, 1, &changed)
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["decisions"]);
    let mut fixed = spec.clone();
    fixed.minutes = "会议纪要（补记）".into();
    fixed.decisions.push("统一片区品牌包装".into());
    store
        .update_meeting(&admin(), mid, 1, &fixed)
        .await
        .unwrap();
    assert_eq!(
        store.meeting(mid).await.unwrap().unwrap().decisions.len(),
        3
    );
    // A project from the second decision, and the chain shows it all.
    let p = project_draft(&members[..1]).parse().unwrap();
    let pid = store
        .create_project(
            &admin(),
            zone,
            &p,
            ProjectStatus::Conceived,
            Some(Origin::Decision(meeting.decisions[1].id)),
        )
        .await
        .unwrap();
    let t = store.timeline(zone).await.unwrap();
    let chain = t.meetings.iter().find(|m| m.meeting.id == mid).unwrap();
    assert_eq!(chain.decisions[0].actions[0].id, aid);
    assert_eq!(chain.decisions[1].projects[0].project.id, pid);
    // A decision of another zone cannot be an origin.
    let snap = store.snapshot().await.unwrap();
    let other_zone = snap
        .zones
        .iter()
        .find(|z| z.id.0 != zone && z.is_live_on(today))
        .unwrap()
        .id
        .0;
    let e = store
        .create_action(
            &admin(),
            other_zone,
            Some(meeting.decisions[0].id),
            &action,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["decision"]);
}

#[tokio::test]
async fn actors_are_unique_by_credit_code_and_files_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, _) = a_zone(&store).await;
    let spec = ActorDraft {
        name: "绍兴市柯桥区某茶业有限公司".into(),
        kind: "企业".into(),
        credit_code: "91330100716105852F".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let id = store.create_actor(&admin(), &spec).await.unwrap();
    let e = store.create_actor(&admin(), &spec).await.unwrap_err();
    assert_eq!(invalid_fields(e), ["credit_code"]);
    store
        .set_zone_role(&admin(), zone, id, Some("产业龙头"))
        .await
        .unwrap();
    assert_eq!(
        store.zone_roles(Some(zone), None).await.unwrap()[0].role,
        "产业龙头"
    );
    let viewer = actor_with(3, Role::Viewer);
    assert!(matches!(
        store.create_actor(&viewer, &spec).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
    // Evidence: a renamed executable is refused; a PDF is stored and comes back intact.
    let mid = store
        .record_meeting(
            &admin(),
            zone,
            &MeetingDraft {
                held_on: "2025-01-10".into(),
                title: "推进会".into(),
                attendees: "甲".into(),
                ..Default::default()
            }
            .parse(gongfu_store::service::today())
            .unwrap(),
        )
        .await
        .unwrap();
    let e = store
        .attach(&admin(), Owner::Meeting(mid), "纪要.pdf", b"MZ\x90\x00")
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), ["file"]);
    let pdf = b"%PDF-1.4 minutes".to_vec();
    let aid = store
        .attach(&admin(), Owner::Meeting(mid), "纪要.pdf", &pdf)
        .await
        .unwrap();
    let (meta, bytes) = store.attachment(aid).await.unwrap().unwrap();
    assert_eq!((meta.file_name.as_str(), bytes), ("纪要.pdf", pdf));
    assert_eq!(
        store.attachments(Owner::Meeting(mid)).await.unwrap().len(),
        1
    );
}
