//! `cargo xtask bench ingest [--private-db] [-- ARGS]`: the ingest benchmark.
//!
//! Provisions PostgreSQL as `cargo xtask test` does (the admin URL of a role that may
//! create databases), builds the release `tally` and `bench` binaries, and runs
//! `bench`'s `ingest` orchestrator with that URL as `DATABASE_URL`; it creates its own
//! database there and drops it at the end. ARGS go to `ingest` (`-- --help` lists them).

use std::process::ExitCode;

use crate::postgres::{self, Purpose};
use crate::{bail, process, Result};

#[derive(Debug)]
pub struct Options {
    private_db: bool,
    /// Passed to the orchestrator (everything after `--`).
    bench_args: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let (ours, bench_args) = match args.iter().position(|arg| arg == "--") {
            Some(split) => (&args[..split], args[split + 1..].to_vec()),
            None => (args, Vec::new()),
        };
        let Some((which, flags)) = ours.split_first() else {
            bail!("`cargo xtask bench` needs a benchmark: ingest");
        };
        if which != "ingest" {
            bail!("unknown benchmark `{which}` (there is: ingest)");
        }
        let flags = crate::parse_flags("bench ingest", flags, &["--private-db"])?;
        Ok(Options {
            private_db: flags.contains(&"--private-db"),
            bench_args,
        })
    }
}

pub fn run(options: Options) -> Result<ExitCode> {
    let database = postgres::provision(Purpose::TestAdmin, options.private_db)?;
    database.announce();
    let root = crate::workspace::root();
    eprintln!("xtask: building the release binaries (tally, bench)");
    process::run(
        process::cargo()
            .args(["build", "--release", "-p", "tally", "-p", "bench"])
            .current_dir(&root),
    )?;
    let mut command = process::cargo();
    command
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "bench",
            "--bin",
            "ingest",
            "--",
        ])
        .args(&options.bench_args)
        .current_dir(&root)
        .env("DATABASE_URL", &database.url);
    let status = process::status(&mut command)?;
    // Stops a private cluster this run started before we exit with the benchmark's code.
    drop(database);
    Ok(process::exit_code(status))
}
