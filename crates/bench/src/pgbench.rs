//! Running pgbench with the derived script: `-n -M prepared`, the same concurrency and
//! duration as the Tally run, `-j` threads.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::postgres::{PgUrl, Tools};
use crate::script::Script;

/// What pgbench reported.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub tps: f64,
    pub transactions: u64,
    pub failed: u64,
    pub latency_ms: f64,
    /// The command, for the report (constants left out).
    pub command: String,
}

impl Outcome {
    /// For `--no-pgbench`.
    pub fn skipped() -> Outcome {
        Outcome {
            tps: 0.0,
            transactions: 0,
            failed: 0,
            latency_ms: 0.0,
            command: "skipped (--no-pgbench)".into(),
        }
    }
}

fn value_after<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(|rest| rest.split_whitespace().next().unwrap_or(""))
}

/// How pgbench runs: as many clients as Tally had deliveries in flight, for as long.
#[derive(Debug, Clone)]
pub struct Load {
    pub clients: usize,
    pub threads: usize,
    /// `prepared`, `extended` or `simple`.
    pub protocol: String,
    pub duration: Duration,
}

/// Runs pgbench on `url` with `script` (written to `dir/delivery.sql`).
pub async fn run(
    tools: &Tools,
    url: &PgUrl,
    script: &Script,
    dir: &Path,
    load: &Load,
) -> anyhow::Result<Outcome> {
    let file = dir.join("delivery.sql");
    std::fs::write(&file, &script.text)?;
    let Load {
        clients,
        threads,
        protocol,
        duration,
    } = load.clone();
    let mut command = tokio::process::Command::new(&tools.pgbench);
    command
        .args(["-n", "-M", &protocol])
        .args(["-c", &clients.to_string()])
        .args(["-j", &threads.clamp(1, clients.max(1)).to_string()])
        .args(["-T", &duration.as_secs().max(1).to_string()])
        .arg("-f")
        .arg(&file);
    for (name, value) in &script.defines {
        command.arg("-D").arg(format!("{name}={value}"));
    }
    command.arg(url.to_string());
    let shown = format!(
        "{} -n -M {protocol} -c {clients} -j {threads} -T {} -f {} -D seq=0 -D c0=… ({} constants) <bench database>",
        tools.pgbench.display(),
        duration.as_secs(),
        file.display(),
        script.defines.len() - 1
    );
    let out = command
        .stdin(Stdio::null())
        .output()
        .await
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    std::fs::write(dir.join("pgbench.log"), format!("{stdout}\n{stderr}"))?;
    if !out.status.success() {
        bail!(
            "pgbench failed ({}); see {}:\n{}",
            out.status,
            dir.join("pgbench.log").display(),
            stderr
                .lines()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let tps = value_after(&stdout, "tps =")
        .context("no tps in pgbench's output")?
        .parse()?;
    let transactions = value_after(&stdout, "number of transactions actually processed:")
        .and_then(|v| v.split('/').next())
        .context("no transaction count in pgbench's output")?
        .parse()?;
    let failed =
        value_after(&stdout, "number of failed transactions:").map_or(Ok(0), str::parse)?;
    let latency_ms = value_after(&stdout, "latency average =").map_or(Ok(0.0), str::parse)?;
    if failed > 0 {
        bail!(
            "pgbench had {failed} failed transactions; see {}",
            dir.join("pgbench.log").display()
        );
    }
    Ok(Outcome {
        tps,
        transactions,
        failed,
        latency_ms,
        command: shown,
    })
}
