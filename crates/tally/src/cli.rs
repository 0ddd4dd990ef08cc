//! The command line: `serve` (the default), `migrate`, `admin …`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::config::{Config, Environment};
use crate::{http, telemetry, usecases};

#[derive(Debug, Parser)]
#[command(name = "tally", version, about = "Tally loyalty platform")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the pages, the API, the webhook receiver and the background workers.
    Serve,
    /// Apply the embedded database migrations.
    Migrate,
    /// Operator commands.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// Onboard a partner and its first user (the owner).
    CreatePartner {
        /// The business name.
        #[arg(long)]
        name: String,
        /// The owner's email address; they sign in at /partner/login with it.
        #[arg(long)]
        email: String,
        /// IANA timezone of the business (decides chart days and coupon expiry dates).
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Re-encrypt stored secrets under APP_SECRET_KEY after a key rotation (the old key
    /// must be in APP_SECRET_KEY_PREVIOUS); afterwards the previous key can be removed.
    Reencrypt,
    /// Create (once) a demo partner, club, card and members, and issue a fresh API token.
    SeedDemo {
        /// Print only {"partner_id","club_id","card_id","api_token","partner_email"}.
        #[arg(long)]
        json: bool,
        /// Also connect the demo card to this WooCommerce store (e.g. the simulator).
        #[arg(long, requires_all = ["consumer_key", "consumer_secret"])]
        store_url: Option<String>,
        #[arg(long)]
        consumer_key: Option<String>,
        #[arg(long)]
        consumer_secret: Option<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env().context("configuration")?;
    let url = config.database_url.expose_secret().to_owned();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let status = database::migrate::status(&url)
                .await
                .context("reading the database's migrations")?;
            if !status.is_current() {
                anyhow::bail!(
                    "the database is behind this version of Tally ({} migration(s) pending: {}); run `tally migrate` first",
                    status.pending.len(),
                    status.pending.join(", ")
                );
            }
            if config.env == Environment::Dev && config.generated_key {
                tracing::warn!("dev mode: using a generated APP_SECRET_KEY kept in TALLY_DEV_DIR");
            }
            http::serve(config).await
        }
        Command::Migrate => {
            let applied = database::migrate::run_pending(&url)
                .await
                .context("migrating")?;
            if applied.is_empty() {
                eprintln!("The database is up to date.");
            } else {
                for name in &applied {
                    eprintln!("applied {name}");
                }
                eprintln!("{} migration(s) applied.", applied.len());
            }
            Ok(())
        }
        Command::Admin(admin) => {
            let pool = database::connect(
                &url,
                database::PoolOptions {
                    max_size: 2,
                    ..Default::default()
                },
            )?;
            ensure_migrated(&url).await?;
            match admin {
                Admin::CreatePartner {
                    name,
                    email,
                    timezone,
                } => {
                    let created = usecases::onboarding::create_partner(
                        &pool,
                        &usecases::onboarding::PartnerForm {
                            name,
                            email,
                            timezone,
                        },
                        time::OffsetDateTime::now_utc(),
                    )
                    .await?;
                    println!(
                        "Partner {} created (id {}). {} can sign in at {}/partner/login.",
                        created.partner.name,
                        created.partner.id,
                        created.owner.email,
                        config.public_base_url
                    );
                    Ok(())
                }
                Admin::Reencrypt => {
                    let moved = usecases::secrets::reencrypt_all(&pool, &config.keys).await?;
                    println!("{moved} stored secret(s) moved to the current key.");
                    Ok(())
                }
                Admin::SeedDemo {
                    json,
                    store_url,
                    consumer_key,
                    consumer_secret,
                } => {
                    let now = time::OffsetDateTime::now_utc();
                    let seeded = usecases::demo::seed(&pool, &config.keys, now).await?;
                    if let (Some(store_url), Some(key), Some(secret)) =
                        (store_url, consumer_key, consumer_secret)
                    {
                        let woo = http::woo_client(&config)?;
                        let connected = usecases::demo::connect_store(
                            &pool,
                            &config,
                            woo.as_ref(),
                            &seeded,
                            usecases::connect::ConnectForm {
                                card_id: seeded.card_id,
                                store_url,
                                consumer_key: key,
                                consumer_secret: secret,
                            },
                            now,
                        )
                        .await?;
                        eprintln!("Demo store connected ({:?}).", connected.webhook);
                    }
                    if json {
                        println!("{}", seeded.to_json());
                    } else {
                        println!("{}", seeded.describe(&config.public_base_url));
                    }
                    Ok(())
                }
            }
        }
    }
}

async fn ensure_migrated(url: &str) -> anyhow::Result<()> {
    let status = database::migrate::status(url).await?;
    if !status.is_current() {
        anyhow::bail!("the database has pending migrations; run `tally migrate` first");
    }
    Ok(())
}
