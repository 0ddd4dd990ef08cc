//! The figures of a run, printed for a human on stdout.

use crate::check::Totals;
use crate::loadgen::Outcome;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Figures {
    pub cores: usize,
    pub concurrency: usize,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub durability: Vec<(String, String)>,
    pub script_statements: usize,
    pub script_kinds: Vec<(String, usize)>,
    pub script_path: String,
    pub unique: Outcome,
    pub unique_totals: Totals,
    pub duplicates: Option<(Outcome, Totals)>,
    pub peak_rss_kib: u64,
    pub pgbench: crate::pgbench::Outcome,
}

fn row(name: &str, o: &Outcome) -> String {
    format!(
        "  {name:<28} {:>10.1} {:>8.2} {:>8.2} {:>8.2} {:>9}",
        o.per_second(),
        o.quantile_ms(0.50),
        o.quantile_ms(0.99),
        o.quantile_ms(1.0),
        o.latencies_us.len()
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

impl Figures {
    pub fn ratio(&self) -> f64 {
        self.unique.per_second() / self.pgbench.tps.max(1e-9)
    }

    pub fn print(&self) {
        let rss_mb = self.peak_rss_kib as f64 * 1024.0 / 1e6;
        println!();
        println!("== Tally ingest benchmark ==");
        println!(
            "machine: {} cores (tally serve, the load generator and PostgreSQL share them)",
            self.cores
        );
        println!(
            "load: concurrency {}, {:.0} s measured after a {:.0} s warm-up and ANALYZE",
            self.concurrency, self.duration_s, self.warmup_s
        );
        let settings: Vec<String> = self
            .durability
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("PostgreSQL durability: {}", settings.join(" "));
        let kinds: Vec<String> = self
            .script_kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!(
            "pgbench script: {} statements per delivery, parameters: {} ({})",
            self.script_statements,
            kinds.join(", "),
            self.script_path
        );
        println!();
        println!(
            "  {:<28} {:>10} {:>8} {:>8} {:>8} {:>9}",
            "", "per s", "p50 ms", "p99 ms", "max ms", "measured"
        );
        println!("{}", row("tally: new orders", &self.unique));
        if let Some((dup, _)) = &self.duplicates {
            println!("{}", row("tally: 50% duplicates", dup));
        }
        println!(
            "  {:<28} {:>10.1} {:>8} {:>8} {:>8} {:>9}   (avg latency {:.2} ms)",
            "pgbench: same SQL",
            self.pgbench.tps,
            "",
            "",
            "",
            self.pgbench.transactions,
            self.pgbench.latency_ms
        );
        println!();
        println!(
            "deliveries/s (new orders):  {:.1}",
            self.unique.per_second()
        );
        println!("pgbench transactions/s:     {:.1}", self.pgbench.tps);
        println!("ratio tally ÷ pgbench:      {:.2}", self.ratio());
        println!(
            "peak RSS of tally serve:    {rss_mb:.1} MB (VmHWM {} kB)",
            self.peak_rss_kib
        );
        println!("cores:                      {}", self.cores);
        println!(
            "exactly once (new orders):  {} orders, wallets hold {} points, expected {}: ok",
            self.unique_totals.orders, self.unique_totals.points, self.unique_totals.expected
        );
        if let Some((dup, totals)) = &self.duplicates {
            println!(
                "exactly once (duplicates):  {} deliveries of {} orders, wallets hold {} points, expected {}: ok",
                dup.deliveries, totals.orders, totals.points, totals.expected
            );
        }
        println!();
        println!(
            "targets: ratio ≥ 1.0 {}; p99 < 50 ms {}; peak RSS < 100 MB {}",
            verdict(self.ratio() >= 1.0),
            verdict(self.unique.quantile_ms(0.99) < 50.0),
            verdict(rss_mb < 100.0)
        );
        println!("pgbench: {}", self.pgbench.command);
    }
}
