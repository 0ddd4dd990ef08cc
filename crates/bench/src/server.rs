//! The release `tally serve` under test: started with a clean environment on a free
//! port, its peak resident memory read from `/proc/<pid>/status`, stopped with SIGTERM.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

/// A running `tally serve`.
#[derive(Debug)]
pub struct Server {
    pub base_url: String,
    pub pid: u32,
    child: tokio::process::Child,
}

/// The binary next to this one (`target/release/tally` beside `target/release/ingest`).
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(name);
    if !path.is_file() {
        bail!(
            "{} is missing: build it with `cargo build --release -p tally -p bench` (cargo xtask bench ingest does)",
            path.display()
        );
    }
    Ok(path)
}

impl Server {
    /// Starts `tally serve` on `database_url` with `extra` environment (overriding).
    pub async fn start(
        database_url: &str,
        dir: &Path,
        extra: &[(String, String)],
    ) -> anyhow::Result<Server> {
        let mut env: Vec<(String, String)> = [
            ("DATABASE_URL", database_url),
            ("TALLY_ENV", "dev"),
            ("FEATURE_WOOCOMMERCE", "true"),
            ("APP_SECRET_KEY", crate::APP_SECRET_KEY),
            ("BIND_ADDR", "127.0.0.1:0"),
            ("TALLY_DEV_DIR", &dir.join("dev").to_string_lossy()),
            ("RUST_LOG", "warn"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (key, value) in extra {
            env.retain(|(k, _)| k != key);
            env.push((key.clone(), value.clone()));
        }
        let log = std::fs::File::create(dir.join("server.log"))?;
        let mut child = tokio::process::Command::new(sibling_binary("tally")?)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .context("starting tally serve")?;
        let pid = child.id().context("tally serve has no pid")?;
        let stdout = child.stdout.take().context("tally serve stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .context("tally serve did not announce its address within 30 s")??
            .with_context(|| {
                format!(
                    "tally serve exited before listening; see {}",
                    dir.join("server.log").display()
                )
            })?;
        let base_url = line
            .strip_prefix("Tally listening on ")
            .with_context(|| format!("unexpected first line from tally serve: {line}"))?
            .to_string();
        Ok(Server {
            base_url,
            pid,
            child,
        })
    }

    /// Peak resident set size so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("reading /proc/<pid>/status of tally serve (Linux only)")?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmHWM in /proc/<pid>/status")
    }

    /// SIGTERM, then up to 15 s for a graceful stop, then SIGKILL.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}
