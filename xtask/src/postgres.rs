//! Finding a PostgreSQL server for `dev`, `test` and `seed`, in this order:
//!
//! 1. `DATABASE_URL` from the environment or `.env`: used as given;
//! 2. a server answering on 127.0.0.1:5432 with a role we can log in as without a
//!    password and that may create databases;
//! 3. a private cluster under `target/pg` (see [`crate::cluster`]); `--private-db` goes
//!    straight here.
//!
//! `dev` and `seed` get a URL of the `tally_dev` database (created when missing); `test`
//! gets the admin URL of the `postgres` database, from which the test harness creates
//! one database per test.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::cluster::{self, Cluster};
use crate::pg_bins;
use crate::process;
use crate::{bail, Result};

/// The database `dev` and `seed` use.
pub const DEV_DATABASE: &str = "tally_dev";

const SYSTEM_PORT: u16 = 5432;

/// What the URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The `tally_dev` database, created when missing.
    Dev,
    /// The `postgres` database of a role that may create databases.
    TestAdmin,
}

/// A database to hand to `tally` or the tests as `DATABASE_URL`. Dropping it stops the
/// private cluster if this run started one.
#[derive(Debug)]
pub struct Database {
    pub url: String,
    /// Where the URL came from, for humans.
    pub source: String,
    /// Held only to stop the cluster on drop.
    _cluster: Option<Cluster>,
}

impl Database {
    /// Tells the user (on stderr) which database this run uses.
    pub fn announce(&self) {
        eprintln!("xtask: database: {}", self.source);
        eprintln!("xtask: DATABASE_URL={}", self.url);
    }
}

/// Finds or starts a server and returns the URL for `purpose`.
pub fn provision(purpose: Purpose, private_db: bool) -> Result<Database> {
    if !private_db {
        if let Some(url) = crate::workspace::setting("DATABASE_URL") {
            return Ok(Database {
                url,
                source: "DATABASE_URL from the environment or .env".into(),
                _cluster: None,
            });
        }
        if let Some(database) = system_server(purpose)? {
            return Ok(database);
        }
    }
    let cluster = Cluster::start(&crate::workspace::root())?;
    let bins = cluster.bins().to_path_buf();
    let server = Server {
        psql: process::in_dir_or_path(Some(&bins), "psql"),
        port: cluster.port(),
        user: cluster::SUPERUSER.to_string(),
    };
    let database = match purpose {
        Purpose::Dev => server.ensure_database(DEV_DATABASE)?,
        Purpose::TestAdmin => "postgres".to_string(),
    };
    Ok(Database {
        url: server.url(&database),
        source: cluster.describe(),
        _cluster: Some(cluster),
    })
}

/// A server on 127.0.0.1 and a role that can log in to it without a password.
#[derive(Debug)]
pub struct Server {
    pub psql: PathBuf,
    pub port: u16,
    pub user: String,
}

impl Server {
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            self.user, self.port
        )
    }

    fn psql(&self, database: &str, sql: &str) -> Command {
        let mut command = Command::new(&self.psql);
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", &self.user, "-d", database])
            // No password prompt, no ~/.psqlrc, unaligned tuples only, stop on error.
            .args(["-w", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGCONNECT_TIMEOUT", "5");
        command
    }

    /// `select <expr>` as this role, or `None` when it cannot connect.
    pub fn select(&self, expression: &str) -> Option<String> {
        process::stdout_of(&mut self.psql("postgres", &format!("select {expression}")))
    }

    /// Creates `name` unless it exists; returns `name`.
    pub fn ensure_database(&self, name: &str) -> Result<String> {
        let exists = self.select(&format!(
            "count(*) from pg_database where datname = '{name}'"
        ));
        if exists.as_deref() != Some("1") {
            eprintln!("xtask: creating database {name} on 127.0.0.1:{}", self.port);
            let create = format!("CREATE DATABASE \"{name}\"");
            let output = process::output(&mut self.psql("postgres", &create))?;
            if !output.status.success() {
                bail!(
                    "could not create database {name} as {} on 127.0.0.1:{}: {}\n\
                     set DATABASE_URL, or use --private-db for a private cluster",
                    self.user,
                    self.port,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }
        Ok(name.to_string())
    }
}

/// Path 2: a server on 127.0.0.1:5432, if one answers and lets us in.
fn system_server(purpose: Purpose) -> Result<Option<Database>> {
    let address = SocketAddr::from(([127, 0, 0, 1], SYSTEM_PORT));
    if TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_err() {
        return Ok(None);
    }
    let bins = pg_bins::find_bins();
    let tool = |name| process::in_dir_or_path(bins.as_deref(), name);
    let pg_isready = tool("pg_isready");
    if process::exists(&pg_isready) {
        let mut check = Command::new(&pg_isready);
        check.args(["-q", "-h", "127.0.0.1", "-p", "5432", "-t", "3"]);
        if !process::succeeds(&mut check) {
            eprintln!("xtask: 127.0.0.1:5432 is open but pg_isready says it is not accepting connections; not using it");
            return Ok(None);
        }
    }
    let psql = tool("psql");
    if !process::exists(&psql) {
        eprintln!("xtask: something listens on 127.0.0.1:5432 but there is no psql to check it; not using it");
        return Ok(None);
    }
    let mut refused = Vec::new();
    for user in candidate_users() {
        let server = Server {
            psql: psql.clone(),
            port: SYSTEM_PORT,
            user,
        };
        match server
            .select("rolsuper or rolcreatedb from pg_roles where rolname = current_user")
            .as_deref()
        {
            Some("t") => {
                let database = match purpose {
                    Purpose::Dev => server.ensure_database(DEV_DATABASE)?,
                    Purpose::TestAdmin => "postgres".to_string(),
                };
                return Ok(Some(Database {
                    url: server.url(&database),
                    source: format!(
                        "the PostgreSQL server on 127.0.0.1:5432 (role {})",
                        server.user
                    ),
                    _cluster: None,
                }));
            }
            Some(_) => refused.push(format!("{} (may not create databases)", server.user)),
            None => refused.push(format!(
                "{} (cannot log in without a password)",
                server.user
            )),
        }
    }
    eprintln!(
        "xtask: a PostgreSQL server answers on 127.0.0.1:5432 but no usable role was found: {}; \
         set DATABASE_URL to use it",
        refused.join(", ")
    );
    Ok(None)
}

/// Roles worth trying on the system server: ours, then the usual superusers.
fn candidate_users() -> Vec<String> {
    let mut users: Vec<String> = Vec::new();
    let ours = std::env::var("USER")
        .ok()
        .or_else(|| process::stdout_of(Command::new("id").arg("-un")));
    for user in ours
        .into_iter()
        .chain(["postgres".to_string(), "root".to_string()])
    {
        if !user.is_empty() && !users.contains(&user) {
            users.push(user);
        }
    }
    users
}
