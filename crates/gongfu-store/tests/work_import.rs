//! The zone work imports (项目清单, 里程碑, 待办事项) against a real database: a dry run lists
//! every row error and writes nothing, an apply writes every row or none, a row exported at
//! an older version is refused, and nobody imports outside their own area.

use gongfu_core::VillageCode;
use gongfu_core::auth::Role;
use gongfu_core::work::committee::{ActionSpec, ActionStatus};
use gongfu_core::work::project::{MilestoneSpec, ProjectDraft, ProjectSpec, ProjectStatus};
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::import::{
    ActionImportRow, MilestoneImportRow, ProjectImportRow, WorkImportReport, col,
};
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::{Actor, Store};
use time::Duration;
use time::macros::date;

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    gongfu_store::testing::demo_store(dir.path(), 3).await
}

fn actor(id: i64, role: Role) -> Actor {
    Actor {
        name: format!("导入员{id}"),
        address: "127.0.0.1".into(),
        user_id: Some(id),
        role,
    }
}

fn admin() -> Actor {
    actor(1, Role::Admin)
}

/// A live zone within one town, and its current members.
async fn a_zone(store: &Store) -> (i64, Vec<VillageCode>) {
    let snap = store.snapshot().await.unwrap();
    let today = gongfu_store::service::today();
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

fn spec(name: &str, villages: &[VillageCode]) -> ProjectSpec {
    ProjectDraft {
        name: name.into(),
        mechanism: "产业共链".into(),
        kind: "产业发展".into(),
        lead_unit: "区农业农村局".into(),
        villages: villages
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("、"),
        planned_fiscal: "1000000".into(),
        start: "2025-03-01".into(),
        end: "2025-10-31".into(),
        ..Default::default()
    }
    .parse()
    .unwrap()
}

fn new_row(row: usize, zone: i64, spec: ProjectSpec) -> ProjectImportRow {
    ProjectImportRow {
        row,
        existing: None,
        zone,
        spec,
        status: None,
    }
}

async fn zone_projects(store: &Store, zone: i64) -> Vec<gongfu_core::work::project::Project> {
    store
        .projects(&ProjectFilter {
            zone: Some(zone),
            ..Default::default()
        })
        .await
        .unwrap()
}

fn has(report: &WorkImportReport, row: usize, column: &str) -> bool {
    report
        .errors
        .iter()
        .any(|e| e.row == row && e.column == column)
}

#[tokio::test]
async fn a_dry_run_lists_every_row_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let outsider = {
        let snap = store.snapshot().await.unwrap();
        snap.divisions
            .iter()
            .map(|d| d.division.code.clone())
            .find(|c| !members.contains(c) && c.town() != members[0].town())
            .unwrap()
    };
    let mut building = new_row(5, zone, spec("在建无开工日期", &members[..1]));
    building.spec.start = None;
    building.spec.end = None;
    building.status = Some(ProjectStatus::Building);
    let rows = vec![
        new_row(2, zone, spec("茶叶加工中心", &members[..2])),
        new_row(3, zone, spec("越界村", &[members[0].clone(), outsider])),
        new_row(4, 999_999, spec("无此片区", &[])),
        building,
        ProjectImportRow {
            existing: Some((888_888, 1)),
            ..new_row(6, zone, spec("无此项目", &[]))
        },
    ];
    let report = store.import_projects(&admin(), &rows, false).await.unwrap();
    assert!(!report.ok && !report.applied, "{report:#?}");
    assert!(has(&report, 3, col::VILLAGES), "{report:#?}");
    assert!(has(&report, 4, col::ZONE_ID), "{report:#?}");
    assert!(has(&report, 5, col::START), "{report:#?}");
    assert!(has(&report, 6, col::PROJECT_ID), "{report:#?}");
    assert!(!report.errors.iter().any(|e| e.row == 2), "{report:#?}");
    assert!(report.errors.iter().all(|e| !e.reason.is_empty()));
    assert!(zone_projects(&store, zone).await.is_empty());
    // Asked to apply, the same file still writes nothing.
    let report = store.import_projects(&admin(), &rows, true).await.unwrap();
    assert!(!report.applied && report.errors.len() >= 4);
    assert!(zone_projects(&store, zone).await.is_empty());

    // A good file: the dry run counts, and still writes nothing.
    let report = store
        .import_projects(&admin(), &rows[..1], false)
        .await
        .unwrap();
    assert!(
        report.ok && !report.applied && report.created == 1,
        "{report:#?}"
    );
    assert!(zone_projects(&store, zone).await.is_empty());
}

#[tokio::test]
async fn apply_writes_every_row_or_none_and_stale_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let rows = vec![
        new_row(2, zone, spec("茶叶加工中心", &members[..2])),
        ProjectImportRow {
            status: Some(ProjectStatus::Building),
            ..new_row(3, zone, spec("游客服务中心", &members[..1]))
        },
    ];
    let report = store.import_projects(&admin(), &rows, true).await.unwrap();
    assert!(report.ok && report.applied, "{report:#?}");
    assert_eq!((report.created, report.updated), (2, 0));
    let ps = zone_projects(&store, zone).await;
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[1].status, ProjectStatus::Building);
    let (a, b) = (ps[0].clone(), ps[1].clone());

    // Re-importing as exported changes nothing; one edited row is the only update.
    let mut edited = spec("茶叶加工中心（一期）", &members[..2]);
    edited.note = "一期工程".into();
    let rows = vec![
        ProjectImportRow {
            existing: Some((a.id, a.version)),
            status: Some(ProjectStatus::Approved),
            ..new_row(2, zone, edited.clone())
        },
        ProjectImportRow {
            existing: Some((b.id, b.version)),
            status: Some(b.status),
            ..new_row(3, zone, spec("游客服务中心", &members[..1]))
        },
    ];
    let report = store.import_projects(&admin(), &rows, true).await.unwrap();
    assert!(report.applied, "{report:#?}");
    assert_eq!((report.updated, report.unchanged), (1, 1));
    let now = store.project(a.id).await.unwrap().unwrap().project;
    assert_eq!(now.name, "茶叶加工中心（一期）");
    assert_eq!(now.status, ProjectStatus::Approved);
    assert_eq!(now.version, a.version + 1);
    assert_eq!(
        store.project(b.id).await.unwrap().unwrap().project.version,
        b.version
    );

    // The same file again: row 2 was exported before that change.
    let report = store.import_projects(&admin(), &rows, true).await.unwrap();
    assert!(!report.applied);
    let e = report
        .errors
        .iter()
        .find(|e| e.row == 2 && e.column == col::VERSION)
        .expect("stale version");
    assert_eq!(
        e.reason,
        format!(
            "该记录已被他人修改（当前版本 {}），请重新导出后再改",
            a.version + 1
        )
    );

    // One failing row (a status jump) keeps the good new row out too.
    let rows = vec![
        new_row(2, zone, spec("新的项目", &members[..1])),
        ProjectImportRow {
            existing: Some((now.id, now.version)),
            status: Some(ProjectStatus::Accepted),
            ..new_row(3, zone, edited)
        },
    ];
    let report = store.import_projects(&admin(), &rows, true).await.unwrap();
    assert!(
        !report.applied && has(&report, 3, col::STATUS),
        "{report:#?}"
    );
    assert_eq!(zone_projects(&store, zone).await.len(), 2);
}

#[tokio::test]
async fn a_town_user_imports_only_into_its_own_towns_zones() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let own = members[0].town();
    let other = {
        let snap = store.snapshot().await.unwrap();
        snap.towns
            .iter()
            .map(|t| t.code.clone())
            .find(|t| *t != own)
            .unwrap()
    };
    let rows = vec![new_row(2, zone, spec("茶叶加工中心", &members[..1]))];
    let stranger = actor(7, Role::Town { town: other });
    let report = store.import_projects(&stranger, &rows, true).await.unwrap();
    assert!(
        !report.applied && has(&report, 2, col::ZONE_ID),
        "{report:#?}"
    );
    assert!(report.errors[0].reason.contains("无权"), "{report:#?}");
    let actions = vec![ActionImportRow {
        row: 2,
        existing: None,
        zone,
        spec: ActionSpec {
            title: "报送材料".into(),
            owner_unit: "镇农办".into(),
            due: date!(2026 - 01 - 31),
        },
        status: None,
        done_on: None,
        result: String::new(),
    }];
    let report = store
        .import_actions(&stranger, &actions, true)
        .await
        .unwrap();
    assert!(
        !report.applied && has(&report, 2, col::ZONE_ID),
        "{report:#?}"
    );
    assert!(zone_projects(&store, zone).await.is_empty());

    let local = actor(8, Role::Town { town: own });
    let report = store.import_projects(&local, &rows, true).await.unwrap();
    assert!(report.applied, "{report:#?}");
    let report = store.import_actions(&local, &actions, true).await.unwrap();
    assert!(report.applied, "{report:#?}");
    // A department writes the projects it leads, not other units' projects.
    let dept = actor(
        9,
        Role::Department {
            unit: "区农业农村局".into(),
        },
    );
    let report = store.import_projects(&dept, &rows, false).await.unwrap();
    assert!(report.ok, "{report:#?}");
    let mut theirs = rows.clone();
    theirs[0].spec.lead_unit = "区文旅局".into();
    let report = store.import_projects(&dept, &theirs, false).await.unwrap();
    assert!(has(&report, 2, col::ZONE_ID), "{report:#?}");
}

#[tokio::test]
async fn milestones_and_action_items_are_checked_and_written_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (zone, members) = a_zone(&store).await;
    let today = gongfu_store::service::today();
    store
        .import_projects(
            &admin(),
            &[new_row(2, zone, spec("茶叶加工中心", &members[..1]))],
            true,
        )
        .await
        .unwrap();
    let p = zone_projects(&store, zone).await[0].clone();
    let ms = |row, name: &str, done_on| MilestoneImportRow {
        row,
        existing: None,
        project: p.id,
        spec: MilestoneSpec {
            name: name.into(),
            due: date!(2025 - 06 - 30),
            done_on,
            note: String::new(),
        },
    };
    let rows = vec![
        ms(2, "完成施工招标", Some(date!(2025 - 05 - 01))),
        ms(3, "主体完工", Some(today + Duration::days(3))),
        MilestoneImportRow {
            project: 777_777,
            ..ms(4, "无此项目", None)
        },
    ];
    let report = store
        .import_milestones(&admin(), &rows, true)
        .await
        .unwrap();
    assert!(!report.applied, "{report:#?}");
    assert!(has(&report, 3, col::DONE_ON) && has(&report, 4, col::PROJECT_ID));
    assert!(store.milestones().await.unwrap().is_empty());
    let report = store
        .import_milestones(&admin(), &rows[..1], true)
        .await
        .unwrap();
    assert!(report.applied && report.created == 1, "{report:#?}");
    let m = store.milestones().await.unwrap()[0].clone();
    let mut change = ms(2, "完成施工招标", None);
    change.existing = Some((m.id, m.version));
    change.spec.note = "推迟".into();
    let report = store
        .import_milestones(&admin(), &[change.clone()], true)
        .await
        .unwrap();
    assert!(report.applied && report.updated == 1, "{report:#?}");
    let report = store
        .import_milestones(&admin(), &[change], false)
        .await
        .unwrap();
    assert!(has(&report, 2, col::VERSION), "{report:#?}");

    // Action items: a closed new item keeps its day; closing needs a result; a closed item
    // is not changed any more.
    let item = |row, title: &str| ActionImportRow {
        row,
        existing: None,
        zone,
        spec: ActionSpec {
            title: title.into(),
            owner_unit: "镇农办".into(),
            due: date!(2025 - 09 - 30),
        },
        status: None,
        done_on: None,
        result: String::new(),
    };
    let rows = vec![
        item(2, "报送用地预审材料"),
        ActionImportRow {
            status: Some(ActionStatus::Done),
            done_on: Some(date!(2025 - 09 - 01)),
            result: "已报送".into(),
            ..item(3, "组织村民代表会议")
        },
    ];
    let report = store.import_actions(&admin(), &rows, true).await.unwrap();
    assert!(report.applied && report.created == 2, "{report:#?}");
    let all = store
        .actions(&ActionFilter {
            zone: Some(zone),
            ..Default::default()
        })
        .await
        .unwrap();
    let open = all.iter().find(|a| a.title == "报送用地预审材料").unwrap();
    let done = all.iter().find(|a| a.title == "组织村民代表会议").unwrap();
    assert_eq!(done.done_on, Some(date!(2025 - 09 - 01)));
    let rows = vec![
        ActionImportRow {
            existing: Some((open.id, open.version)),
            status: Some(ActionStatus::Done),
            ..item(2, "报送用地预审材料")
        },
        ActionImportRow {
            existing: Some((done.id, done.version)),
            status: Some(ActionStatus::Done),
            done_on: done.done_on,
            result: "已报送".into(),
            ..item(3, "组织村民代表会议（改）")
        },
    ];
    let report = store.import_actions(&admin(), &rows, true).await.unwrap();
    assert!(!report.applied, "{report:#?}");
    assert!(has(&report, 2, col::RESULT) && has(&report, 3, col::STATUS));
    let mut rows = rows;
    rows[0].result = "材料已报送".into();
    rows[1].spec.title = "组织村民代表会议".into();
    let report = store.import_actions(&admin(), &rows, true).await.unwrap();
    assert!(report.applied, "{report:#?}");
    assert_eq!((report.updated, report.unchanged), (1, 1));
    let now = store.action(open.id).await.unwrap().unwrap();
    assert_eq!(now.status, ActionStatus::Done);
    assert_eq!(now.done_on, Some(today));
    assert_eq!(now.result, "材料已报送");
}
