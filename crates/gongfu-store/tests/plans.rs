//! Planning scenarios (片区规划方案) against a real database: saving, listing and deleting,
//! who may do it, and adoption — all or nothing, refused when stale, audited, and leaving the
//! membership history valid.

use gongfu_core::auth::Role;
use gongfu_core::zone::MemberRole;
use gongfu_core::{TownCode, VillageCode, ZoneId};
use gongfu_store::plans::ProposedZone;
use gongfu_store::service::ZoneInput;
use gongfu_store::{Actor, Store, StoreError};
use serde_json::json;
use sqlx::Row;
use time::Date;
use time::macros::date;

const DAY: Date = date!(2025 - 06 - 30);

/// A fresh database (SQLite file, or PostgreSQL when the test script provides one) seeded
/// with the demo district. The temp dir must outlive the store.
async fn demo_store(dir: &tempfile::TempDir) -> Store {
    gongfu_store::testing::demo_store(dir.path(), 3).await
}

fn actor_with(role: Role) -> Actor {
    Actor {
        name: "测试员".into(),
        address: "127.0.0.1".into(),
        user_id: Some(1),
        role,
    }
}

fn admin() -> Actor {
    actor_with(Role::Admin)
}

fn code(s: &str) -> VillageCode {
    VillageCode::parse(s).unwrap()
}

/// Free villages on `DAY`, grouped by town, largest town first.
async fn free_by_town(store: &Store) -> Vec<(TownCode, Vec<VillageCode>)> {
    let snap = store.snapshot().await.unwrap();
    let mut towns: Vec<(TownCode, Vec<VillageCode>)> = Vec::new();
    for u in snap.coverage(DAY).uncovered {
        match towns.iter_mut().find(|(t, _)| *t == u.town_code) {
            Some((_, v)) => v.push(u.code.clone()),
            None => towns.push((u.town_code.clone(), vec![u.code.clone()])),
        }
    }
    towns.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    towns
}

fn new_zone(name: &str, villages: &[VillageCode]) -> ProposedZone {
    ProposedZone {
        name: name.into(),
        key_village: villages[0].clone(),
        villages: villages.to_vec(),
        existing: None,
    }
}

/// A proposal extending `zone` with `extra`, keeping its current members.
async fn extending(store: &Store, zone: ZoneId, extra: &[VillageCode]) -> ProposedZone {
    let snap = store.snapshot().await.unwrap();
    let z = snap.zone(zone).unwrap();
    let mut villages: Vec<VillageCode> = snap
        .members(zone, DAY)
        .iter()
        .map(|m| m.village.clone())
        .collect();
    villages.extend(extra.iter().cloned());
    ProposedZone {
        name: z.name.clone(),
        key_village: z.key_village.clone(),
        villages,
        existing: Some(zone),
    }
}

async fn audit_count(store: &Store) -> i64 {
    sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

/// (action, entity, entity_id, after_json) of every audit line after the first `skip`.
async fn audit_lines_after(store: &Store, skip: i64) -> Vec<(String, String, String, String)> {
    sqlx::query(
        "SELECT action, entity, entity_id, after_json FROM audit_log WHERE id > $1 ORDER BY id",
    )
    .bind(skip)
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<String, _>(2),
            r.get::<Option<String>, _>(3).unwrap_or_default(),
        )
    })
    .collect()
}

/// Zones and membership history as text, to show a refused write changed nothing.
async fn zones_fingerprint(store: &Store) -> String {
    let snap = store.snapshot().await.unwrap();
    format!("{:?} {:?}", snap.zones, snap.memberships)
}

/// The cached snapshot after a write equals the database loaded from scratch.
async fn assert_cache_is_fresh(store: &Store) {
    let cached = store.snapshot().await.unwrap();
    let fresh = gongfu_store::Snapshot::load(store.pool(), store.generation().await.unwrap())
        .await
        .unwrap();
    assert_eq!(cached.generation, fresh.generation);
    assert_eq!(
        format!("{:?} {:?}", cached.zones, cached.memberships),
        format!("{:?} {:?}", fresh.zones, fresh.memberships)
    );
}

#[tokio::test]
async fn a_saved_scenario_lists_and_reads_back_as_it_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let snap = store.snapshot().await.unwrap();
    let existing = snap.zones[0].id;
    let zones = vec![
        new_zone("试点一片区", &free[0].1[..3]),
        new_zone("试点二片区", &free[1].1[..2]),
        extending(&store, existing, &free[0].1[3..4]).await,
    ];
    let params = json!({"count": {"k": 3}, "weights": {"balance": 1.0}, "seed": 7});
    let summary = json!({"zones": [{"population": 12345, "weak": 2}], "score": 0.5});
    let generation = store.generation().await.unwrap();
    let audits = audit_count(&store).await;
    let first = store
        .save_scenario(&admin(), "  方案甲  ", &params, &summary, &zones)
        .await
        .unwrap();
    let second = store
        .save_scenario(&admin(), "方案乙", &json!({}), &json!(null), &zones[..1])
        .await
        .unwrap();
    assert!(second > first);
    assert!(store.generation().await.unwrap() > generation);

    let heads = store.scenarios().await.unwrap();
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0].id, second, "newest first");
    assert_eq!(heads[1].id, first);
    assert_eq!(heads[1].name, "方案甲", "the name is trimmed");
    assert_eq!(heads[1].zones, 3);
    assert_eq!(
        heads[1].villages,
        zones.iter().map(|z| z.villages.len()).sum::<usize>()
    );
    assert_eq!(heads[1].created_by, "测试员");
    assert_eq!(heads[1].adopted_at, None);
    assert_eq!(heads[1].version, 1);

    let s = store.scenario(first).await.unwrap().unwrap();
    assert_eq!(s.name, "方案甲");
    assert_eq!(s.zones, zones);
    assert_eq!(s.params, params);
    assert_eq!(s.summary, summary);
    assert_eq!(s.adopted_by, None);
    assert_eq!(s.version, 1);
    assert!(store.scenario(second + 100).await.unwrap().is_none());
    // Saving changes no zone.
    assert_eq!(store.snapshot().await.unwrap().zones.len(), 8);

    let lines = audit_lines_after(&store, audits).await;
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0].0.as_str(), lines[0].1.as_str()),
        ("save", "scenario")
    );
    assert_eq!(lines[0].2, first.to_string());
    assert!(lines[0].3.contains("方案甲"));
}

#[tokio::test]
async fn an_invalid_scenario_names_every_bad_field_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let v = &free[0].1;
    let unknown = code("330603999999");
    let zones = vec![
        new_zone("甲片区", &[v[0].clone(), v[1].clone()]),
        // v[1] again: in two proposed zones.
        new_zone("乙片区", &[v[2].clone(), v[1].clone()]),
        // A code the registry does not know.
        new_zone("丙片区", &[v[3].clone(), unknown.clone()]),
        // The key village is not among the members.
        ProposedZone {
            name: "丁片区".into(),
            key_village: v[4].clone(),
            villages: vec![v[5].clone(), v[6].clone()],
            existing: None,
        },
        // A zone that does not exist.
        ProposedZone {
            existing: Some(ZoneId(9999)),
            ..new_zone("戊片区", &[v[7].clone(), v[8].clone()])
        },
    ];
    let generation = store.generation().await.unwrap();
    let audits = audit_count(&store).await;
    match store
        .save_scenario(&admin(), "   ", &json!({}), &json!({}), &zones)
        .await
    {
        Err(StoreError::Invalid(errors)) => {
            let fields: Vec<(&str, &str)> =
                errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
            for expected in [
                ("name", "required"),
                ("zones[1].villages[1]", "duplicate_member"),
                ("zones[2].villages[1]", "unknown_village"),
                ("zones[3].key_village", "key_not_member"),
                ("zones[4].existing", "unknown_zone"),
            ] {
                assert!(fields.contains(&expected), "{expected:?} in {fields:?}");
            }
            assert_eq!(errors.len(), 5, "{fields:?}");
            assert!(errors.iter().all(|e| !e.message.is_empty()));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    // No zones at all, and a name that is too long.
    match store
        .save_scenario(&admin(), &"长".repeat(61), &json!({}), &json!({}), &[])
        .await
    {
        Err(StoreError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["name", "zones"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(store.scenarios().await.unwrap().is_empty());
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(audit_count(&store).await, audits);
}

#[tokio::test]
async fn only_those_who_may_edit_the_zones_may_save_delete_or_adopt() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let (town, villages) = &free[0];
    let other_town = free[1].0.clone();
    let zones = vec![new_zone("本镇片区", &villages[..3])];
    let viewer = actor_with(Role::Viewer);
    let stranger = actor_with(Role::Town { town: other_town });
    let local = actor_with(Role::Town { town: town.clone() });
    let generation = store.generation().await.unwrap();
    let audits = audit_count(&store).await;
    for who in [&viewer, &stranger] {
        assert!(matches!(
            store
                .save_scenario(who, "越权方案", &json!({}), &json!({}), &zones)
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
    assert!(store.scenarios().await.unwrap().is_empty());
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(audit_count(&store).await, audits);

    // The town's own user may save a scenario inside the town…
    let id = store
        .save_scenario(&local, "本镇方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    // …but not one reaching into another town.
    let across = vec![new_zone(
        "跨镇片区",
        &[villages[3].clone(), free[1].1[0].clone()],
    )];
    assert!(matches!(
        store
            .save_scenario(&local, "跨镇方案", &json!({}), &json!({}), &across)
            .await,
        Err(StoreError::Forbidden(_))
    ));
    // Deleting follows the same rule; adopting is the district administrator's alone.
    let fingerprint = zones_fingerprint(&store).await;
    let generation = store.generation().await.unwrap();
    for who in [&viewer, &stranger] {
        assert!(matches!(
            store.delete_scenario(who, id, 1).await,
            Err(StoreError::Forbidden(_))
        ));
    }
    for who in [&viewer, &stranger, &local] {
        assert!(matches!(
            store.adopt_scenario(who, id, 1, DAY).await,
            Err(StoreError::Forbidden(_))
        ));
    }
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(zones_fingerprint(&store).await, fingerprint);
    let s = store.scenario(id).await.unwrap().unwrap();
    assert_eq!((s.version, s.adopted_at), (1, None));
    store.delete_scenario(&local, id, 1).await.unwrap();
}

#[tokio::test]
async fn adopting_creates_the_new_zones_and_extends_the_existing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let snap = store.snapshot().await.unwrap();
    let (z0, z1) = (snap.zones[0].clone(), snap.zones[1].clone());
    let covered_before = snap.coverage(DAY).covered;
    let a = free[0].1[..3].to_vec();
    let b = free[1].1[..2].to_vec();
    let extra = free[0].1[3..5].to_vec();
    // The second new zone asks for a name a live zone already has.
    let zones = vec![
        new_zone("新建甲片区", &a),
        extending(&store, z0.id, &extra).await,
        new_zone(&z1.name, &b),
        extending(&store, z1.id, &[]).await,
    ];
    let id = store
        .save_scenario(&admin(), "全域覆盖方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    let audits = audit_count(&store).await;
    let report = store.adopt_scenario(&admin(), id, 1, DAY).await.unwrap();
    assert_eq!(report.created.len(), 2);
    assert_eq!(report.extended, [z0.id]);
    assert_eq!(report.unchanged, [z1.id]);

    let snap = store.snapshot().await.unwrap();
    assert!(gongfu_core::zone::check_history(&snap.memberships).is_ok());
    assert_eq!(snap.zones.len(), 10);
    assert_eq!(
        snap.coverage(DAY).covered,
        covered_before + a.len() + b.len() + extra.len()
    );
    for (zone, villages, name) in [
        (report.created[0], &a, "新建甲片区".to_string()),
        (report.created[1], &b, format!("{}（2）", z1.name)),
    ] {
        let z = snap.zone(zone).unwrap();
        assert_eq!(z.name, name);
        assert_eq!(z.key_village, villages[0]);
        assert_eq!((z.version, z.founded_on, z.dissolved_on), (1, DAY, None));
        assert_eq!((z.theme.as_str(), z.lead_official.as_str()), ("", ""));
        let mut members: Vec<VillageCode> = snap
            .members(zone, DAY)
            .iter()
            .map(|m| m.village.clone())
            .collect();
        members.sort();
        let mut expected = villages.clone();
        expected.sort();
        assert_eq!(members, expected);
        let key = snap.members(zone, DAY)[0];
        assert_eq!((&key.village, key.role), (&villages[0], MemberRole::Key));
    }
    // The extended zone keeps its name, key village and old lines, and gains linked villages
    // from the adoption day.
    let ext = snap.zone(z0.id).unwrap();
    assert_eq!(ext.version, z0.version + 1);
    assert_eq!((&ext.name, &ext.key_village), (&z0.name, &z0.key_village));
    let old = members_before(&zones[1], &extra);
    for v in &zones[1].villages {
        let m = snap.membership_of(v, DAY).unwrap();
        assert_eq!(m.zone, z0.id);
        if old.contains(v) {
            assert!(m.from < DAY);
        } else {
            assert_eq!((m.from, m.role), (DAY, MemberRole::Linked));
        }
    }
    assert!(
        snap.membership_of(&extra[0], DAY.previous_day().unwrap())
            .is_none()
    );
    assert_eq!(snap.zone(z1.id).unwrap().version, z1.version, "unchanged");
    assert_cache_is_fresh(&store).await;

    // The scenario is marked adopted, and its version moved.
    let s = store.scenario(id).await.unwrap().unwrap();
    assert_eq!(s.adopted_by.as_deref(), Some("测试员"));
    assert!(s.adopted_at.is_some());
    assert_eq!(s.version, 2);
    assert!(store.scenarios().await.unwrap()[0].adopted_at.is_some());

    // One line per created or extended zone, then the adoption itself.
    let lines = audit_lines_after(&store, audits).await;
    let summary: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|(a, e, i, _)| (a.as_str(), e.as_str(), i.as_str()))
        .collect();
    let (c0, c1, e0, sid) = (
        report.created[0].to_string(),
        report.created[1].to_string(),
        z0.id.to_string(),
        id.to_string(),
    );
    assert_eq!(
        summary,
        [
            ("create", "zone", c0.as_str()),
            ("update", "zone", e0.as_str()),
            ("create", "zone", c1.as_str()),
            ("adopt", "scenario", sid.as_str()),
        ]
    );
    assert!(lines[0].3.contains("新建甲片区"));
    assert!(lines[1].3.contains(extra[0].as_str()));
    assert!(lines[3].3.contains(&format!("\"created\":[{c0},{c1}]")));
}

/// The members a proposal for an existing zone carried before `extra` was added.
fn members_before(p: &ProposedZone, extra: &[VillageCode]) -> Vec<VillageCode> {
    p.villages
        .iter()
        .filter(|v| !extra.contains(v))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_scenario_is_adopted_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let id = store
        .save_scenario(
            &admin(),
            "一次性方案",
            &json!({}),
            &json!({}),
            &[new_zone("一次片区", &free[0].1[..2])],
        )
        .await
        .unwrap();
    store.adopt_scenario(&admin(), id, 1, DAY).await.unwrap();
    let fingerprint = zones_fingerprint(&store).await;
    let generation = store.generation().await.unwrap();
    for version in [1, 2] {
        match store.adopt_scenario(&admin(), id, version, DAY).await {
            Err(StoreError::Refused(m)) => assert!(m.contains("不能重复采纳"), "{m}"),
            other => panic!("expected Refused, got {other:?}"),
        }
    }
    // An adopted scenario is history: it cannot be deleted either.
    assert!(matches!(
        store.delete_scenario(&admin(), id, 2).await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(zones_fingerprint(&store).await, fingerprint);
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(store.scenario(id).await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn a_scenario_overtaken_by_another_edit_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let v = &free[0].1;
    let snap = store.snapshot().await.unwrap();
    let z0 = snap.zones[0].clone();
    let zones = vec![
        new_zone("较早片区", &v[..3]),
        extending(&store, z0.id, &v[3..4]).await,
    ];
    let id = store
        .save_scenario(&admin(), "较早的方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    // Meanwhile v[1] and v[3] join a zone formed by hand.
    let taken = ZoneInput {
        name: "手工片区".into(),
        key_village: v[5].to_string(),
        villages: vec![v[5].to_string(), v[1].to_string(), v[3].to_string()],
        ..ZoneInput::default()
    };
    store.create_zone(&admin(), &taken, DAY).await.unwrap();
    let fingerprint = zones_fingerprint(&store).await;
    let generation = store.generation().await.unwrap();
    let audits = audit_count(&store).await;
    let snap = store.snapshot().await.unwrap();
    let name = |c: &VillageCode| snap.division(c).unwrap().division.name.clone();
    match store.adopt_scenario(&admin(), id, 1, DAY).await {
        Err(StoreError::Refused(m)) => {
            assert!(m.starts_with("方案已过期："), "{m}");
            assert!(
                m.contains(&format!("村「{}」已属于片区「手工片区」", name(&v[1]))),
                "{m}"
            );
            assert!(m.contains(&name(&v[3])), "{m}");
            assert!(m.ends_with("请重新规划"), "{m}");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(zones_fingerprint(&store).await, fingerprint);
    assert_eq!(store.snapshot().await.unwrap().zones.len(), 9);
    assert_eq!(store.generation().await.unwrap(), generation);
    assert_eq!(audit_count(&store).await, audits);
    let s = store.scenario(id).await.unwrap().unwrap();
    assert_eq!((s.version, s.adopted_at), (1, None));
}

#[tokio::test]
async fn a_scenario_leaving_out_a_village_that_joined_its_zone_since_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let v = &free[0].1;
    let z0 = store.snapshot().await.unwrap().zones[0].clone();
    let zones = vec![extending(&store, z0.id, &v[..1]).await];
    let id = store
        .save_scenario(&admin(), "扩充方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    // v[2] is moved into the zone by hand after the scenario was saved.
    store
        .move_village(&admin(), v[2].as_str(), Some(z0.id), DAY)
        .await
        .unwrap();
    let fingerprint = zones_fingerprint(&store).await;
    let generation = store.generation().await.unwrap();
    let snap = store.snapshot().await.unwrap();
    let village = snap.division(&v[2]).unwrap().division.name.clone();
    match store.adopt_scenario(&admin(), id, 1, DAY).await {
        Err(StoreError::Refused(m)) => {
            assert!(m.starts_with("方案已过期："), "{m}");
            assert!(m.contains(&village) && m.contains(&z0.name), "{m}");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(zones_fingerprint(&store).await, fingerprint);
    assert_eq!(store.generation().await.unwrap(), generation);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_on_adopt_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let id = store
        .save_scenario(
            &admin(),
            "版本方案",
            &json!({}),
            &json!({}),
            &[new_zone("版本片区", &free[0].1[..2])],
        )
        .await
        .unwrap();
    let fingerprint = zones_fingerprint(&store).await;
    let generation = store.generation().await.unwrap();
    for wrong in [0, 2] {
        assert!(matches!(
            store.adopt_scenario(&admin(), id, wrong, DAY).await,
            Err(StoreError::Conflict { current: 1, .. })
        ));
        assert!(matches!(
            store.delete_scenario(&admin(), id, wrong).await,
            Err(StoreError::Conflict { current: 1, .. })
        ));
    }
    assert_eq!(zones_fingerprint(&store).await, fingerprint);
    assert_eq!(store.generation().await.unwrap(), generation);
    let s = store.scenario(id).await.unwrap().unwrap();
    assert_eq!((s.version, s.adopted_at), (1, None));
    assert!(matches!(
        store.adopt_scenario(&admin(), id + 1, 1, DAY).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_deleted_scenario_vanishes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let free = free_by_town(&store).await;
    let zones = [new_zone("删除片区", &free[0].1[..2])];
    let keep = store
        .save_scenario(&admin(), "保留的方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    let gone = store
        .save_scenario(&admin(), "删除的方案", &json!({}), &json!({}), &zones)
        .await
        .unwrap();
    let audits = audit_count(&store).await;
    store.delete_scenario(&admin(), gone, 1).await.unwrap();
    let heads = store.scenarios().await.unwrap();
    assert_eq!(heads.iter().map(|h| h.id).collect::<Vec<_>>(), [keep]);
    assert!(store.scenario(gone).await.unwrap().is_none());
    assert!(matches!(
        store.delete_scenario(&admin(), gone, 2).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.adopt_scenario(&admin(), gone, 2, DAY).await,
        Err(StoreError::NotFound { .. })
    ));
    let lines = audit_lines_after(&store, audits).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (
            lines[0].0.as_str(),
            lines[0].1.as_str(),
            lines[0].2.as_str()
        ),
        ("delete", "scenario", gone.to_string().as_str())
    );
    // The kept scenario is untouched and can still be adopted.
    store.adopt_scenario(&admin(), keep, 1, DAY).await.unwrap();
}
