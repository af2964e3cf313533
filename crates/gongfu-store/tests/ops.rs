//! Common-prosperity elements and the indicator figures against a real database (SQLite, or
//! PostgreSQL under the test script): who may register them, points near their village,
//! stale saves, and the figures of a zone following the records.

use gongfu_core::auth::Role;
use gongfu_core::ops::elements::ElementDraft;
use gongfu_core::ops::indicators::Indicator;
use gongfu_store::ops::ElementFilter;
use gongfu_store::{Actor, Store, StoreError};

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    gongfu_store::testing::demo_store(dir.path(), 3).await
}

fn actor(role: Role) -> Actor {
    Actor {
        name: "测试员".into(),
        address: "127.0.0.1".into(),
        user_id: Some(1),
        role,
    }
}

fn value(f: &[gongfu_core::ops::indicators::Figure], i: Indicator) -> i64 {
    f.iter().find(|x| x.indicator == i).unwrap().value
}

#[tokio::test]
async fn a_workshop_counts_in_its_zone_figures() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir).await;
    let snap = store.snapshot().await.unwrap();
    let today = gongfu_store::service::today();
    let zone = snap.zones.iter().find(|z| z.is_live_on(today)).unwrap();
    let village = snap.members(zone.id, today)[0].village.clone();
    let year = today.year();
    let before = store.indicator_figures(zone.id.0, year).await.unwrap();
    assert_eq!(value(&before, Indicator::Workshops), 0);
    let draft = ElementDraft {
        kind: "共富工坊".into(),
        name: "兰花共富工坊".into(),
        village_code: village.to_string(),
        opened_on: format!("{year}-01-15"),
        jobs: "40".into(),
        low_income_jobs: "12".into(),
        monthly_gain: "2000".into(),
        collective_income: "150000".into(),
        ..Default::default()
    };
    let spec = draft.parse(today).unwrap();
    // Another town's user may not register it; a point far from the village is refused.
    let other_town = snap
        .towns
        .iter()
        .find(|t| t.code != village.town())
        .unwrap()
        .code
        .clone();
    let e = store
        .create_element(&actor(Role::Town { town: other_town }), &spec)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    let far = ElementDraft {
        lon: Some(121.9),
        lat: Some(30.9),
        ..draft.clone()
    }
    .parse(today)
    .unwrap();
    assert!(matches!(
        store
            .create_element(&actor(Role::Admin), &far)
            .await
            .unwrap_err(),
        StoreError::Invalid(_)
    ));
    let id = store
        .create_element(
            &actor(Role::Town {
                town: village.town(),
            }),
            &spec,
        )
        .await
        .unwrap();
    let after = store.indicator_figures(zone.id.0, year).await.unwrap();
    assert_eq!(value(&after, Indicator::Workshops), 1);
    assert_eq!(value(&after, Indicator::ElementJobs), 40);
    assert_eq!(value(&after, Indicator::LowIncomeJobs), 12);
    assert_eq!(
        value(&after, Indicator::ElementCollectiveIncome),
        15_000_000
    );
    let listed = store
        .elements(
            &ElementFilter {
                zone: Some(zone.id.0),
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), [id]);
    // A stale edit is refused; closing it last year takes it out of this year's figures.
    let closed = ElementDraft {
        opened_on: format!("{}-01-15", year - 1),
        closed_on: format!("{}-12-31", year - 1),
        ..draft
    }
    .parse(today)
    .unwrap();
    store
        .update_element(&actor(Role::Admin), id, 1, &closed)
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_element(&actor(Role::Admin), id, 1, &closed)
            .await
            .unwrap_err(),
        StoreError::Conflict { .. }
    ));
    let now = store.indicator_figures(zone.id.0, year).await.unwrap();
    assert_eq!(value(&now, Indicator::Workshops), 0);
    let last_year = store.indicator_figures(zone.id.0, year - 1).await.unwrap();
    assert_eq!(value(&last_year, Indicator::Workshops), 1);
}
