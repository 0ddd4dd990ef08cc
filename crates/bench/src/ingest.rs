//! The ingest benchmark, start to end, on a database of its own:
//!
//! 1. a fresh database on the server of `DATABASE_URL` (its durability settings printed;
//!    refused when `fsync` or `synchronous_commit` is off), migrated, with a store;
//! 2. the statements of real deliveries captured and the pgbench script derived;
//! 3. the release `tally serve`; a warm-up, then `ANALYZE` (the statistics autovacuum
//!    keeps in production); the load generator (new orders, then every order twice); the
//!    server's peak RSS; every order checked to be awarded exactly once;
//! 4. `ANALYZE`, then pgbench with the script at the same concurrency and duration;
//! 5. the report; the database dropped (also on failure or Ctrl-C).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;

use crate::loadgen::Outcome;
use crate::postgres::{self, BenchDatabase, PgUrl, Tools};
use crate::server::{sibling_binary, Server};
use crate::store::Store;
use crate::{capture, check, pgbench, profile, report, script, store};

/// Orders of the load generator: new orders from here, warm-up ones from
/// [`WARMUP_ORDERS`], duplicated ones from [`DUPLICATE_ORDERS`], captured ones from
/// [`CAPTURED_ORDERS`].
pub const NEW_ORDERS: i64 = 1_000_000;
pub const WARMUP_ORDERS: i64 = 50_000_000;
pub const DUPLICATE_ORDERS: i64 = 100_000_000;
pub const CAPTURED_ORDERS: i64 = 900_000_000;
/// Captured deliveries: one to open the connection, two to compare, more for alphabets.
const CAPTURES: usize = 6;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ingest",
    about = "Tally's ingest benchmark (run it with `cargo xtask bench ingest`)"
)]
pub struct Options {
    /// Deliveries in flight (and pgbench clients).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Seconds measured, for each run.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Seconds of deliveries before the measured window (then the database is analyzed,
    /// as autovacuum keeps a production database, and one more second is not measured).
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    /// pgbench worker threads.
    #[arg(long, default_value_t = 2)]
    pub pgbench_threads: usize,
    /// pgbench's protocol: `prepared` (as Tally's cached statements), `extended` (parse
    /// and plan every statement, as Tally's uncached ones) or `simple`.
    #[arg(long, default_value = "prepared")]
    pub pgbench_protocol: String,
    /// Skip the variant where every order is delivered twice.
    #[arg(long)]
    pub no_duplicates: bool,
    /// Skip pgbench (Tally's figures only).
    #[arg(long)]
    pub no_pgbench: bool,
    /// Extra environment for `tally serve`, e.g. `DATABASE_POOL_SIZE=16` (repeatable).
    #[arg(long = "server-env", value_name = "KEY=VALUE")]
    pub server_env: Vec<String>,
    /// Profile the measured windows: `perf record -a -g` and PostgreSQL wait events.
    #[arg(long)]
    pub profile: bool,
    /// Leave the bench database in place for investigation (drop it yourself).
    #[arg(long)]
    pub keep_database: bool,
    /// Where the script, logs and profiles go (default: target/bench/ingest).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the benchmark; the database is dropped however it ends.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")
        .context("DATABASE_URL must name a server where this role may create databases (cargo xtask bench ingest provides it)")?;
    let admin = PgUrl::parse(&url)?;
    let tools = Tools::find()?;
    let dir = match &options.out {
        Some(dir) => dir.clone(),
        None => default_out_dir()?,
    };
    std::fs::create_dir_all(&dir)?;
    let mut database = BenchDatabase::create(&tools, &admin)?;
    eprintln!(
        "bench: database {} on {}",
        database.url.database,
        admin.address()
    );
    let outcome = tokio::select! {
        outcome = phases(&options, &tools, &database.url, &dir) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        _ = terminated() => Err(anyhow::anyhow!("terminated")),
    };
    let dropped = if options.keep_database {
        database.keep();
        eprintln!("bench: kept database {}", database.url);
        Ok(())
    } else {
        database.drop_now()
    };
    let figures = outcome?;
    dropped?;
    figures.print();
    Ok(())
}

/// SIGTERM (on Unix); never elsewhere.
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut signal) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        signal.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}

fn default_out_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/<profile>/ingest → target/bench/ingest
    let target = exe
        .parent()
        .and_then(|p| p.parent())
        .context("no target directory")?;
    Ok(target.join("bench").join("ingest"))
}

fn parse_env(pairs: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("--server-env {p}: expected KEY=VALUE"))
        })
        .collect()
}

async fn phases(
    options: &Options,
    tools: &Tools,
    url: &PgUrl,
    dir: &std::path::Path,
) -> anyhow::Result<report::Figures> {
    let durability = postgres::durability(tools, url)?;
    let shown: Vec<String> = durability.iter().map(|(k, v)| format!("{k}={v}")).collect();
    eprintln!("bench: PostgreSQL durability: {}", shown.join(" "));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    database::migrate::run_pending(&url.to_string())
        .await
        .context("migrating the bench database")?;
    let pool = database::connect(
        &url.to_string(),
        database::PoolOptions {
            max_size: 8,
            wait_timeout: Duration::from_secs(30),
        },
    )?;
    let store = store::connect(&pool).await?;

    eprintln!("bench: capturing the statements of {CAPTURES} deliveries");
    let captured = capture::deliveries(url, &pool, &store, CAPTURED_ORDERS, CAPTURES).await?;
    let (Some(a), Some(b), Some(samples)) = (captured.get(1), captured.get(2), captured.get(1..))
    else {
        bail!("too few captured deliveries");
    };
    let script = script::derive(a, b, samples, options.concurrency)?;
    let script_path = dir.join("delivery.sql");
    std::fs::write(&script_path, &script.text)?;
    eprintln!(
        "bench: pgbench script of {} statements: {}",
        script.statements,
        script_path.display()
    );

    let server = Server::start(&url.to_string(), dir, &parse_env(&options.server_env)?).await?;
    eprintln!(
        "bench: tally serve (pid {}) at {}",
        server.pid, server.base_url
    );
    let warm = if options.warmup > 0 {
        let warm = load(
            options,
            &server,
            &store,
            WARMUP_ORDERS,
            false,
            (0, options.warmup),
        )
        .await?;
        eprintln!("bench: warm-up: {} deliveries", warm.deliveries);
        warm.orders
    } else {
        0
    };
    analyze(tools, url)?;
    let profiling = options.profile.then(|| {
        let (tools, url, dir, pid) = (tools.clone(), url.clone(), dir.to_path_buf(), server.pid);
        let (delay, duration) = (
            Duration::from_secs(2),
            Duration::from_secs(options.duration.saturating_sub(2).max(1)),
        );
        tokio::spawn(async move {
            profile::sample(&tools, &url, Some(pid), &dir, "tally", delay, duration).await
        })
    });
    let unique = load(
        options,
        &server,
        &store,
        NEW_ORDERS,
        false,
        (1, options.duration),
    )
    .await?;
    eprintln!(
        "bench: new orders: {:.1} deliveries/s, p99 {:.2} ms",
        unique.per_second(),
        unique.quantile_ms(0.99)
    );
    if let Some(profiling) = profiling {
        eprintln!("{}", profiling.await??);
    }
    let duplicates = if options.no_duplicates {
        None
    } else {
        let dup = load(
            options,
            &server,
            &store,
            DUPLICATE_ORDERS,
            true,
            (0, options.duration),
        )
        .await?;
        eprintln!(
            "bench: every order twice: {:.1} deliveries/s, p99 {:.2} ms",
            dup.per_second(),
            dup.quantile_ms(0.99)
        );
        Some(dup)
    };
    let peak_rss_kib = server.peak_rss_kib()?;
    server.stop().await?;

    check::orders(&pool, &store, WARMUP_ORDERS, warm)
        .await?
        .ensure_exactly_once("warm-up orders")?;
    let unique_totals = check::orders(&pool, &store, NEW_ORDERS, unique.orders).await?;
    unique_totals.ensure_exactly_once("new orders")?;
    let duplicates = match duplicates {
        Some(dup) => {
            let totals = check::orders(&pool, &store, DUPLICATE_ORDERS, dup.orders).await?;
            totals.ensure_exactly_once("every order delivered twice")?;
            eprintln!(
                "bench: duplicates: {} deliveries of {} orders, each awarded exactly once",
                dup.deliveries, totals.orders
            );
            Some((dup, totals))
        }
        None => None,
    };
    pool.close();

    let pgbench = if options.no_pgbench {
        pgbench::Outcome::skipped()
    } else {
        analyze(tools, url)?;
        eprintln!("bench: pgbench with the derived script");
        let profiling = options.profile.then(|| {
            let (tools, url, dir) = (tools.clone(), url.clone(), dir.to_path_buf());
            let duration = Duration::from_secs(options.duration.saturating_sub(2).max(1));
            tokio::spawn(async move {
                profile::sample(
                    &tools,
                    &url,
                    None,
                    &dir,
                    "pgbench",
                    Duration::from_secs(1),
                    duration,
                )
                .await
            })
        });
        let load = pgbench::Load {
            clients: options.concurrency,
            threads: options.pgbench_threads,
            protocol: options.pgbench_protocol.clone(),
            duration: Duration::from_secs(options.duration),
        };
        let outcome = pgbench::run(tools, url, &script, dir, &load).await?;
        if let Some(profiling) = profiling {
            eprintln!("{}", profiling.await??);
        }
        outcome
    };
    Ok(report::Figures {
        cores,
        concurrency: options.concurrency,
        duration_s: options.duration as f64,
        warmup_s: options.warmup as f64,
        durability,
        script_statements: script.statements,
        script_kinds: script
            .kinds
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect(),
        script_path: script_path.display().to_string(),
        unique,
        unique_totals,
        duplicates,
        peak_rss_kib,
        pgbench,
    })
}

/// One run of the `loadgen` binary against `server`.
async fn load(
    options: &Options,
    server: &Server,
    store: &Store,
    first_order: i64,
    duplicates: bool,
    (warmup, duration): (u64, u64),
) -> anyhow::Result<Outcome> {
    let mut command = tokio::process::Command::new(sibling_binary("loadgen")?);
    command
        .arg("--url")
        .arg(format!("{}{}", server.base_url, store.path()))
        .args(["--secret", crate::WEBHOOK_SECRET])
        .args(["--concurrency", &options.concurrency.to_string()])
        .args(["--duration", &duration.to_string()])
        .args(["--warmup", &warmup.to_string()])
        .args(["--first-order", &first_order.to_string()])
        .kill_on_drop(true);
    if duplicates {
        command.arg("--duplicates");
    }
    let out = command.output().await.context("running loadgen")?;
    if !out.status.success() {
        bail!(
            "the load generator failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Outcome::from_lines(&String::from_utf8_lossy(&out.stdout))
}

/// `ANALYZE`: the statistics autovacuum keeps on a production database. A fresh
/// database has none, and plans cached without them can be very wrong: the generic plan
/// of `posting::find_by_key` then scans every entry of the partner.
fn analyze(tools: &Tools, url: &PgUrl) -> anyhow::Result<()> {
    tools.psql(url, "ANALYZE")?;
    Ok(())
}
