//! `gongfu`: the one binary of the platform.
//!
//! `gongfu serve [--demo] [--db PATH_OR_URL] [--addr HOST:PORT]` runs the web platform;
//! `gongfu demo --db …` only seeds the demo district; `gongfu init --db …` loads the real
//! division list into a new database.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use gongfu_core::auth::Role;
use gongfu_store::seed::SeedOutcome;
use gongfu_store::{Actor, Store};

mod plan_cli;
mod plan_sites;

#[derive(Parser)]
#[command(
    name = "gongfu",
    version,
    about = "共富片区管理平台 (Gongfu): rural common-prosperity zones"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// SQLite file path (created if missing) or a postgres:// URL. Default: $GONGFU_DATABASE_URL,
    /// else gongfu.db in the current directory.
    #[arg(long)]
    db: Option<String>,
}

impl DbArg {
    fn resolve(&self) -> String {
        self.db
            .clone()
            .or_else(|| std::env::var("GONGFU_DATABASE_URL").ok())
            .unwrap_or_else(|| "gongfu.db".into())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web platform.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Seed the demo district into an empty database first (never touches real data).
        #[arg(long)]
        demo: bool,
        /// Seed for the demo generator.
        #[arg(long, default_value_t = 20240301)]
        seed: u64,
    },
    /// Seed the demo district into an empty database and exit.
    Demo {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 20240301)]
        seed: u64,
    },
    /// Load the real 柯桥区 division list into a new, empty database.
    Init {
        #[command(flatten)]
        db: DbArg,
    },
    /// Back up a SQLite database to FILE while the platform keeps serving.
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to write (must not exist).
        file: std::path::PathBuf,
    },
    /// Replace a SQLite database with a backup (stop the platform first).
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to restore.
        file: std::path::PathBuf,
    },
    /// Planning on files: `plan zones` (the zone planner), `plan sites` (the service planner).
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Accounts: create a district administrator, issue an API token.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Propose contiguous zones from a GeoJSON + edge list (the comparison contract).
    Zones(plan_cli::ZonesArgs),
    /// Choose service sites (p-median, MCLP, LSCP, p-center) with a certified bound.
    Sites(plan_sites::SitesArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a district administrator; the password is read from standard input.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// Name shown in the UI and the audit log.
        #[arg(long, default_value = "区管理员")]
        display_name: String,
    },
    /// Issue an API token for a user (printed once).
    Token {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "命令行创建")]
        name: String,
    },
}

fn bundled() -> Result<(Vec<gongfu_demo::TownCentre>, Vec<gongfu_demo::DivisionRow>)> {
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV)
        .map_err(anyhow::Error::msg)
        .context("bundled town_centres.csv")?;
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV)
        .map_err(anyhow::Error::msg)
        .context("bundled keqiao_divisions.csv")?;
    Ok((towns, divisions))
}

/// One demo account per role, each with a fresh random password printed once (or, for
/// automated tests, the password in `GONGFU_DEMO_PASSWORD`).
async fn demo_accounts(store: &Store, district: &gongfu_demo::DemoDistrict) -> Result<()> {
    let pilot = district
        .pilot_zones
        .first()
        .context("demo without pilot zones")?;
    let roles = [
        ("admin", "区农业农村局管理员", Role::Admin),
        (
            "department",
            "区自然资源分局",
            Role::Department {
                unit: "区自然资源分局".into(),
            },
        ),
        (
            "town",
            "镇街用户",
            Role::Town {
                town: gongfu_core::TownCode::parse(&pilot.town_code)?,
            },
        ),
        (
            "village",
            "村用户",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&pilot.key_village)?,
            },
        ),
        (
            "operator",
            "运营团队",
            Role::Operator {
                team: "演示运营团队".into(),
            },
        ),
        ("viewer", "查看/审计", Role::Viewer),
    ];
    let fixed = std::env::var("GONGFU_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    println!("演示账号（密码只显示这一次）：");
    for (username, name, role) in roles {
        let password = fixed.clone().unwrap_or_else(|| {
            let bytes: [u8; 9] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        });
        store
            .create_user(&Actor::system("demo"), username, name, &role, &password)
            .await?;
        println!("  {username:<10} {password}   {}（{}）", name, role.label());
    }
    Ok(())
}

async fn seed_demo(store: &Store, seed: u64) -> Result<()> {
    let (towns, divisions) = bundled()?;
    let district = gongfu_demo::generate(&divisions, &towns, seed);
    match store.seed_demo(&towns, &divisions, &district).await? {
        SeedOutcome::Seeded {
            divisions: n,
            zones,
        } => {
            tracing::info!(
                divisions = n,
                zones,
                seed,
                "demo district seeded (演示数据)"
            );
            demo_accounts(store, &district).await?;
            // A year of zone work (plans, meetings, projects, action items) up to today.
            let work = gongfu_demo::work::generate_work(
                &divisions,
                &district,
                gongfu_store::service::today(),
                seed,
            );
            let seeded = store.seed_demo_work(&work).await?;
            tracing::info!(?seeded, "demo zone work seeded");
            // Common-prosperity elements of the pilot zones (共富工坊, 市集 …).
            let elements = gongfu_demo::elements::generate_elements(
                &divisions,
                &district,
                gongfu_store::service::today(),
                seed,
            );
            for e in &elements {
                store.create_element(&Actor::system("demo"), e).await?;
            }
            tracing::info!(elements = elements.len(), "demo elements seeded");
            // Operating teams of the pilot zones, their KPIs, evaluations and operation plans.
            let teams =
                gongfu_demo::teams::generate_teams(&district, gongfu_store::service::today(), seed);
            seed_demo_teams(store, &teams).await?;
            tracing::info!(teams = teams.teams.len(), "demo teams seeded");
            // Talent (人才共创): trainings, entrepreneurs with support, reviews and awards.
            let talent = gongfu_demo::talent::generate_talent(
                &divisions,
                &district,
                gongfu_store::service::today(),
                seed,
            );
            let seeded = store.seed_demo_talent(&talent).await?;
            tracing::info!(?seeded, "demo talent seeded");
            // Benefit sharing (利益共享): zone companies and a co-operative with their
            // registers and an approved 2025 distribution.
            let equity = gongfu_demo::equity::generate_equity(&divisions, &district, seed);
            let seeded = store.seed_demo_equity(&equity).await?;
            tracing::info!(?seeded, "demo equity seeded");
            // Brands and the "6+X" industry chains (品牌与产业链), licensed to the actors above.
            let brands = gongfu_demo::brands::generate_brands(&divisions, &district, &work, seed);
            let (b, l, c) = store.seed_demo_brands(&brands).await?;
            tracing::info!(
                brands = b,
                licences = l,
                chains = c,
                "demo brands and chains seeded"
            );
            // Scoring and awards (四联四共评分与奖补): 2025 entries for every zone and team,
            // reviewed and approved by different officials, and the approved 2025 award list.
            // Last, so the platform figures read every record seeded above.
            let (scored, paid) = store.seed_demo_scoring(2025, seed).await?;
            tracing::info!(scored, paid_fen = paid.0, "demo scoring and awards seeded");
        }
        SeedOutcome::AlreadyDemo => tracing::info!("database already holds the demo district"),
    }
    Ok(())
}

/// Stores the demo's operating teams, finding the pilot zones by name.
async fn seed_demo_teams(store: &Store, demo: &gongfu_demo::teams::DemoTeams) -> Result<()> {
    use gongfu_core::ops::teams::{TeamSpec, ZoneService};
    use gongfu_store::teams::LogoChange;
    let system = Actor::system("demo");
    let snap = store.snapshot().await?;
    let zone_id = |name: &str| snap.zones.iter().find(|z| z.name == name).map(|z| z.id.0);
    for t in &demo.teams {
        let spec = TeamSpec {
            name: t.name.clone(),
            credit_code: Some(t.credit_code.clone()),
            contact_person: t.contact_person.clone(),
            phone: String::new(),
            business_types: t.business_types.clone(),
            contract_start: t.contract_start,
            contract_end: t.contract_end,
            terms: t.terms.clone(),
            actor: None,
            zones: t
                .zones
                .iter()
                .filter_map(|(z, from)| {
                    zone_id(z).map(|zone| ZoneService {
                        zone,
                        from: *from,
                        until: None,
                    })
                })
                .collect(),
        };
        let id = store.create_team(&system, &spec).await?;
        for (z, year, k) in &t.kpis {
            if let (Some(zone), Ok(year)) =
                (zone_id(z), gongfu_core::DataYear::new(i64::from(*year)))
            {
                store.put_kpi(&system, id, zone, year, None, k).await?;
            }
        }
        for e in &t.evaluations {
            store.add_evaluation(&system, id, e).await?;
        }
    }
    for p in &demo.plans {
        if let Some(zone) = zone_id(&p.zone) {
            let logo = LogoChange::Set(format!("{}.png", p.plan.ip_name), p.logo_png.clone());
            store
                .put_operation_plan(&system, zone, None, &p.plan, &logo)
                .await?;
        }
    }
    Ok(())
}

async fn open(db: &DbArg) -> Result<Store> {
    let url = db.resolve();
    tracing::info!(db = %gongfu_store::db::redact_url(&url), "opening database");
    Store::open(&url).await.with_context(|| {
        format!(
            "cannot open database {}",
            gongfu_store::db::redact_url(&url)
        )
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Plan {
            command: PlanCommand::Zones(args),
        } => plan_cli::zones(args)?,
        Command::Plan {
            command: PlanCommand::Sites(args),
        } => plan_sites::sites(args)?,
        Command::Serve {
            db,
            addr,
            demo,
            seed,
        } => {
            let store = open(&db).await?;
            if demo {
                seed_demo(&store, seed).await?;
            } else if store.is_empty().await? {
                let (towns, divisions) = bundled()?;
                let n = store
                    .load_registry(&Actor::system("init"), &towns, &divisions)
                    .await?;
                tracing::info!(
                    divisions = n,
                    "empty database: loaded the 柯桥区 division list"
                );
            }
            let state = gongfu_web::AppState::new(store);
            println!("共富片区管理平台 listening on http://{addr}");
            gongfu_web::serve(state, addr).await?;
        }
        Command::Demo { db, seed } => {
            let store = open(&db).await?;
            seed_demo(&store, seed).await?;
        }
        Command::Backup { db, file } => {
            let store = open(&db).await?;
            store.backup(&file).await?;
            println!("backup written to {}", file.display());
        }
        Command::Restore { db, file } => {
            let url = gongfu_store::db::database_url(&db.resolve());
            let Some(path) = url
                .strip_prefix("sqlite://")
                .map(|p| p.split('?').next().unwrap_or(p).to_string())
            else {
                bail!("restore replaces a SQLite file; for PostgreSQL use pg_restore");
            };
            gongfu_store::db::restore_sqlite(&file, std::path::Path::new(&path)).await?;
            println!("restored {} from {}", path, file.display());
        }
        Command::Admin { command } => match command {
            AdminCommand::Create {
                db,
                username,
                display_name,
            } => {
                let store = open(&db).await?;
                let mut password = String::new();
                std::io::stdin()
                    .read_line(&mut password)
                    .context("reading the password from standard input")?;
                let password = password.trim_end_matches(['\r', '\n']);
                let id = store
                    .create_user(
                        &Actor::system("admin-cli"),
                        &username,
                        &display_name,
                        &Role::Admin,
                        password,
                    )
                    .await?;
                println!("created district administrator {username} (id {id})");
            }
            AdminCommand::Token { db, username, name } => {
                let store = open(&db).await?;
                let user = store
                    .user_by_name(&username)
                    .await?
                    .with_context(|| format!("no user named {username}"))?;
                let token = store
                    .create_api_token(&Actor::system("admin-cli"), &user, &name)
                    .await?;
                println!("{token}");
            }
        },
        Command::Init { db } => {
            let store = open(&db).await?;
            if !store.is_empty().await? {
                bail!("database already holds a registry");
            }
            let (towns, divisions) = bundled()?;
            let n = store
                .load_registry(&Actor::system("init"), &towns, &divisions)
                .await?;
            println!("loaded {n} divisions");
        }
    }
    Ok(())
}
