use std::collections::HashMap;

use super::*;

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

#[test]
fn production_refuses_to_start_without_a_secret_key() {
    let err = load(&[
        ("DATABASE_URL", "postgres://x@h/db"),
        ("SMTP_URL", "smtp://h:587"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("APP_SECRET_KEY is required in production"),
        "{err}"
    );
}

#[test]
fn production_refuses_to_start_without_smtp() {
    let err = load(&[
        ("DATABASE_URL", "postgres://x@h/db"),
        ("APP_SECRET_KEY", KEY),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("SMTP_URL is required in production"),
        "{err}"
    );
}

#[test]
fn a_missing_database_url_is_named() {
    let err = load(&[("TALLY_ENV", "dev")]).unwrap_err();
    assert!(
        err.to_string().starts_with("DATABASE_URL is required"),
        "{err}"
    );
}

#[test]
fn defaults_follow_the_spec() {
    let c = load(&[
        ("DATABASE_URL", "postgres://x@h/db"),
        ("APP_SECRET_KEY", KEY),
        ("SMTP_URL", "smtp://h:587"),
    ])
    .unwrap();
    assert_eq!(c.env, Environment::Production);
    assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
    assert_eq!(c.public_base_url, "http://127.0.0.1:8080");
    assert_eq!(c.mail_from, "no-reply@localhost");
    assert!(!c.feature_woocommerce);
    assert!(!c.woo_allow_private_networks);
    assert_eq!(c.reconcile_interval, Duration::from_secs(600));
    assert!(c.trusted_proxies.is_empty());
}

#[test]
fn malformed_values_name_their_variable() {
    let base = [
        ("DATABASE_URL", "postgres://x@h/db"),
        ("APP_SECRET_KEY", KEY),
        ("SMTP_URL", "smtp://h:587"),
    ];
    for (name, value) in [
        ("BIND_ADDR", "localhost"),
        ("TALLY_ENV", "staging"),
        ("FEATURE_WOOCOMMERCE", "maybe"),
        ("RECONCILE_INTERVAL", "10 minutes"),
        ("TRUSTED_PROXIES", "10.0.0.1, proxy"),
        ("PUBLIC_BASE_URL", "example.com"),
        ("APP_SECRET_KEY", "c2hvcnQ="),
        ("DATABASE_POOL_SIZE", "0"),
    ] {
        let mut vars = base.to_vec();
        vars.retain(|(k, _)| *k != name);
        vars.push((name, value));
        let err = load(&vars).unwrap_err();
        assert!(err.to_string().starts_with(name), "{name}: {err}");
    }
}

#[test]
fn dev_generates_a_key_once_and_keeps_it() {
    let dir = std::env::temp_dir().join(format!("tally-config-test-{}", std::process::id()));
    let dir_str = dir.to_string_lossy().to_string();
    let vars = [
        ("DATABASE_URL", "postgres://x@h/db"),
        ("TALLY_ENV", "dev"),
        ("TALLY_DEV_DIR", dir_str.as_str()),
    ];
    let first = load(&vars).unwrap();
    assert!(first.generated_key);
    assert!(first.smtp_url.is_none());
    let stored = std::fs::read_to_string(dir.join("app-secret-key")).unwrap();
    let second = load(&vars).unwrap();
    let probe = |c: &Config| c.keys.hash(identity::Purpose::TokenHash, b"probe").unwrap();
    assert_eq!(probe(&first), probe(&second));
    assert_eq!(
        std::fs::read_to_string(dir.join("app-secret-key")).unwrap(),
        stored
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn durations_accept_units() {
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
    assert_eq!(parse_duration("0s"), None);
    assert_eq!(parse_duration("5d"), None);
}
