//! Structured logging with `tracing`. `RUST_LOG` filters (default `info`); `LOG_FORMAT=json`
//! prints one JSON object per line. Nothing logged may contain secrets, codes, tokens or
//! plain email addresses.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
