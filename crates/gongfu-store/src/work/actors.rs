//! Actors (主体联合): the registry, one row per unified social credit code, and each actor's
//! role in the zones it takes part in.

use super::{conflict, corrupt, not_found, require_zone_work};
use crate::db::Store;
use crate::service::{audit, next_id, today};
use crate::{Actor, StoreError};
use gongfu_core::DomainError;
use gongfu_core::auth::Role;
use gongfu_core::work::actor::{Actor as Participant, ActorKind, ActorSpec, CreditCode};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// An actor's part in one zone.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneRole {
    pub zone: i64,
    pub actor: i64,
    pub role: String,
}

fn spec_json(s: &ActorSpec) -> serde_json::Value {
    json!({
        "name": s.name, "kind": s.kind.key(), "credit_code": s.credit_code.as_str(),
        "contact_person": s.contact_person, "phone": s.phone, "address": s.address, "note": s.note,
    })
}

/// The registry is shared by the district: administrators, towns and departments keep it.
fn require_registry(actor: &Actor) -> Result<(), StoreError> {
    match actor.role {
        Role::Admin | Role::Town { .. } | Role::Department { .. } => Ok(()),
        _ => Err(StoreError::Forbidden(
            "主体名录由区、镇街和部门用户维护".into(),
        )),
    }
}

impl Store {
    /// Every registered actor, by name.
    pub async fn actors(&self) -> Result<Vec<Participant>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind, credit_code, contact_person, phone, address, note, version FROM actors ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Participant {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    kind: ActorKind::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|e| corrupt("主体类型", e))?,
                    credit_code: CreditCode::parse(&r.try_get::<String, _>("credit_code")?)
                        .map_err(|e| corrupt("统一社会信用代码", e))?,
                    contact_person: r.try_get("contact_person")?,
                    phone: r.try_get("phone")?,
                    address: r.try_get("address")?,
                    note: r.try_get("note")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    pub async fn actor(&self, id: i64) -> Result<Option<Participant>, StoreError> {
        Ok(self.actors().await?.into_iter().find(|a| a.id == id))
    }

    /// Roles in zones: of one actor, of one zone, or all.
    pub async fn zone_roles(
        &self,
        zone: Option<i64>,
        actor: Option<i64>,
    ) -> Result<Vec<ZoneRole>, StoreError> {
        let rows = sqlx::query(
            "SELECT zone_id, actor_id, role FROM zone_actors ORDER BY zone_id, actor_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| -> Result<ZoneRole, sqlx::Error> {
                Ok(ZoneRole {
                    zone: r.try_get("zone_id")?,
                    actor: r.try_get("actor_id")?,
                    role: r.try_get("role")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|z| zone.is_none_or(|id| z.zone == id))
            .filter(|z| actor.is_none_or(|id| z.actor == id))
            .collect())
    }

    async fn check_unique_code(
        &self,
        spec: &ActorSpec,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        let other = self
            .actors()
            .await?
            .into_iter()
            .find(|a| a.credit_code == spec.credit_code && Some(a.id) != except);
        match other {
            Some(a) => Err(StoreError::Invalid(vec![DomainError::new(
                "duplicate",
                "credit_code",
                format!(
                    "统一社会信用代码 {} 已登记为「{}」",
                    spec.credit_code, a.name
                ),
            )])),
            None => Ok(()),
        }
    }

    pub async fn create_actor(&self, actor: &Actor, spec: &ActorSpec) -> Result<i64, StoreError> {
        let _turn = self.write_lock.lock().await;
        require_registry(actor)?;
        self.check_unique_code(spec, None).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "actors").await?;
        sqlx::query("INSERT INTO actors (id, name, kind, credit_code, contact_person, phone, address, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(&spec.name)
            .bind(spec.kind.key())
            .bind(spec.credit_code.as_str())
            .bind(&spec.contact_person)
            .bind(&spec.phone)
            .bind(&spec.address)
            .bind(&spec.note)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "create",
            "actor",
            &id.to_string(),
            None,
            Some(spec_json(spec)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_actor(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &ActorSpec,
    ) -> Result<(), StoreError> {
        let _turn = self.write_lock.lock().await;
        require_registry(actor)?;
        let current = self
            .actor(id)
            .await?
            .ok_or_else(|| not_found(format!("主体 {id}")))?;
        if current.version != expected_version {
            return Err(conflict(
                format!("主体「{}」", current.name),
                current.version,
            ));
        }
        self.check_unique_code(spec, Some(id)).await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE actors SET name = $1, kind = $2, credit_code = $3, contact_person = $4, phone = $5, address = $6, note = $7, version = version + 1 WHERE id = $8 AND version = $9")
            .bind(&spec.name)
            .bind(spec.kind.key())
            .bind(spec.credit_code.as_str())
            .bind(&spec.contact_person)
            .bind(&spec.phone)
            .bind(&spec.address)
            .bind(&spec.note)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("主体「{}」", current.name),
                current.version,
            ));
        }
        let before = ActorSpec {
            name: current.name.clone(),
            kind: current.kind,
            credit_code: current.credit_code.clone(),
            contact_person: current.contact_person.clone(),
            phone: current.phone.clone(),
            address: current.address.clone(),
            note: current.note.clone(),
        };
        audit(
            &mut tx,
            actor,
            "update",
            "actor",
            &id.to_string(),
            Some(spec_json(&before)),
            Some(spec_json(spec)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or, with `None`, ends) an actor's role in a zone.
    pub async fn set_zone_role(
        &self,
        actor: &Actor,
        zone: i64,
        participant: i64,
        role: Option<&str>,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let p = self
            .actor(participant)
            .await?
            .ok_or_else(|| not_found(format!("主体 {participant}")))?;
        let before = self
            .zone_roles(Some(zone), Some(participant))
            .await?
            .pop()
            .map(|r| r.role);
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM zone_actors WHERE zone_id = $1 AND actor_id = $2")
            .bind(zone)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        if let Some(role) = role {
            sqlx::query("INSERT INTO zone_actors (zone_id, actor_id, role) VALUES ($1, $2, $3)")
                .bind(zone)
                .bind(participant)
                .bind(role)
                .execute(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "zone_role",
            "actor",
            &participant.to_string(),
            Some(json!({"zone": zone, "actor": p.name, "role": before})),
            Some(json!({"zone": zone, "actor": p.name, "role": role})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
