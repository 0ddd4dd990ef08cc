//! The PostgreSQL server of the run: its URL, the client tools (`psql`, `pgbench`), the
//! benchmark's own database (created fresh, dropped at the end) and the durability
//! settings. The only SQL here is server bookkeeping any client does.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// A `postgres://user[:password]@host[:port]/database[?params]` URL, taken apart.
#[derive(Debug, Clone)]
pub struct PgUrl {
    userinfo: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    query: String,
}

impl PgUrl {
    pub fn parse(url: &str) -> anyhow::Result<PgUrl> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .context("DATABASE_URL must be a postgres:// URL")?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = rest.split_once('/').unwrap_or((rest, "postgres"));
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() => (host, port.parse()?),
            _ => (hostport, 5432),
        };
        if host.is_empty() {
            bail!("DATABASE_URL must name a TCP host (the benchmark proxies it)");
        }
        Ok(PgUrl {
            userinfo: userinfo.to_string(),
            host: host.to_string(),
            port,
            database: if database.is_empty() {
                "postgres".into()
            } else {
                database.to_string()
            },
            query: query.to_string(),
        })
    }

    /// The same server and role, another database.
    pub fn with_database(&self, database: &str) -> PgUrl {
        PgUrl {
            database: database.to_string(),
            ..self.clone()
        }
    }

    /// The same role and database through `host:port`, without TLS (the recording
    /// proxy reads the protocol).
    pub fn through(&self, host: &str, port: u16) -> PgUrl {
        let mut params: Vec<&str> = self
            .query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("sslmode="))
            .collect();
        params.push("sslmode=disable");
        PgUrl {
            host: host.to_string(),
            port,
            query: params.join("&"),
            ..self.clone()
        }
    }

    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "postgres://")?;
        if !self.userinfo.is_empty() {
            write!(f, "{}@", self.userinfo)?;
        }
        write!(f, "{}:{}/{}", self.host, self.port, self.database)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

/// The client tools: `pg_config --bindir`, the newest `/usr/lib/postgresql/*/bin`, or
/// `PATH`.
#[derive(Debug, Clone)]
pub struct Tools {
    pub psql: PathBuf,
    pub pgbench: PathBuf,
}

impl Tools {
    pub fn find() -> anyhow::Result<Tools> {
        let mut dirs = Vec::new();
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
            dirs.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
        let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let major = e
                    .file_name()
                    .to_string_lossy()
                    .split('.')
                    .next()?
                    .parse()
                    .ok()?;
                Some((major, e.path().join("bin")))
            })
            .collect();
        versioned.sort();
        dirs.extend(versioned.into_iter().rev().map(|(_, dir)| dir));
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let find = |name: &str| {
            dirs.iter()
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
                .with_context(|| format!("no `{name}` found (install the PostgreSQL client tools, e.g. apt-get install postgresql-client)"))
        };
        Ok(Tools {
            psql: find("psql")?,
            pgbench: find("pgbench")?,
        })
    }

    /// Runs `sql` with psql on `url`; returns its unaligned, tuples-only output.
    pub fn psql(&self, url: &PgUrl, sql: &str) -> anyhow::Result<String> {
        let out = Command::new(&self.psql)
            .args(["-X", "-w", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(url.to_string())
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "5")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", self.psql.display()))?;
        if !out.status.success() {
            bail!(
                "psql on {}: `{sql}` failed: {}",
                url.database,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// The benchmark's own database; dropped (connections closed) by [`BenchDatabase::drop_now`].
#[derive(Debug)]
pub struct BenchDatabase {
    pub url: PgUrl,
    admin: PgUrl,
    tools: Tools,
    dropped: bool,
}

impl BenchDatabase {
    pub fn create(tools: &Tools, admin: &PgUrl) -> anyhow::Result<BenchDatabase> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let name = format!("tally_bench_{}_{stamp}", std::process::id());
        tools.psql(admin, &format!("CREATE DATABASE \"{name}\""))?;
        Ok(BenchDatabase {
            url: admin.with_database(&name),
            admin: admin.clone(),
            tools: tools.clone(),
            dropped: false,
        })
    }

    /// Leaves the database in place.
    pub fn keep(&mut self) {
        self.dropped = true;
    }

    pub fn drop_now(&mut self) -> anyhow::Result<()> {
        if !self.dropped {
            self.dropped = true;
            let sql = format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.url.database
            );
            self.tools.psql(&self.admin, &sql)?;
        }
        Ok(())
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        if let Err(e) = self.drop_now() {
            eprintln!("bench: could not drop {}: {e}", self.url.database);
        }
    }
}

/// The settings that decide whether a commit is durable, as the benchmark's sessions
/// see them (database and role settings included).
pub const DURABILITY: [&str; 4] = [
    "fsync",
    "synchronous_commit",
    "wal_sync_method",
    "commit_delay",
];

/// `(name, value)` of [`DURABILITY`], read on `url`; refuses a database that does not
/// persist.
pub fn durability(tools: &Tools, url: &PgUrl) -> anyhow::Result<Vec<(String, String)>> {
    let mut settings = Vec::new();
    for name in DURABILITY {
        let value = tools.psql(url, &format!("SHOW {name}"))?;
        settings.push((name.to_string(), value));
    }
    for (name, value) in &settings {
        if (name == "fsync" || name == "synchronous_commit") && value == "off" {
            bail!("{name} is off on this server: a commit is not durable, so a figure measured here is worthless; turn it on and run again");
        }
    }
    Ok(settings)
}
