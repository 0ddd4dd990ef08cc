//! The simulated WooCommerce store of `cargo xtask dev` (and `cargo xtask woo-sim`): the
//! `woo-sim` binary of the workspace, run over HTTPS with its CA under `target/woo-sim`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};

use crate::{bail, json, process, workspace, Result};

/// Where dev's store listens when the port is free (else any free port).
const DEV_PORT: u16 = 8443;

/// A running simulator; dropping it stops it.
#[derive(Debug)]
pub struct Store {
    child: Child,
    pub base_url: String,
    pub ca_cert_path: String,
    pub consumer_key: String,
    pub consumer_secret: String,
}

fn binary() -> PathBuf {
    workspace::target_dir()
        .join("debug")
        .join(format!("woo-sim{}", std::env::consts::EXE_SUFFIX))
}

fn state_dir() -> PathBuf {
    workspace::target_dir().join("woo-sim")
}

/// The two strings of a JSON array field like `"read_write_key":["ck_…","cs_…"]`.
fn pair(text: &str, key: &str) -> Option<(String, String)> {
    let start = text.find(&format!("\"{key}\""))?;
    let rest = &text[start..];
    let open = rest.find('[')?;
    let close = rest.find(']')?;
    let mut parts = rest[open + 1..close]
        .split(',')
        .map(|p| p.trim().trim_matches('"').to_owned());
    Some((parts.next()?, parts.next()?))
}

impl Store {
    /// Starts the simulator (built by [`crate::tally::Tally::build`]).
    pub fn start() -> Result<Store> {
        let port = if std::net::TcpListener::bind(("127.0.0.1", DEV_PORT)).is_ok() {
            DEV_PORT
        } else {
            0
        };
        let mut child = Command::new(binary())
            .args(["--port", &port.to_string(), "--state-dir"])
            .arg(state_dir())
            .stdout(Stdio::piped())
            .stderr(process::to_stderr())
            .spawn()
            .map_err(crate::io_context("start", &binary()))?;
        let Some(stdout) = child.stdout.take() else {
            bail!("woo-sim gave no output");
        };
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let field = |key: &str| json::field(&line, key);
        let (Some(base_url), Some(ca_cert_path), Some((consumer_key, consumer_secret))) = (
            field("base_url"),
            field("ca_cert_path"),
            pair(&line, "read_write_key"),
        ) else {
            let _ = child.kill();
            bail!("woo-sim did not announce itself: {line}");
        };
        eprintln!("xtask: simulated WooCommerce store at {base_url}");
        Ok(Store {
            child,
            base_url,
            ca_cert_path,
            consumer_key,
            consumer_secret,
        })
    }

    /// The environment `tally` needs to talk to this store.
    pub fn tally_env(&self) -> [(&'static str, String); 3] {
        [
            ("FEATURE_WOOCOMMERCE", "true".into()),
            ("WOO_EXTRA_CA_CERT", self.ca_cert_path.clone()),
            ("WOO_ALLOW_PRIVATE_NETWORKS", "true".into()),
        ]
    }

    /// A command a person can paste to place a test order.
    pub fn order_example(&self, email: &str) -> String {
        format!(
            "curl --cacert {} -u {}:{} -H 'Content-Type: application/json' \\\n          \
             -d '{{\"status\": \"processing\", \"billing\": {{\"first_name\": \"Ann\", \"email\": \"{email}\"}}, \
             \"line_items\": [{{\"name\": \"Coffee beans\", \"quantity\": 1, \"total\": \"24.00\"}}]}}' \\\n          \
             {}/wp-json/wc/v3/orders",
            process::shell_quote(&self.ca_cert_path),
            self.consumer_key,
            self.consumer_secret,
            self.base_url
        )
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// `cargo xtask woo-sim [ARGS]`: builds and runs the simulator in the foreground.
pub fn run_standalone(args: &[String]) -> Result<ExitCode> {
    process::run(
        process::cargo()
            .current_dir(workspace::root())
            .args(["build", "-p", "woo-sim"]),
    )?;
    let status = process::status(Command::new(binary()).args(args))?;
    Ok(process::exit_code(status))
}
