//! The write path against a real SQLite database: all-or-nothing, optimistic locking, the
//! audit log, the demo guard, and the membership invariant under random edits.

use gongfu_core::village::{DivisionKind, YearlyFigures};
use gongfu_core::{DataYear, Fen, VillageCode, ZoneId};
use gongfu_store::seed::SeedOutcome;
use gongfu_store::service::ZoneInput;
use gongfu_store::{Actor, Store, StoreError};
use proptest::prelude::*;
use sqlx::Row;
use time::Date;
use time::macros::date;

fn inputs() -> (Vec<gongfu_demo::TownCentre>, Vec<gongfu_demo::DivisionRow>) {
    (
        gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap(),
        gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap(),
    )
}

/// A fresh database (SQLite file, or PostgreSQL when the test script provides one) seeded
/// with the demo district. The temp dir must outlive the store.
async fn demo_store(dir: &tempfile::TempDir) -> Store {
    let store = gongfu_store::testing::fresh_store(dir.path()).await;
    let (towns, divisions) = inputs();
    let d = gongfu_demo::generate(&divisions, &towns, 3);
    store.seed_demo(&towns, &divisions, &d).await.unwrap();
    store
}

fn actor() -> Actor {
    Actor {
        name: "测试员".into(),
        address: "127.0.0.1".into(),
        user_id: Some(1),
        role: gongfu_core::auth::Role::Admin,
    }
}

async fn audit_count(store: &Store) -> i64 {
    sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

/// Free villages with their town codes.
async fn free_villages(store: &Store, day: Date) -> Vec<(String, String)> {
    let snap = store.snapshot().await.unwrap();
    snap.coverage(day)
        .uncovered
        .iter()
        .map(|u| (u.code.to_string(), u.town_code.to_string()))
        .collect()
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_holds_other_data_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = gongfu_store::testing::fresh_store(dir.path()).await;
    let (towns, divisions) = inputs();
    store
        .load_registry(&actor(), &towns, &divisions)
        .await
        .unwrap();
    let generation = store.generation().await.unwrap();
    let d = gongfu_demo::generate(&divisions, &towns, 1);
    let err = store.seed_demo(&towns, &divisions, &d).await.unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(store.generation().await.unwrap(), generation);
    let snap = store.snapshot().await.unwrap();
    assert!(!snap.is_demo);
    assert!(snap.zones.is_empty());
}

#[tokio::test]
async fn seeding_the_demo_twice_is_harmless_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let (towns, divisions) = inputs();
    let d = gongfu_demo::generate(&divisions, &towns, 3);
    assert_eq!(
        store.seed_demo(&towns, &divisions, &d).await.unwrap(),
        SeedOutcome::AlreadyDemo
    );
    drop(store);
    let again = match gongfu_store::testing::postgres_url() {
        Some(_) => return, // reopening a file is a SQLite matter
        None => Store::open(dir.path().join("test.db").to_str().unwrap())
            .await
            .unwrap(),
    };
    let snap = again.snapshot().await.unwrap();
    assert_eq!(snap.divisions.len(), 341);
    assert_eq!(snap.zones.len(), 8);
}

#[tokio::test]
async fn an_import_with_bad_rows_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let good = snap
        .divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Village)
        .unwrap()
        .division
        .code
        .clone();
    let before = snap.figures(&good, 2025).unwrap().clone();
    let mut changed = before.clone();
    changed.operating_income = Fen(123_456_789);
    let mut bad = before.clone();
    bad.households = bad.population + 1;
    let rows = vec![
        (good.clone(), changed),
        (VillageCode::parse("330603999999").unwrap(), before.clone()),
        (good.clone(), bad),
    ];
    let audits = audit_count(&store).await;
    match store.import_years(&actor(), &rows, "test").await {
        Err(StoreError::Invalid(errors)) => {
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert!(errors[0].field.starts_with("rows[1]"));
            assert!(errors[1].field.starts_with("rows[2]"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.figures(&good, 2025).unwrap(), &before);
    assert_eq!(audit_count(&store).await, audits);
}

#[tokio::test]
async fn a_good_import_upserts_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let code = snap
        .divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Village)
        .unwrap()
        .division
        .code
        .clone();
    let f = YearlyFigures {
        year: DataYear::new(2026).unwrap(),
        population: 2000,
        households: 700,
        operating_income: Fen::from_yuan(1_000_000),
        disposable_income: Fen::from_yuan(60_000),
        area_km2: 2.5,
    };
    let audits = audit_count(&store).await;
    store
        .import_years(&actor(), &[(code.clone(), f.clone())], "test")
        .await
        .unwrap();
    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.figures(&code, 2026), Some(&f));
    assert_eq!(snap.latest_year(), Some(2026));
    assert_eq!(audit_count(&store).await, audits + 1);
}

#[tokio::test]
async fn two_editors_of_one_zone_cannot_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let z = snap.zones[0].clone();
    let day = date!(2025 - 06 - 30);
    let villages: Vec<String> = snap
        .members(z.id, day)
        .iter()
        .map(|m| m.village.to_string())
        .collect();
    let input = |name: &str| ZoneInput {
        name: name.into(),
        key_village: z.key_village.to_string(),
        villages: villages.clone(),
        ..Default::default()
    };
    let (who, first, second) = (actor(), input("甲的名字"), input("乙的名字"));
    let (a, b) = tokio::join!(
        store.update_zone(&who, z.id, z.version, &first, day),
        store.update_zone(&who, z.id, z.version, &second, day),
    );
    let oks = [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(oks, 1, "exactly one editor wins: {a:?} {b:?}");
    let loser = if a.is_err() { a } else { b };
    assert!(matches!(loser, Err(StoreError::Conflict { .. })));
    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.zone(z.id).unwrap().version, z.version + 1);
}

#[tokio::test]
async fn every_write_leaves_who_what_and_the_before_and_after_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let day = date!(2025 - 06 - 30);
    let free = free_villages(&store, day).await;
    let town = &free[0].1;
    let picks: Vec<String> = free
        .iter()
        .filter(|(_, t)| t == town)
        .take(2)
        .map(|(c, _)| c.clone())
        .collect();
    let input = ZoneInput {
        name: "审计测试片区".into(),
        key_village: picks[0].clone(),
        villages: picks.clone(),
        ..Default::default()
    };
    let id = store.create_zone(&actor(), &input, day).await.unwrap();
    let snap = store.snapshot().await.unwrap();
    store
        .dissolve_zone(&actor(), id, snap.zone(id).unwrap().version, day)
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT actor, address, action, entity, entity_id, before_json, after_json FROM audit_log WHERE entity = 'zone' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get::<String, _>("action"), "create");
    assert_eq!(rows[0].get::<String, _>("actor"), "测试员");
    assert_eq!(rows[0].get::<String, _>("address"), "127.0.0.1");
    assert!(
        rows[0]
            .get::<String, _>("after_json")
            .contains("审计测试片区")
    );
    assert_eq!(rows[1].get::<String, _>("action"), "dissolve");
    assert!(rows[1].get::<String, _>("before_json").contains(&picks[1]));
}

#[tokio::test]
async fn a_village_cannot_be_merged_while_it_is_in_a_zone() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let day = date!(2025 - 06 - 30);
    let member = snap.members(snap.zones[0].id, day)[1].village.clone();
    let other = snap
        .divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Village && d.division.code != member)
        .unwrap()
        .division
        .code
        .clone();
    let status = gongfu_core::village::VillageStatus::Merged {
        from: day,
        into: other,
    };
    let version = snap.division(&member).unwrap().version;
    match store
        .set_village_status(&actor(), member.as_str(), version, status)
        .await
        .unwrap_err()
    {
        StoreError::Invalid(e) => assert_eq!(e[0].code, "still_member"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_withdrawn_village_leaves_the_coverage_count_from_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let day = date!(2025 - 06 - 30);
    let free = free_villages(&store, day).await;
    let before = store.snapshot().await.unwrap().coverage(day).total;
    let status = gongfu_core::village::VillageStatus::Withdrawn {
        from: date!(2025 - 01 - 01),
    };
    let code = VillageCode::parse(&free[0].0).unwrap();
    let version = store
        .snapshot()
        .await
        .unwrap()
        .division(&code)
        .unwrap()
        .version;
    // A stale copy is refused and changes nothing.
    assert!(matches!(
        store
            .set_village_status(&actor(), &free[0].0, version - 1, status.clone())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.snapshot().await.unwrap().coverage(day).total, before);
    store
        .set_village_status(&actor(), &free[0].0, version, status)
        .await
        .unwrap();
    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.division(&code).unwrap().version, version + 1);
    assert_eq!(snap.coverage(day).total, before - 1);
    assert_eq!(snap.coverage(date!(2024 - 12 - 31)).total, before);
}

/// Everything a snapshot answers from, as text, to compare two snapshots.
fn fingerprint(snap: &gongfu_store::Snapshot) -> String {
    let years: Vec<_> = snap
        .divisions
        .iter()
        .map(|d| snap.years(&d.division.code))
        .collect();
    let versions: Vec<i64> = snap
        .targets
        .iter()
        .map(|t| snap.target_version(t.year, t.metric))
        .collect();
    let infra: Vec<_> = snap
        .divisions
        .iter()
        .map(|d| snap.infra_of(&d.division.code))
        .collect();
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {} {} {:?} {:?} {:?}",
        snap.generation,
        snap.towns,
        snap.divisions,
        years,
        snap.zones,
        snap.memberships,
        snap.designations,
        snap.targets,
        versions,
        snap.weak_rule.income_below.0,
        snap.weak_rule_version,
        snap.latest_year(),
        snap.facilities,
        infra,
    )
}

/// The database as it is now, loaded from scratch (not the store's cached snapshot).
async fn reloaded(store: &Store) -> gongfu_store::Snapshot {
    let generation = store.generation().await.unwrap();
    gongfu_store::Snapshot::load(store.pool(), generation)
        .await
        .unwrap()
}

/// After every kind of write the store patches its cached snapshot instead of reloading
/// it; the patched snapshot must equal a fresh load of the database.
#[tokio::test]
async fn after_every_kind_of_write_the_cached_snapshot_equals_a_fresh_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let day = date!(2025 - 06 - 30);
    let check = async |store: &Store, what: &str| {
        let cached = store.snapshot().await.unwrap();
        assert_eq!(
            fingerprint(&cached),
            fingerprint(&reloaded(store).await),
            "after {what}"
        );
    };
    let snap = store.snapshot().await.unwrap();
    let generation = snap.generation;
    let free = free_villages(&store, day).await;
    let code = VillageCode::parse(&free[0].0).unwrap();
    let v = snap.division(&code).unwrap().version;
    store
        .set_village_tags(&actor(), code.as_str(), v, "茶叶,民宿")
        .await
        .unwrap();
    let patched = store.snapshot().await.unwrap();
    assert_eq!(patched.generation, generation + 1);
    assert_eq!(patched.division(&code).unwrap().tags, ["茶叶", "民宿"]);
    check(&store, "tags").await;
    store
        .set_village_status(
            &actor(),
            code.as_str(),
            v + 1,
            gongfu_core::village::VillageStatus::Withdrawn {
                from: date!(2025 - 01 - 01),
            },
        )
        .await
        .unwrap();
    check(&store, "status").await;
    let figures = YearlyFigures {
        year: DataYear::new(2026).unwrap(),
        population: 1234,
        households: 400,
        operating_income: Fen(99_000_000),
        disposable_income: Fen(4_500_000),
        area_km2: 3.5,
    };
    let second = VillageCode::parse(&free[1].0).unwrap();
    store
        .import_years(&actor(), &[(second.clone(), figures)], "测试.xlsx")
        .await
        .unwrap();
    assert_eq!(store.snapshot().await.unwrap().latest_year(), Some(2026));
    check(&store, "years").await;
    let z = snap.zones[0].clone();
    store
        .set_designation(
            &actor(),
            z.id,
            2026,
            gongfu_core::zone::Tier::District,
            gongfu_core::zone::DesignationStatus::Applied,
        )
        .await
        .unwrap();
    check(&store, "designation").await;
    store
        .move_village(&actor(), second.as_str(), Some(z.id), day)
        .await
        .unwrap();
    check(&store, "move").await;
    store
        .set_weak_threshold(&actor(), Fen(90_000_000), 0)
        .await
        .unwrap();
    check(&store, "weak threshold").await;
    let t = gongfu_core::targets::Target {
        year: 2030,
        metric: gongfu_core::targets::Metric::DistrictZonesCumulative,
        value: 12,
        note: "远景".into(),
    };
    store.set_target(&actor(), &t, 0).await.unwrap();
    check(&store, "target").await;
    let draft = gongfu_core::facilities::FacilityDraft {
        kind: "养老服务".into(),
        name: "快照测试照料中心".into(),
        village_code: second.to_string(),
        capacity: Some(20),
        upkeep_unit: "测试村股份经济合作社".into(),
        ..Default::default()
    };
    let id = store
        .create_facility(&actor(), &draft.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        store.snapshot().await.unwrap().facility(id).unwrap().name,
        "快照测试照料中心"
    );
    check(&store, "facility created").await;
    store
        .set_facility_status(
            &actor(),
            id,
            1,
            gongfu_core::facilities::FacilityStatus::Building,
        )
        .await
        .unwrap();
    check(&store, "facility status").await;
    let gas = gongfu_core::facilities::InfraItem::Gas;
    let v = store
        .snapshot()
        .await
        .unwrap()
        .infra_of(&second)
        .iter()
        .find(|r| r.item == gas)
        .map_or(0, |r| r.version);
    store
        .set_infra(
            &actor(),
            &second,
            gas,
            gongfu_core::facilities::Compliance::NonCompliant,
            "管道燃气未通",
            v,
        )
        .await
        .unwrap();
    check(&store, "infra").await;
    // A write from another handle moves the generation past what this cache knows: the
    // next read notices and reloads.
    let other = store.open_again().await.unwrap();
    let z2 = other.snapshot().await.unwrap().zones[1].clone();
    other
        .dissolve_zone(&actor(), z2.id, z2.version, day)
        .await
        .unwrap();
    check(&store, "a write through another handle").await;
    assert!(
        store
            .snapshot()
            .await
            .unwrap()
            .zone(z2.id)
            .unwrap()
            .dissolved_on
            .is_some()
    );
}

/// Targets and the weak-village threshold carry versions: a stale save is a conflict and
/// changes nothing.
#[tokio::test]
async fn stale_targets_and_thresholds_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let t = snap.targets[0].clone();
    let v = snap.target_version(t.year, t.metric);
    assert!(v >= 1);
    let mut mine = t.clone();
    mine.value += 1;
    store.set_target(&actor(), &mine, v).await.unwrap();
    let mut theirs = t.clone();
    theirs.value += 5;
    // Saved over the version both read: refused, the first save stays.
    assert!(matches!(
        store.set_target(&actor(), &theirs, v).await,
        Err(StoreError::Conflict { current, .. }) if current == v + 1
    ));
    // "New" (version 0) for a target that exists is a conflict too.
    assert!(matches!(
        store.set_target(&actor(), &theirs, 0).await,
        Err(StoreError::Conflict { .. })
    ));
    let now = store.snapshot().await.unwrap();
    let saved = now
        .targets
        .iter()
        .find(|x| x.year == t.year && x.metric == t.metric)
        .unwrap();
    assert_eq!(saved.value, t.value + 1);
    assert_eq!(now.target_version(t.year, t.metric), v + 1);

    let wv = now.weak_rule_version;
    store
        .set_weak_threshold(&actor(), Fen(70_000_000), wv)
        .await
        .unwrap();
    assert!(matches!(
        store.set_weak_threshold(&actor(), Fen(1), wv).await,
        Err(StoreError::Conflict { .. })
    ));
    let after = store.snapshot().await.unwrap();
    assert_eq!(after.weak_rule.income_below, Fen(70_000_000));
    assert_eq!(after.weak_rule_version, wv + 1);
}

#[derive(Debug, Clone)]
enum Op {
    Create { town: usize, size: usize },
    Edit { zone: usize, add: usize, drop: bool },
    Move { from_zone: usize, to_zone: usize },
    Dissolve { zone: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..16, 2usize..5).prop_map(|(town, size)| Op::Create { town, size }),
        (0usize..8, 0usize..3, any::<bool>()).prop_map(|(zone, add, drop)| Op::Edit {
            zone,
            add,
            drop
        }),
        (0usize..8, 0usize..8).prop_map(|(from_zone, to_zone)| Op::Move { from_zone, to_zone }),
        (0usize..8).prop_map(|zone| Op::Dissolve { zone }),
    ]
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    if v.is_empty() {
        None
    } else {
        Some(v[i % v.len()])
    }
}

async fn run_ops(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let mut day = date!(2025 - 01 - 01);
    for (n, op) in ops.into_iter().enumerate() {
        day = day.next_day().unwrap();
        let snap = store.snapshot().await.unwrap();
        let live: Vec<ZoneId> = snap
            .zones
            .iter()
            .filter(|z| z.dissolved_on.is_none())
            .map(|z| z.id)
            .collect();
        // Any outcome is allowed (validation may refuse); the invariants must hold after it.
        let _ = match op {
            Op::Create { town, size } => {
                let free = free_villages(&store, day).await;
                let Some((_, t)) = free.get(town % free.len().max(1)).cloned() else {
                    continue;
                };
                let picks: Vec<String> = free
                    .iter()
                    .filter(|(_, x)| *x == t)
                    .take(size)
                    .map(|(c, _)| c.clone())
                    .collect();
                let input = ZoneInput {
                    name: format!("随机片区{n}"),
                    key_village: picks[0].clone(),
                    villages: picks,
                    ..Default::default()
                };
                store.create_zone(&actor(), &input, day).await.map(|_| ())
            }
            Op::Edit { zone, add, drop } => {
                let Some(id) = pick(&live, zone) else {
                    continue;
                };
                let z = snap.zone(id).unwrap();
                let mut villages: Vec<String> = snap
                    .members(id, day)
                    .iter()
                    .map(|m| m.village.to_string())
                    .collect();
                if drop && villages.len() > 2 {
                    let pos = villages
                        .iter()
                        .position(|v| *v != z.key_village.to_string())
                        .unwrap();
                    villages.remove(pos);
                }
                // Villages that may be held elsewhere: validation must refuse those.
                villages.extend(
                    snap.divisions
                        .iter()
                        .filter(|d| d.division.kind == DivisionKind::Village)
                        .skip(add * 37)
                        .take(add)
                        .map(|d| d.division.code.to_string()),
                );
                let input = ZoneInput {
                    name: z.name.clone(),
                    key_village: z.key_village.to_string(),
                    villages,
                    ..Default::default()
                };
                store
                    .update_zone(&actor(), id, z.version, &input, day)
                    .await
            }
            Op::Move { from_zone, to_zone } => {
                let (Some(a), Some(b)) = (pick(&live, from_zone), pick(&live, to_zone)) else {
                    continue;
                };
                let Some(m) = snap
                    .members(a, day)
                    .into_iter()
                    .find(|m| m.role == gongfu_core::zone::MemberRole::Linked)
                else {
                    continue;
                };
                store
                    .move_village(&actor(), m.village.as_str(), Some(b), day)
                    .await
            }
            Op::Dissolve { zone } => {
                let Some(id) = pick(&live, zone) else {
                    continue;
                };
                store
                    .dissolve_zone(&actor(), id, snap.zone(id).unwrap().version, day)
                    .await
            }
        };
        let snap = store.snapshot().await.unwrap();
        prop_assert_eq!(fingerprint(&snap), fingerprint(&reloaded(&store).await));
        prop_assert!(gongfu_core::zone::check_history(&snap.memberships).is_ok());
        for z in snap.zones.iter().filter(|z| z.dissolved_on.is_none()) {
            let members = snap.members(z.id, day);
            prop_assert!(
                members.len() >= 2,
                "zone {} has {} members",
                z.name,
                members.len()
            );
            prop_assert!(members.iter().any(
                |m| m.village == z.key_village && m.role == gongfu_core::zone::MemberRole::Key
            ));
        }
        let cov = snap.coverage(day);
        prop_assert_eq!(cov.covered + cov.uncovered.len(), cov.total);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    /// Random sequences of creates, edits, moves and dissolutions through the real service
    /// layer and database never put a village in two zones, never leave a zone without its
    /// key village or with fewer than two villages, and keep coverage total.
    #[test]
    fn random_edits_through_the_database_keep_every_invariant(ops in proptest::collection::vec(op(), 1..25)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run_ops(ops))?;
    }
}

#[tokio::test]
async fn the_database_itself_refuses_to_change_or_delete_audit_lines() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let before = audit_count(&store).await;
    assert!(before > 0);
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(store.pool())
        .await;
    assert!(update.is_err(), "UPDATE on audit_log must fail");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.pool())
        .await;
    assert!(delete.is_err(), "DELETE on audit_log must fail");
    assert_eq!(audit_count(&store).await, before);
    let actors: Vec<String> = sqlx::query("SELECT actor FROM audit_log")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    assert!(actors.iter().all(|a| a != "someone else"));
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_exactly() {
    if gongfu_store::testing::postgres_url().is_some() {
        return; // SQLite's online backup; PostgreSQL backs up with pg_dump
    }
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let db = dir.path().join("test.db");
    let backup = dir.path().join("backup.db");
    store.backup(&backup).await.unwrap();
    assert!(
        store.backup(&backup).await.is_err(),
        "an existing backup is never overwritten"
    );
    let before = store.snapshot().await.unwrap();
    let (zones, generation) = (before.zones.len(), before.generation);
    // A change after the backup…
    let z = before.zones[0].clone();
    store
        .dissolve_zone(&actor(), z.id, z.version, date!(2025 - 06 - 30))
        .await
        .unwrap();
    store.pool().close().await;
    drop(store);
    // …is gone once the backup is restored.
    gongfu_store::db::restore_sqlite(&backup, &db)
        .await
        .unwrap();
    let again = Store::open(db.to_str().unwrap()).await.unwrap();
    let snap = again.snapshot().await.unwrap();
    assert_eq!(snap.zones.len(), zones);
    assert!(snap.zones.iter().all(|z| z.dissolved_on.is_none()));
    assert_eq!(snap.generation, generation);
    // Something that is not a Gongfu database is refused.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(gongfu_store::db::restore_sqlite(&junk, &db).await.is_err());
}

fn facility_draft(village: &VillageCode, name: &str) -> gongfu_core::facilities::FacilityDraft {
    gongfu_core::facilities::FacilityDraft {
        kind: "文化礼堂".into(),
        name: name.into(),
        village_code: village.to_string(),
        status: Some("open".into()),
        upkeep_unit: "测试村股份经济合作社".into(),
        ..Default::default()
    }
}

/// The demo seeds facilities and a full checklist; an import with one bad row writes nothing,
/// a good one creates and updates in one go; a stale row is a conflict.
#[tokio::test]
async fn facility_imports_are_all_or_nothing_and_versions_guard_updates() {
    use gongfu_store::facilities::FacilityImportRow;
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    assert!(snap.facilities.len() > 200, "{}", snap.facilities.len());
    let villages: Vec<&VillageCode> = snap
        .divisions
        .iter()
        .filter(|d| d.division.counts_for_coverage_on(date!(2025 - 06 - 30)))
        .map(|d| &d.division.code)
        .collect();
    assert!(villages.iter().all(|v| snap.infra_of(v).len() == 5));
    let v = villages[0].clone();
    let existing = snap.facilities[0].clone();
    let mut changed = existing.spec();
    changed.note = "导入修改".into();
    let good = FacilityImportRow {
        existing: None,
        spec: facility_draft(&v, "导入新礼堂").parse().unwrap(),
    };
    // A second new row duplicating the first.
    let dup = good.clone();
    let update = FacilityImportRow {
        existing: Some((existing.id, existing.version)),
        spec: changed.clone(),
    };
    let audits = audit_count(&store).await;
    let generation = store.generation().await.unwrap();
    match store
        .import_facilities(&actor(), &[good.clone(), update.clone(), dup], "t.xlsx")
        .await
    {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(e[0].field.starts_with("rows[2]"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(audit_count(&store).await, audits);
    let counts = store
        .import_facilities(&actor(), &[good, update.clone()], "t.xlsx")
        .await
        .unwrap();
    assert_eq!((counts.created, counts.updated), (1, 1));
    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.facility(existing.id).unwrap().note, "导入修改");
    assert_eq!(
        snap.facility(existing.id).unwrap().version,
        existing.version + 1
    );
    assert_eq!(audit_count(&store).await, audits + 1);
    // The same update again carries a stale version now.
    assert!(matches!(
        store.import_facilities(&actor(), &[update], "t.xlsx").await,
        Err(StoreError::Conflict { .. })
    ));
}

/// Town users write facilities of their own town only, village users only their own
/// village's infrastructure; viewers nothing. A refused write changes nothing.
#[tokio::test]
async fn facility_and_infra_writes_follow_scope() {
    use gongfu_core::auth::Role;
    use gongfu_core::facilities::{Compliance, InfraItem};
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let f = snap.facilities[0].clone();
    let own_town = f.village.town();
    let other = snap
        .divisions
        .iter()
        .find(|d| d.division.town != own_town && d.division.kind == DivisionKind::Village)
        .unwrap()
        .division
        .code
        .clone();
    let as_role = |role: Role| Actor { role, ..actor() };
    let town = as_role(Role::Town {
        town: own_town.clone(),
    });
    let generation = store.generation().await.unwrap();
    for who in [
        as_role(Role::Viewer),
        as_role(Role::Town { town: other.town() }),
    ] {
        let e = store
            .create_facility(
                &who,
                &facility_draft(&f.village, "越权礼堂").parse().unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
        assert!(e.to_string().contains("无权"));
    }
    // A town user may not move its facility into another town.
    let mut moved = f.spec();
    moved.village = other.clone();
    moved.point = None;
    assert!(matches!(
        store.update_facility(&town, f.id, f.version, &moved).await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(store.generation().await.unwrap(), generation);
    let mut renamed = f.spec();
    renamed.note = "镇街修改".into();
    store
        .update_facility(&town, f.id, f.version, &renamed)
        .await
        .unwrap();
    // Infrastructure: the village itself may, a neighbour may not.
    let own_village = as_role(Role::Village {
        village: other.clone(),
    });
    let rec = |s: &gongfu_store::Snapshot| {
        s.infra_of(&other)
            .iter()
            .find(|r| r.item == InfraItem::Water)
            .map_or(0, |r| r.version)
    };
    let v = rec(&store.snapshot().await.unwrap());
    let neighbour = as_role(Role::Village {
        village: f.village.clone(),
    });
    assert!(matches!(
        store
            .set_infra(
                &neighbour,
                &other,
                InfraItem::Water,
                Compliance::Compliant,
                "",
                v
            )
            .await,
        Err(StoreError::Forbidden(_))
    ));
    match store
        .set_infra(
            &own_village,
            &other,
            InfraItem::Water,
            Compliance::NonCompliant,
            "",
            v,
        )
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "gap"),
        other => panic!("{other:?}"),
    }
    store
        .set_infra(
            &own_village,
            &other,
            InfraItem::Water,
            Compliance::NonCompliant,
            "东坞自然村未通自来水",
            v,
        )
        .await
        .unwrap();
    assert_eq!(rec(&store.snapshot().await.unwrap()), v + 1);
    assert!(matches!(
        store
            .set_infra(
                &own_village,
                &other,
                InfraItem::Water,
                Compliance::Compliant,
                "",
                v
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
}
