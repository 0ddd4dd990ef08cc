//! Operator configuration, read from the environment (and `.env` when present).
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `DATABASE_URL` | PostgreSQL URL | required (`cargo xtask dev` provides one) |
//! | `DATABASE_POOL_SIZE` | connections per process | 10 |
//! | `INGEST_WRITERS` | group-commit writers for webhook deliveries (a connection each, besides the pool) | 2 |
//! | `BIND_ADDR` | listen address | `127.0.0.1:8080` |
//! | `PUBLIC_BASE_URL` | base of webhook delivery URLs and email links | `http://127.0.0.1:8080` |
//! | `TALLY_ENV` | `production` or `dev` | `production` |
//! | `APP_SECRET_KEY` | 32+ random bytes, base64 | required in production; dev generates and keeps one |
//! | `APP_SECRET_KEY_PREVIOUS` | the key before a rotation | unset |
//! | `FEATURE_WOOCOMMERCE` | `true` turns the WooCommerce integration on | off |
//! | `SMTP_URL` | SMTP server URL | required in production; dev without it uses the dev outbox |
//! | `MAIL_FROM` | the platform's sending address | `no-reply@localhost` |
//! | `WOO_ALLOW_PRIVATE_NETWORKS` | allow store URLs on private addresses | false |
//! | `WOO_EXTRA_CA_CERT` | extra trusted root certificate (PEM path) for store TLS | unset |
//! | `RECONCILE_INTERVAL` | how often stores are reconciled (`30s`, `10m`, `1h`) | `10m` |
//! | `WOO_TIMEOUT` | how long one store request may take (`15s`); past it the answer is unclear | `15s` |
//! | `TRUSTED_PROXIES` | comma-separated addresses whose `X-Forwarded-For` is believed | none |
//! | `TALLY_DEV_DIR` | where dev mode keeps its generated key | `.tally-dev` |

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use identity::{KeyRing, SecretKey};
use secrecy::SecretString;

/// Production, or development conveniences (dev mailbox, generated key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Production,
    Dev,
}

/// Everything the server needs to know from its operator.
#[derive(Debug)]
pub struct Config {
    pub database_url: SecretString,
    pub database_pool_size: usize,
    /// Group-commit writers for webhook deliveries, each with a connection of its own.
    pub ingest_writers: usize,
    pub bind_addr: SocketAddr,
    pub public_base_url: String,
    pub env: Environment,
    pub keys: KeyRing,
    /// True when dev mode generated the key (it is kept in `TALLY_DEV_DIR`).
    pub generated_key: bool,
    pub feature_woocommerce: bool,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub woo_allow_private_networks: bool,
    pub woo_extra_ca_cert: Option<PathBuf>,
    pub reconcile_interval: Duration,
    /// One WooCommerce request, connect to last byte.
    pub woo_timeout: Duration,
    pub trusted_proxies: Vec<IpAddr>,
}

/// A variable that is missing or malformed, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required{why}")]
    Missing {
        name: &'static str,
        why: &'static str,
    },
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("could not keep the generated development key in {path}: {reason}")]
    DevKey { path: String, reason: String },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = match lookup("TALLY_ENV").as_deref().map(str::trim) {
            None | Some("production") => Environment::Production,
            Some("dev") | Some("development") => Environment::Dev,
            Some(other) => {
                return Err(invalid(
                    "TALLY_ENV",
                    format!("'{other}': use 'production' or 'dev'"),
                ))
            }
        };
        let database_url = lookup("DATABASE_URL").ok_or(ConfigError::Missing {
            name: "DATABASE_URL",
            why: " (e.g. postgres://user@127.0.0.1:5432/tally; `cargo xtask dev` provides one)",
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(invalid(
                "DATABASE_URL",
                "it must start with postgres:// or postgresql://",
            ));
        }
        let database_pool_size = match lookup("DATABASE_POOL_SIZE") {
            None => 10,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "DATABASE_POOL_SIZE",
                        format!("'{v}': a whole number from 1 to 200"),
                    )
                })?,
        };
        let ingest_writers = match lookup("INGEST_WRITERS") {
            None => 2,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "INGEST_WRITERS",
                        format!("'{v}': a whole number from 1 to 64"),
                    )
                })?,
        };
        let bind_addr = lookup("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .trim()
            .parse::<SocketAddr>()
            .map_err(|e| {
                invalid(
                    "BIND_ADDR",
                    format!("{e} (expected host:port, e.g. 127.0.0.1:8080)"),
                )
            })?;
        let public_base_url = parse_base_url(lookup("PUBLIC_BASE_URL").as_deref())?;
        let smtp_url = lookup("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(invalid(
                    "SMTP_URL",
                    "it must start with smtp:// or smtps://",
                ));
            }
        } else if env == Environment::Production {
            return Err(ConfigError::Missing {
                name: "SMTP_URL",
                why: " in production (e.g. smtps://user:pass@mail.example.com:465); set TALLY_ENV=dev to keep emails in the dev outbox",
            });
        }
        let (current, generated_key) = match lookup("APP_SECRET_KEY") {
            Some(text) => (SecretKey::from_base64(&text).map_err(|e| invalid("APP_SECRET_KEY", e.to_string()))?, false),
            None if env == Environment::Dev => {
                let dir = lookup("TALLY_DEV_DIR").unwrap_or_else(|| ".tally-dev".into());
                (dev_key(Path::new(&dir))?, true)
            }
            None => {
                return Err(ConfigError::Missing {
                    name: "APP_SECRET_KEY",
                    why: " in production: 32 or more random bytes in base64 (e.g. `openssl rand -base64 32`)",
                })
            }
        };
        let previous = lookup("APP_SECRET_KEY_PREVIOUS")
            .map(|t| SecretKey::from_base64(&t))
            .transpose()
            .map_err(|e| invalid("APP_SECRET_KEY_PREVIOUS", e.to_string()))?;
        Ok(Config {
            database_url: SecretString::from(database_url),
            database_pool_size,
            ingest_writers,
            bind_addr,
            public_base_url,
            env,
            keys: KeyRing::new(current, previous),
            generated_key,
            feature_woocommerce: parse_bool("FEATURE_WOOCOMMERCE", lookup("FEATURE_WOOCOMMERCE"))?,
            smtp_url: smtp_url.map(SecretString::from),
            mail_from: lookup("MAIL_FROM").unwrap_or_else(|| "no-reply@localhost".into()),
            woo_allow_private_networks: parse_bool(
                "WOO_ALLOW_PRIVATE_NETWORKS",
                lookup("WOO_ALLOW_PRIVATE_NETWORKS"),
            )?,
            woo_extra_ca_cert: lookup("WOO_EXTRA_CA_CERT").map(PathBuf::from),
            reconcile_interval: match lookup("RECONCILE_INTERVAL") {
                None => Duration::from_secs(600),
                Some(v) => parse_duration(&v).ok_or_else(|| {
                    invalid(
                        "RECONCILE_INTERVAL",
                        format!("'{v}': use e.g. 30s, 10m or 1h"),
                    )
                })?,
            },
            woo_timeout: match lookup("WOO_TIMEOUT") {
                None => Duration::from_secs(15),
                Some(v) => parse_duration(&v)
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| invalid("WOO_TIMEOUT", format!("'{v}': use e.g. 15s")))?,
            },
            trusted_proxies: parse_proxies(lookup("TRUSTED_PROXIES").as_deref())?,
        })
    }
}

fn parse_base_url(value: Option<&str>) -> Result<String, ConfigError> {
    let url = value
        .unwrap_or("http://127.0.0.1:8080")
        .trim()
        .trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| invalid("PUBLIC_BASE_URL", "it must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains(['?', '#']) {
        return Err(invalid(
            "PUBLIC_BASE_URL",
            format!("'{url}' is not a base URL like https://loyalty.example.com"),
        ));
    }
    Ok(url.to_owned())
}

fn parse_bool(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value
        .as_deref()
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("false") | Some("0") | Some("no") | Some("off") => Ok(false),
        Some("true") | Some("1") | Some("yes") | Some("on") => Ok(true),
        Some(other) => Err(invalid(name, format!("'{other}': use true or false"))),
    }
}

/// `30s`, `10m`, `1h` or a number of seconds; at least one second.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = digits.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

fn parse_proxies(value: Option<&str>) -> Result<Vec<IpAddr>, ConfigError> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>()
                .map_err(|_| invalid("TRUSTED_PROXIES", format!("'{s}' is not an IP address")))
        })
        .collect()
}

/// The development key: read from `dir`, or generated once and written there, so
/// restarting the dev server signs nobody out.
fn dev_key(dir: &Path) -> Result<SecretKey, ConfigError> {
    let path = dir.join("app-secret-key");
    let fail = |reason: String| ConfigError::DevKey {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::from_base64(&text).map_err(|e| fail(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate().map_err(|e| fail(e.to_string()))?;
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
            write_private(&path, &key.to_base64()).map_err(|e| fail(e.to_string()))?;
            Ok(key)
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests;
