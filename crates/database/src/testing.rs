//! Per-test databases (feature `testing`).
//!
//! A template database is migrated once per set of migrations (its name carries a hash
//! of `migrations/`), under a PostgreSQL advisory lock because nextest runs every test in
//! its own process. Each test then gets a fresh database cloned from the template, which
//! is dropped when the [`TestDatabase`] is dropped. Databases left by crashed runs (their
//! process is gone) and templates of older migrations are swept when a template is made.
//!
//! The server comes from `DATABASE_URL` (any database on it; `cargo xtask test` sets it)
//! or else `postgres://$USER@127.0.0.1:5432/postgres`. When it cannot be reached the test
//! fails and says what to start; it never skips.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::{migrate, Pool, PoolOptions};

const TEST_PREFIX: &str = "tally_test_";
const TEMPLATE_PREFIX: &str = "tally_tpl_";
const LOCK_KEY: i64 = 0x7a11_7e57;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, migrated database for one test; dropped with it.
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
    pool: Pool,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// The server's URL for administrative statements (creating databases).
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        let user = std::env::var("USER").unwrap_or_else(|_| "postgres".into());
        format!("postgres://{user}@127.0.0.1:5432/postgres")
    })
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A hash of every migration file: a new migration means a new template.
pub fn migrations_hash() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for path in files {
        hasher.update(
            path.strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&path).unwrap());
    }
    let digest = hasher.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
    {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

async fn admin_connection(url: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(url).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach PostgreSQL at {url}: {e}\n\
             Start it (on Debian: `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or install it with `apt-get install postgresql`), or run the tests with `cargo xtask test`, \
             which provisions one, or set DATABASE_URL to a server you can create databases on."
        )
    })
}

async fn database_names(conn: &mut AsyncPgConnection, prefix: &str) -> Vec<String> {
    // Newest first (oids grow), so a sweep can keep the most recent ones.
    diesel::sql_query(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid DESC",
    )
    .bind::<Text, _>(prefix)
    .load::<Name>(conn)
    .await
    .expect("list databases")
    .into_iter()
    .map(|n| n.datname)
    .collect()
}

async fn drop_database(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(conn)
        .await
        .is_ok()
}

fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Drops test databases whose process is gone.
async fn sweep_tests(conn: &mut AsyncPgConnection) {
    for name in database_names(conn, TEST_PREFIX).await {
        let pid = name
            .trim_start_matches(TEST_PREFIX)
            .split('_')
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if matches!(pid, Some(pid) if !process_alive(pid)) {
            drop_database(conn, &name).await;
        }
    }
}

/// Other checkouts on this server (branches with other migrations) may be running tests
/// on their templates right now: the newest few are kept, older ones dropped.
const TEMPLATES_KEPT: usize = 4;

/// Drops templates of other migrations but the newest [`TEMPLATES_KEPT`], and any
/// half-built one (built under the lock this caller holds, so abandoned).
async fn sweep_templates(conn: &mut AsyncPgConnection, template: &str) {
    let (building, built): (Vec<String>, Vec<String>) = database_names(conn, TEMPLATE_PREFIX)
        .await
        .into_iter()
        .filter(|n| n != template)
        .partition(|n| n.ends_with("_wip"));
    let old = built.into_iter().skip(TEMPLATES_KEPT - 1);
    for name in building.into_iter().chain(old) {
        diesel::sql_query(format!("ALTER DATABASE \"{name}\" WITH IS_TEMPLATE false"))
            .execute(conn)
            .await
            .ok();
        drop_database(conn, &name).await;
    }
}

async fn ensure_template(admin_url: &str, hash: &str) -> String {
    let template = format!("{TEMPLATE_PREFIX}{hash}");
    let mut conn = admin_connection(admin_url).await;
    diesel::sql_query(format!("SELECT pg_advisory_lock({LOCK_KEY})"))
        .execute(&mut conn)
        .await
        .expect("advisory lock");
    sweep_tests(&mut conn).await;
    if database_names(&mut conn, &template)
        .await
        .iter()
        .all(|n| n != &template)
    {
        sweep_templates(&mut conn, &template).await;
        let building = format!("{template}_wip");
        drop_database(&mut conn, &building).await;
        diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(&mut conn)
            .await
            .expect("create template database");
        migrate::run_pending(&with_database(admin_url, &building))
            .await
            .expect("migrate the template database");
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
        ))
        .execute(&mut conn)
        .await
        .expect("publish the template database");
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
        .execute(&mut conn)
        .await
        .expect("advisory unlock");
    template
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// A fresh database with every migration applied and a pool of 10 connections.
    pub async fn new() -> TestDatabase {
        Self::with_pool(PoolOptions {
            max_size: 10,
            ..PoolOptions::default()
        })
        .await
    }

    pub async fn with_pool(options: PoolOptions) -> TestDatabase {
        let admin_url = admin_url();
        let hash = migrations_hash();
        let template = ensure_template(&admin_url, &hash).await;
        let name = format!(
            "{TEST_PREFIX}{hash}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = admin_connection(&admin_url).await;
        diesel::sql_query(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
        let url = with_database(&admin_url, &name);
        let pool = crate::connect(&url, options).expect("pool");
        TestDatabase {
            name,
            url,
            admin_url,
            pool,
        }
    }

    /// An empty database with no migrations applied (for migration tests).
    pub async fn empty() -> TestDatabase {
        let admin_url = admin_url();
        let name = format!(
            "{TEST_PREFIX}empty_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = admin_connection(&admin_url).await;
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
        let url = with_database(&admin_url, &name);
        let pool = crate::connect(&url, PoolOptions::default()).expect("pool");
        TestDatabase {
            name,
            url,
            admin_url,
            pool,
        }
    }

    /// Drops the database now, cutting every connection to it (to test what happens
    /// when the database goes away under a running server).
    pub async fn terminate_and_drop(&self) {
        let mut conn = admin_connection(&self.admin_url).await;
        assert!(
            drop_database(&mut conn, &self.name).await,
            "drop {}",
            self.name
        );
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.pool.close();
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a thread with its own runtime can block.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = AsyncPgConnection::establish(&admin_url).await.ok()?;
                Some(drop_database(&mut conn, &name).await)
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(true))) {
            eprintln!(
                "warning: test database {} was not dropped; the next run sweeps it",
                self.name
            );
        }
    }
}
