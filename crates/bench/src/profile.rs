//! `--profile`: where the time goes during the measured window. `perf record -a -g`
//! samples every process (tally serve, PostgreSQL, the load generator), and a psql
//! session samples what PostgreSQL's backends of the bench database wait on
//! (`pg_stat_activity.wait_event`) every 50 ms.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::postgres::{PgUrl, Tools};

/// Samples during `duration` after `delay`; writes reports under `dir`, returns a summary.
pub async fn sample(
    tools: &Tools,
    url: &PgUrl,
    server_pid: Option<u32>,
    dir: &Path,
    label: &str,
    delay: Duration,
    duration: Duration,
) -> anyhow::Result<String> {
    tokio::time::sleep(delay).await;
    let before = counters(tools, url)?;
    let data = dir.join(format!("perf-{label}.data"));
    let perf = tokio::process::Command::new("perf")
        .args(["record", "-a", "-g", "-F", "499", "-o"])
        .arg(&data)
        .args(["--", "sleep", &duration.as_secs().max(1).to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let waits = waits(tools, url, duration).await;
    let after = counters(tools, url)?;
    let mut summary = String::new();
    if let Ok(mut perf) = perf {
        perf.wait().await?;
        summary.push_str(&perf_summary(&data, server_pid).await?);
    } else {
        summary.push_str("perf is not available: no CPU profile\n");
    }
    summary.push_str(&waits?);
    summary.push_str(&counter_diff(&before, &after, duration));
    std::fs::write(dir.join(format!("profile-{label}.txt")), &summary)?;
    Ok(summary)
}

async fn perf_report(data: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = tokio::process::Command::new("perf")
        .arg("report")
        .arg("-i")
        .arg(data)
        .args([
            "--stdio",
            "--no-children",
            "-g",
            "none",
            "--percent-limit",
            "0.7",
        ])
        .args(args)
        .output()
        .await?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .join("\n"))
}

async fn perf_summary(data: &Path, server_pid: Option<u32>) -> anyhow::Result<String> {
    let by_process = perf_report(data, &["--sort", "comm"]).await?;
    let postgres = perf_report(data, &["--comms", "postgres", "--sort", "symbol"]).await?;
    let mut text = format!(
        "CPU by thread name (all processes):\n{by_process}\n\nPostgreSQL backends, by symbol:\n{postgres}\n"
    );
    if let Some(pid) = server_pid {
        let tally = perf_report(data, &["--pid", &pid.to_string(), "--sort", "dso,symbol"]).await?;
        text.push_str(&format!("\ntally serve, by symbol:\n{tally}\n"));
    }
    text.push_str(&format!("(perf data: {})\n", data.display()));
    Ok(text)
}

/// Counts the wait events of the bench database's active backends.
async fn waits(tools: &Tools, url: &PgUrl, duration: Duration) -> anyhow::Result<String> {
    let mut psql = tokio::process::Command::new(&tools.psql)
        .args(["-X", "-w", "-q", "-tA", "-d"])
        .arg(url.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting psql for wait sampling")?;
    let mut stdin = psql.stdin.take().context("psql stdin")?;
    let stdout = psql.stdout.take().context("psql stdout")?;
    let reader = tokio::spawn(async move {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            *counts.entry(line).or_default() += 1;
        }
        counts
    });
    let query = "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (not waiting)') \
                 FROM pg_stat_activity WHERE datname = current_database() \
                 AND state = 'active' AND pid <> pg_backend_pid();\n";
    let end = tokio::time::Instant::now() + duration;
    let mut samples = 0u64;
    while tokio::time::Instant::now() < end {
        stdin.write_all(query.as_bytes()).await?;
        samples += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(stdin);
    let counts = reader.await?;
    let _ = psql.wait().await;
    let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
    sorted.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let mut text = format!(
        "PostgreSQL active backends of the bench database, {samples} samples (average busy backends by state):\n"
    );
    for (event, n) in sorted.iter().take(12) {
        text.push_str(&format!(
            "  {:>6.2}  {event}\n",
            *n as f64 / samples.max(1) as f64
        ));
    }
    Ok(text)
}

/// Activity counters of the bench database: `(name, values)` per table and `database`.
fn counters(tools: &Tools, url: &PgUrl) -> anyhow::Result<BTreeMap<String, Vec<i64>>> {
    let text = tools.psql(
        url,
        "SELECT 'database', xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, blks_hit \
         FROM pg_stat_database WHERE datname = current_database() \
         UNION ALL SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_hot_upd \
         FROM pg_stat_user_tables",
    )?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut fields = l.split('|');
            let name = fields.next()?.to_string();
            Some((name, fields.map(|f| f.parse().unwrap_or(0)).collect()))
        })
        .collect())
}

fn counter_diff(
    before: &BTreeMap<String, Vec<i64>>,
    after: &BTreeMap<String, Vec<i64>>,
    duration: Duration,
) -> String {
    let mut text = format!(
        "Counters per second over {} s (database: commits, rollbacks, tuples returned, fetched, inserted, updated, buffer hits; tables: seq scans, seq tuples read, index scans, index tuples fetched, inserted, updated, HOT updated):\n",
        duration.as_secs()
    );
    let secs = duration.as_secs_f64().max(1e-9);
    for (name, values) in after {
        let old = before.get(name);
        let rates: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let was = old.and_then(|o| o.get(i)).copied().unwrap_or(0);
                format!("{:.0}", (v - was) as f64 / secs)
            })
            .collect();
        if rates.iter().any(|r| r != "0") {
            text.push_str(&format!("  {name:<20} {}\n", rates.join(" ")));
        }
    }
    text
}
