//! `cargo xtask test [--private-db] [-- ARGS]`: every test, against a real PostgreSQL.
//!
//! The tests get the admin URL (the `postgres` database of a role that may create
//! databases) as `DATABASE_URL` and make one database per test from it.

use std::process::ExitCode;

use crate::postgres::{self, Purpose};
use crate::{process, Result};

#[derive(Debug)]
pub struct Options {
    private_db: bool,
    /// Passed to the test runner (everything after `--`).
    runner_args: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let (ours, runner_args) = match args.iter().position(|arg| arg == "--") {
            Some(split) => (&args[..split], args[split + 1..].to_vec()),
            None => (args, Vec::new()),
        };
        let flags = crate::parse_flags("test", ours, &["--private-db"])?;
        Ok(Options {
            private_db: flags.contains(&"--private-db"),
            runner_args,
        })
    }
}

pub fn run(options: Options) -> Result<ExitCode> {
    let database = postgres::provision(Purpose::TestAdmin, options.private_db)?;
    database.announce();

    let nextest = process::succeeds(process::cargo().args(["nextest", "--version"]));
    let mut command = process::cargo();
    if nextest {
        command.args(["nextest", "run"]);
    } else {
        eprintln!(
            "xtask: cargo-nextest is not installed; using cargo test (cargo install cargo-nextest)"
        );
        command.arg("test");
    }
    command
        .args(["--workspace", "--no-fail-fast"])
        .args(&options.runner_args)
        .current_dir(crate::workspace::root())
        .env("DATABASE_URL", &database.url);
    let runner = if nextest {
        "cargo nextest run"
    } else {
        "cargo test"
    };
    eprintln!(
        "xtask: running {runner} --workspace --no-fail-fast against {}",
        database.url
    );
    let status = process::status(&mut command)?;

    eprintln!(
        "xtask: tests {} ({status}); database: {}",
        if status.success() { "passed" } else { "failed" },
        database.source
    );
    // Stops a private cluster this run started before we exit with the runner's code.
    drop(database);
    Ok(process::exit_code(status))
}
