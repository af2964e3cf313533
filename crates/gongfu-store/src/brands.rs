//! Brands and industry chains (品牌与产业链, issue 7) in the database: brands with their
//! geographical-indication details, licences to actors of the registry for a period (revoking
//! keeps the row), the "6+X" chains with one link per kind naming actors and villages, and
//! each chain's output value per year. Read straight from the database, like zone work.
//!
//! Who may write: the district administrator only (brands and chains are district-wide; towns
//! and departments read). Every write takes the writer's turn, writes one transaction with one
//! audit line, and refuses a stale version with `Conflict`.

use crate::db::Store;
use crate::error::invalid;
use crate::ops::zone_in_year;
use crate::service::{audit, next_id, require_admin};
use crate::snapshot::Snapshot;
use crate::work::import::{ImportRowError, WorkImportReport};
use crate::work::{conflict, corrupt, day_of, not_found, opt_day_of, opt_day_text};
use crate::{Actor, StoreError};
use gongfu_core::ops::brands::{
    Brand, BrandKind, BrandSpec, Chain, ChainLink, ChainOutput, ChainSpec, GeoIndication, Licence,
    LicenceSpec, LinkKind,
};
use gongfu_core::ops::indicators::ChainPlaces;
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, DomainError, Fen, VillageCode, ZoneId};
use serde_json::json;
use sqlx::Row;
use time::Date;

const WHO: &str = "品牌与产业链";

fn brand_json(id: i64, s: &BrandSpec, version: i64) -> serde_json::Value {
    json!({
        "id": id, "name": s.name, "kind": s.kind.key(), "product": s.product,
        "gi": s.gi.as_ref().map(|g| json!({"number": g.number, "holder": g.holder, "area": g.area})),
        "version": version,
    })
}

fn licence_json(brand: i64, s: &LicenceSpec, version: i64) -> serde_json::Value {
    json!({
        "brand": brand, "actor": s.actor, "from": date_string(s.from), "to": date_string(s.to),
        "revoked_on": s.revoked_on.map(date_string), "note": s.note, "version": version,
    })
}

fn chain_json(id: i64, s: &ChainSpec, version: i64) -> serde_json::Value {
    json!({
        "id": id, "name": s.name, "brand": s.brand, "note": s.note,
        "links": s.links.iter().map(|l| json!({
            "kind": l.kind.key(), "actors": l.actors,
            "villages": l.villages.iter().map(VillageCode::as_str).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "version": version,
    })
}

/// One row of a yearly output sheet to apply: the chain, the year, the value and the version
/// read (0 for a year not reported before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRow {
    pub chain: i64,
    pub year: DataYear,
    pub value: Fen,
    pub version: i64,
}

impl Store {
    /// Every brand: the regional brand first, then product brands by name.
    pub async fn brands(&self) -> Result<Vec<Brand>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, kind, product, gi_number, gi_holder, gi_area, version FROM brands ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let number: Option<String> = r.try_get("gi_number")?;
                let holder: Option<String> = r.try_get("gi_holder")?;
                let area: Option<String> = r.try_get("gi_area")?;
                Ok(Brand {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    kind: BrandKind::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|e| corrupt("品牌类别", e))?,
                    product: r.try_get("product")?,
                    gi: number.map(|number| GeoIndication {
                        number,
                        holder: holder.unwrap_or_default(),
                        area: area.unwrap_or_default(),
                    }),
                    version: r.try_get("version")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn brand(&self, id: i64) -> Result<Option<Brand>, StoreError> {
        Ok(self.brands().await?.into_iter().find(|b| b.id == id))
    }

    async fn check_brand_name(&self, name: &str, except: Option<i64>) -> Result<(), StoreError> {
        if self
            .brands()
            .await?
            .iter()
            .any(|b| b.name == name && Some(b.id) != except)
        {
            return Err(invalid(
                "duplicate",
                "name",
                format!("品牌「{name}」已登记"),
            ));
        }
        Ok(())
    }

    /// 登记品牌 (district administrator).
    pub async fn create_brand(&self, actor: &Actor, spec: &BrandSpec) -> Result<i64, StoreError> {
        let _turn = self.write_lock.lock().await;
        require_admin(actor, WHO)?;
        self.check_brand_name(&spec.name, None).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "brands").await?;
        // An absent GI is three literal NULLs (no `None` binds to type on PostgreSQL).
        let sql = match spec.gi {
            Some(_) => {
                "INSERT INTO brands (id, name, kind, product, gi_number, gi_holder, gi_area) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            }
            None => {
                "INSERT INTO brands (id, name, kind, product, gi_number, gi_holder, gi_area) VALUES ($1, $2, $3, $4, NULL, NULL, NULL)"
            }
        };
        let mut q = sqlx::query(sql)
            .bind(id)
            .bind(&spec.name)
            .bind(spec.kind.key())
            .bind(&spec.product);
        if let Some(g) = &spec.gi {
            q = q.bind(&g.number).bind(&g.holder).bind(&g.area);
        }
        q.execute(&mut *tx).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "brand",
            &id.to_string(),
            None,
            Some(brand_json(id, spec, 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_brand(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &BrandSpec,
    ) -> Result<(), StoreError> {
        let _turn = self.write_lock.lock().await;
        require_admin(actor, WHO)?;
        let current = self
            .brand(id)
            .await?
            .ok_or_else(|| not_found(format!("品牌 {id}")))?;
        let stale = || conflict(format!("品牌「{}」", current.name), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        self.check_brand_name(&spec.name, Some(id)).await?;
        let mut tx = self.pool.begin().await?;
        let sql = match spec.gi {
            Some(_) => {
                "UPDATE brands SET name = $1, kind = $2, product = $3, version = version + 1, gi_number = $6, gi_holder = $7, gi_area = $8 WHERE id = $4 AND version = $5"
            }
            None => {
                "UPDATE brands SET name = $1, kind = $2, product = $3, version = version + 1, gi_number = NULL, gi_holder = NULL, gi_area = NULL WHERE id = $4 AND version = $5"
            }
        };
        let mut q = sqlx::query(sql)
            .bind(&spec.name)
            .bind(spec.kind.key())
            .bind(&spec.product)
            .bind(id)
            .bind(expected_version);
        if let Some(g) = &spec.gi {
            q = q.bind(&g.number).bind(&g.holder).bind(&g.area);
        }
        if q.execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(stale());
        }
        let before = BrandSpec {
            name: current.name.clone(),
            kind: current.kind,
            product: current.product.clone(),
            gi: current.gi.clone(),
        };
        audit(
            &mut tx,
            actor,
            "update",
            "brand",
            &id.to_string(),
            Some(brand_json(id, &before, current.version)),
            Some(brand_json(id, spec, expected_version + 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Licences, of one brand or all, by brand then start.
    pub async fn licences(&self, brand: Option<i64>) -> Result<Vec<Licence>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, brand_id, actor_id, valid_from, valid_to, revoked_on, note, version FROM brand_licences ORDER BY brand_id, valid_from, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let all = rows
            .iter()
            .map(|r| {
                Ok(Licence {
                    id: r.try_get("id")?,
                    brand: r.try_get("brand_id")?,
                    actor: r.try_get("actor_id")?,
                    from: day_of(r, "valid_from")?,
                    to: day_of(r, "valid_to")?,
                    revoked_on: opt_day_of(r, "revoked_on")?,
                    note: r.try_get("note")?,
                    version: r.try_get("version")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(all
            .into_iter()
            .filter(|l| brand.is_none_or(|b| l.brand == b))
            .collect())
    }

    async fn check_actor(&self, id: i64, field: &str, what: &str) -> Result<(), StoreError> {
        if self.actor(id).await?.is_none() {
            return Err(invalid(
                "unknown_actor",
                field,
                format!("{what}「{id}」不在主体名录中"),
            ));
        }
        Ok(())
    }

    /// 授权品牌使用 (district administrator).
    pub async fn create_licence(
        &self,
        actor: &Actor,
        brand: i64,
        spec: &LicenceSpec,
    ) -> Result<i64, StoreError> {
        let _turn = self.write_lock.lock().await;
        require_admin(actor, WHO)?;
        let b = self
            .brand(brand)
            .await?
            .ok_or_else(|| not_found(format!("品牌 {brand}")))?;
        self.check_actor(spec.actor, "actor", "被授权主体").await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "brand_licences").await?;
        sqlx::query("INSERT INTO brand_licences (id, brand_id, actor_id, valid_from, valid_to, revoked_on, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(b.id)
            .bind(spec.actor)
            .bind(date_string(spec.from))
            .bind(date_string(spec.to))
            .bind(opt_day_text(spec.revoked_on))
            .bind(&spec.note)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "create",
            "brand_licence",
            &id.to_string(),
            None,
            Some(licence_json(brand, spec, 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a licence; giving a 撤销日期 revokes it (the row stays).
    pub async fn update_licence(
        &self,
        actor: &Actor,
        brand: i64,
        id: i64,
        expected_version: i64,
        spec: &LicenceSpec,
    ) -> Result<(), StoreError> {
        let _turn = self.write_lock.lock().await;
        require_admin(actor, WHO)?;
        let current = self
            .licences(Some(brand))
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or_else(|| not_found(format!("品牌 {brand} 的授权 {id}")))?;
        let stale = || conflict(format!("品牌授权 {id}"), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        self.check_actor(spec.actor, "actor", "被授权主体").await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE brand_licences SET actor_id = $1, valid_from = $2, valid_to = $3, revoked_on = $4, note = $5, version = version + 1 WHERE id = $6 AND version = $7")
            .bind(spec.actor)
            .bind(date_string(spec.from))
            .bind(date_string(spec.to))
            .bind(opt_day_text(spec.revoked_on))
            .bind(&spec.note)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(stale());
        }
        let before = LicenceSpec {
            actor: current.actor,
            from: current.from,
            to: current.to,
            revoked_on: current.revoked_on,
            note: current.note.clone(),
        };
        let action = if current.revoked_on.is_none() && spec.revoked_on.is_some() {
            "revoke"
        } else {
            "update"
        };
        audit(
            &mut tx,
            actor,
            action,
            "brand_licence",
            &id.to_string(),
            Some(licence_json(brand, &before, current.version)),
            Some(licence_json(brand, spec, expected_version + 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every chain with its links and output, by id.
    pub async fn chains(&self) -> Result<Vec<Chain>, StoreError> {
        let rows = sqlx::query("SELECT id, name, brand_id, note, version FROM chains ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let actors = sqlx::query(
            "SELECT chain_id, kind, actor_id FROM chain_link_actors ORDER BY chain_id, kind, actor_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let villages = sqlx::query("SELECT chain_id, kind, village_code FROM chain_link_villages ORDER BY chain_id, kind, village_code")
            .fetch_all(&self.pool)
            .await?;
        let outputs = sqlx::query(
            "SELECT chain_id, year, output_fen, version FROM chain_outputs ORDER BY chain_id, year",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut chains = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let mut links: Vec<ChainLink> = LinkKind::ALL
                .iter()
                .map(|&kind| ChainLink {
                    kind,
                    actors: vec![],
                    villages: vec![],
                })
                .collect();
            let link_of = |kind: &str| -> Result<usize, StoreError> {
                let k = LinkKind::parse(kind).map_err(|e| corrupt("产业链环节", e))?;
                Ok(LinkKind::ALL.iter().position(|x| *x == k).unwrap_or(0))
            };
            for a in &actors {
                if a.try_get::<i64, _>("chain_id")? == id {
                    let i = link_of(&a.try_get::<String, _>("kind")?)?;
                    links[i].actors.push(a.try_get("actor_id")?);
                }
            }
            for v in &villages {
                if v.try_get::<i64, _>("chain_id")? == id {
                    let i = link_of(&v.try_get::<String, _>("kind")?)?;
                    links[i].villages.push(
                        VillageCode::parse(&v.try_get::<String, _>("village_code")?)
                            .map_err(|e| corrupt("村代码", e))?,
                    );
                }
            }
            links.retain(|l| !l.actors.is_empty() || !l.villages.is_empty());
            let mut output = Vec::new();
            for o in &outputs {
                if o.try_get::<i64, _>("chain_id")? == id {
                    output.push(ChainOutput {
                        year: DataYear::new(o.try_get("year")?)
                            .map_err(|e| corrupt("产值年份", e))?,
                        value: Fen(o.try_get("output_fen")?),
                        version: o.try_get("version")?,
                    });
                }
            }
            chains.push(Chain {
                id,
                name: r.try_get("name")?,
                brand: r.try_get("brand_id")?,
                note: r.try_get("note")?,
                links,
                output,
                version: r.try_get("version")?,
            });
        }
        Ok(chains)
    }

    pub async fn chain(&self, id: i64) -> Result<Option<Chain>, StoreError> {
        Ok(self.chains().await?.into_iter().find(|c| c.id == id))
    }

    /// Chains with at least one link village in `zone` on `day` (all chains when `None`).
    pub async fn chains_in_zone(
        &self,
        zone: Option<i64>,
        day: Date,
    ) -> Result<Vec<Chain>, StoreError> {
        let snap = self.snapshot().await?;
        Ok(self
            .chains()
            .await?
            .into_iter()
            .filter(|c| {
                zone.is_none_or(|z| {
                    c.villages().iter().any(|v| {
                        snap.membership_of(v, day)
                            .is_some_and(|m| m.zone == ZoneId(z))
                    })
                })
            })
            .collect())
    }

    /// The chains as the indicator figures read them: each distinct link village's zone in
    /// `year`.
    pub async fn chain_places(&self, year: i32) -> Result<Vec<ChainPlaces>, StoreError> {
        let snap = self.snapshot().await?;
        Ok(self
            .chains()
            .await?
            .iter()
            .map(|c| ChainPlaces {
                id: c.id,
                output: c.output.iter().map(|o| (o.year.get(), o.value)).collect(),
                village_zones: c
                    .villages()
                    .iter()
                    .map(|v| zone_in_year(&snap, v, year))
                    .collect(),
            })
            .collect())
    }

    /// Checks the brand, the actors and the villages a chain names, each error on its field.
    async fn check_chain(
        &self,
        snap: &Snapshot,
        spec: &ChainSpec,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut errors = Vec::new();
        if self
            .chains()
            .await?
            .iter()
            .any(|c| c.name == spec.name && Some(c.id) != except)
        {
            errors.push(DomainError::new(
                "duplicate",
                "name",
                format!("产业链「{}」已登记", spec.name),
            ));
        }
        if let Some(b) = spec.brand
            && self.brand(b).await?.is_none()
        {
            errors.push(DomainError::new(
                "unknown_brand",
                "brand",
                format!("品牌 {b} 不存在"),
            ));
        }
        let known: Vec<i64> = self.actors().await?.iter().map(|a| a.id).collect();
        for l in &spec.links {
            for a in &l.actors {
                if !known.contains(a) {
                    errors.push(DomainError::new(
                        "unknown_actor",
                        format!("links.{}.actors", l.kind.key()),
                        format!("{}环节的主体 {a} 不在主体名录中", l.kind.label()),
                    ));
                }
            }
            for v in &l.villages {
                if snap.division(v).is_none() {
                    errors.push(DomainError::new(
                        "unknown_village",
                        format!("links.{}.villages", l.kind.key()),
                        format!("{}环节的村代码「{v}」不在名录中", l.kind.label()),
                    ));
                }
            }
        }
        crate::error::all_valid(errors)
    }

    async fn write_links(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: i64,
        links: &[ChainLink],
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM chain_link_actors WHERE chain_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM chain_link_villages WHERE chain_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for l in links {
            for a in &l.actors {
                sqlx::query(
                    "INSERT INTO chain_link_actors (chain_id, kind, actor_id) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(l.kind.key())
                .bind(*a)
                .execute(&mut **tx)
                .await?;
            }
            for v in &l.villages {
                sqlx::query("INSERT INTO chain_link_villages (chain_id, kind, village_code) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(l.kind.key())
                    .bind(v.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// 登记产业链 with its links (district administrator).
    pub async fn create_chain(&self, actor: &Actor, spec: &ChainSpec) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, WHO)?;
        self.check_chain(&snap, spec, None).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "chains").await?;
        let sql = match spec.brand {
            Some(_) => "INSERT INTO chains (id, name, note, brand_id) VALUES ($1, $2, $3, $4)",
            None => "INSERT INTO chains (id, name, note, brand_id) VALUES ($1, $2, $3, NULL)",
        };
        let mut q = sqlx::query(sql).bind(id).bind(&spec.name).bind(&spec.note);
        if let Some(b) = spec.brand {
            q = q.bind(b);
        }
        q.execute(&mut *tx).await?;
        Self::write_links(&mut tx, id, &spec.links).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "chain",
            &id.to_string(),
            None,
            Some(chain_json(id, spec, 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a chain: name, brand, note and all its links at once.
    pub async fn update_chain(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &ChainSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, WHO)?;
        let current = self
            .chain(id)
            .await?
            .ok_or_else(|| not_found(format!("产业链 {id}")))?;
        let stale = || conflict(format!("产业链「{}」", current.name), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        self.check_chain(&snap, spec, Some(id)).await?;
        let mut tx = self.pool.begin().await?;
        let sql = match spec.brand {
            Some(_) => {
                "UPDATE chains SET name = $1, note = $2, version = version + 1, brand_id = $5 WHERE id = $3 AND version = $4"
            }
            None => {
                "UPDATE chains SET name = $1, note = $2, version = version + 1, brand_id = NULL WHERE id = $3 AND version = $4"
            }
        };
        let mut q = sqlx::query(sql)
            .bind(&spec.name)
            .bind(&spec.note)
            .bind(id)
            .bind(expected_version);
        if let Some(b) = spec.brand {
            q = q.bind(b);
        }
        if q.execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(stale());
        }
        Self::write_links(&mut tx, id, &spec.links).await?;
        let before = ChainSpec {
            name: current.name.clone(),
            brand: current.brand,
            note: current.note.clone(),
            links: current.links.clone(),
        };
        audit(
            &mut tx,
            actor,
            "update",
            "chain",
            &id.to_string(),
            Some(chain_json(id, &before, current.version)),
            Some(chain_json(id, spec, expected_version + 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets one year's output of a chain (`expected_version` 0 for a year not reported yet).
    pub async fn set_chain_output(
        &self,
        actor: &Actor,
        chain: i64,
        year: DataYear,
        expected_version: i64,
        value: Fen,
    ) -> Result<(), StoreError> {
        self.set_chain_outputs(
            actor,
            &[OutputRow {
                chain,
                year,
                value,
                version: expected_version,
            }],
        )
        .await
    }

    /// Sets several yearly outputs at once, all or nothing (the Excel import): every row's
    /// chain must exist and its version match, or nothing is written.
    pub async fn set_chain_outputs(
        &self,
        actor: &Actor,
        rows: &[OutputRow],
    ) -> Result<(), StoreError> {
        let _turn = self.write_lock.lock().await;
        require_admin(actor, WHO)?;
        let chains = self.chains().await?;
        let mut tx = self.pool.begin().await?;
        for row in rows {
            let c =
                chains
                    .iter()
                    .find(|c| c.id == row.chain)
                    .ok_or_else(|| StoreError::NotFound {
                        what: format!("产业链 {}", row.chain),
                    })?;
            let current = c.output_in(row.year.get());
            let have = current.map_or(0, |o| o.version);
            let stale = || StoreError::Conflict {
                what: format!("产业链「{}」{} 年产值", c.name, row.year.get()),
                current: have,
            };
            if have != row.version {
                return Err(stale());
            }
            let done = match current {
                None => sqlx::query(
                    "INSERT INTO chain_outputs (chain_id, year, output_fen, version) VALUES ($1, $2, $3, 1)",
                )
                .bind(c.id)
                .bind(i64::from(row.year.get()))
                .bind(row.value.0)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                Some(_) => sqlx::query(
                    "UPDATE chain_outputs SET output_fen = $1, version = version + 1 WHERE chain_id = $2 AND year = $3 AND version = $4",
                )
                .bind(row.value.0)
                .bind(c.id)
                .bind(i64::from(row.year.get()))
                .bind(row.version)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            if done != 1 {
                return Err(stale());
            }
            audit(
                &mut tx,
                actor,
                "output",
                "chain",
                &c.id.to_string(),
                current.map(|o| json!({"year": o.year.get(), "output_fen": o.value.0, "version": o.version})),
                Some(json!({"year": row.year.get(), "output_fen": row.value.0, "version": have + 1})),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// One row of a yearly output upload, the chain named as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputImportRow {
    pub row: usize,
    pub chain: String,
    pub year: DataYear,
    pub value: Fen,
    /// 0 for a year not reported before.
    pub version: i64,
}

impl Store {
    /// Checks a yearly output upload against the database (every chain known by name, every
    /// 版本 current) and, with `apply` and no problem, writes it all in one transaction.
    /// District administrator only.
    pub async fn import_chain_outputs(
        &self,
        actor: &Actor,
        rows: &[OutputImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        require_admin(actor, WHO)?;
        let chains = self.chains().await?;
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut writes = Vec::new();
        for r in rows {
            let Some(c) = chains.iter().find(|c| c.name == r.chain) else {
                report.errors.push(ImportRowError::new(
                    r.row,
                    "产业链",
                    &r.chain,
                    format!("产业链「{}」未登记：请使用平台中登记的名称", r.chain),
                ));
                continue;
            };
            let current = c.output_in(r.year.get());
            let have = current.map_or(0, |o| o.version);
            if have != r.version {
                report.errors.push(ImportRowError::new(
                    r.row,
                    "版本",
                    if r.version == 0 { String::new() } else { r.version.to_string() },
                    match current {
                        Some(o) if r.version == 0 => format!(
                            "「{}」{} 年产值已填报（{} 元，版本 {}）：请重新导出后在该行修改",
                            c.name,
                            r.year.get(),
                            o.value.yuan_string(),
                            o.version
                        ),
                        _ => format!(
                            "「{}」{} 年产值在导出后已被修改（当前版本 {have}）：请重新导出最新数据后再改",
                            c.name,
                            r.year.get()
                        ),
                    },
                ));
                continue;
            }
            match current {
                Some(o) if o.value == r.value => report.unchanged += 1,
                Some(_) => report.updated += 1,
                None => report.created += 1,
            }
            if current.is_none_or(|o| o.value != r.value) {
                writes.push(OutputRow {
                    chain: c.id,
                    year: r.year,
                    value: r.value,
                    version: r.version,
                });
            }
        }
        report.ok = report.errors.is_empty();
        if report.ok && apply {
            self.set_chain_outputs(actor, &writes).await?;
            report.applied = true;
        }
        Ok(report)
    }

    /// Seeds the demo's brands, licences, chains and output (as the system actor), naming
    /// actors by credit code; returns (brands, licences, chains).
    pub async fn seed_demo_brands(
        &self,
        demo: &gongfu_demo::brands::DemoBrands,
    ) -> Result<(usize, usize, usize), StoreError> {
        let actor = Actor::system("demo");
        let ids: std::collections::HashMap<String, i64> = self
            .actors()
            .await?
            .into_iter()
            .map(|a| (a.credit_code.as_str().to_string(), a.id))
            .collect();
        let mut brand_ids = std::collections::HashMap::new();
        let mut licences = 0;
        for b in &demo.brands {
            let id = self.create_brand(&actor, &b.spec).await?;
            brand_ids.insert(b.spec.name.clone(), id);
            for l in &b.licences {
                let Some(&who) = ids.get(&l.actor_code) else {
                    continue;
                };
                self.create_licence(
                    &actor,
                    id,
                    &LicenceSpec {
                        actor: who,
                        from: l.from,
                        to: l.to,
                        revoked_on: l.revoked_on,
                        note: String::new(),
                    },
                )
                .await?;
                licences += 1;
            }
        }
        for c in &demo.chains {
            let spec = ChainSpec {
                name: c.name.clone(),
                brand: c.brand.as_ref().and_then(|b| brand_ids.get(b).copied()),
                note: c.note.clone(),
                links: gongfu_demo::brands::resolve_links(c, |code| ids.get(code).copied()),
            };
            let id = self.create_chain(&actor, &spec).await?;
            let rows: Vec<OutputRow> = c
                .output
                .iter()
                .map(|(year, value)| OutputRow {
                    chain: id,
                    year: *year,
                    value: *value,
                    version: 0,
                })
                .collect();
            self.set_chain_outputs(&actor, &rows).await?;
        }
        Ok((demo.brands.len(), licences, demo.chains.len()))
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::testing::demo_store;
    use gongfu_core::auth::Role;
    use gongfu_core::ops::brands::{BrandDraft, ChainDraft, ChainLinkDraft, LicenceDraft};
    use gongfu_core::work::actor::{ActorDraft, CreditCode};

    #[tokio::test]
    async fn brands_licences_chains_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let store = demo_store(dir.path(), 7).await;
        let admin = Actor::system("test");
        let b = store
            .create_brand(
                &admin,
                &BrandDraft {
                    name: "平水日铸".into(),
                    kind: "product".into(),
                    product: "日铸茶".into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
            )
            .await
            .unwrap();
        let code = CreditCode::complete("91330603MA2BCDEF0").unwrap();
        let a = store
            .create_actor(
                &admin,
                &ActorDraft {
                    name: "绍兴平水茶业有限公司".into(),
                    kind: "enterprise".into(),
                    credit_code: code.as_str().into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
            )
            .await
            .unwrap();
        let lic = LicenceDraft {
            actor: a.to_string(),
            from: "2025-01-01".into(),
            to: "2027-12-31".into(),
            ..Default::default()
        };
        let l = store
            .create_licence(&admin, b, &lic.parse().unwrap())
            .await
            .unwrap();
        let revoke = LicenceDraft {
            revoked_on: "2026-03-01".into(),
            ..lic.clone()
        };
        store
            .update_licence(&admin, b, l, 1, &revoke.parse().unwrap())
            .await
            .unwrap();
        let again = store
            .update_licence(&admin, b, l, 1, &revoke.parse().unwrap())
            .await
            .unwrap_err();
        assert!(matches!(again, StoreError::Conflict { .. }));
        let kept = store.licences(Some(b)).await.unwrap();
        assert_eq!(kept.len(), 1, "revoking keeps the row");
        assert!(kept[0].revoked_on.is_some());

        let village = "330603002232".to_string();
        let spec = ChainDraft {
            name: "茶产业链".into(),
            brand: Some(b),
            links: vec![ChainLinkDraft {
                kind: "growing".into(),
                actors: vec![a],
                villages: vec![village.clone()],
            }],
            ..Default::default()
        }
        .parse()
        .unwrap();
        let c = store.create_chain(&admin, &spec).await.unwrap();
        let y = DataYear::new(2025).unwrap();
        store
            .set_chain_output(&admin, c, y, 0, Fen(100))
            .await
            .unwrap();
        assert!(matches!(
            store.set_chain_output(&admin, c, y, 0, Fen(200)).await,
            Err(StoreError::Conflict { .. })
        ));
        store
            .set_chain_output(&admin, c, y, 1, Fen(200))
            .await
            .unwrap();
        let chain = store.chain(c).await.unwrap().unwrap();
        assert_eq!(
            chain.output_in(2025).map(|o| (o.value, o.version)),
            Some((Fen(200), 2))
        );
        let town = Actor {
            role: Role::Viewer,
            user_id: Some(9),
            name: "viewer".into(),
            address: String::new(),
        };
        assert!(matches!(
            store.create_chain(&town, &spec).await,
            Err(StoreError::Forbidden(_))
        ));
    }
}
